import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEFAULT_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey, signDevToken } from '@tremplin/auth';
import { contractRegistry, withTopicPrefix } from '@tremplin/contracts';
import { freePort, provisionDatabase, spawnService, waitHealthy, type ServiceName, type ServiceProcess } from '@tremplin/local-infra';
import { ensureTopics } from '@tremplin/messaging';
import { adminUrl, kafkaBrokers } from './database';
import type { CallOptions, Reply, TestPrincipal } from './service-harness';

// Services as separate processes, started the way npm start starts them (deploy/local/services.ts), on the run's
// PostgreSQL and Kafka: for journeys across services and for faults on real processes (SIGKILL, restart, two
// replicas). Each platform has its own databases and topic prefix, so specs never see each other's data.

export interface PlatformProcessOptions {
  readonly services: readonly ServiceName[];
  /** Processes per service (two replicas share one database and consumer group). */
  readonly replicas?: number;
  /** Extra environment for every service (CLOCK_CONTROL: 'on' for journeys that move time). */
  readonly env?: Record<string, string>;
  /** Brokers of a Kafka of the spec's own (startKafka), for faults that stop the broker; the run's shared one by default. */
  readonly kafkaBrokers?: readonly string[];
}

export interface RunningPlatform {
  readonly prefix: string;
  readonly keysDir: string;
  url(name: ServiceName, replica?: number): string;
  /** The owner-role URL of a service's database (reads across tenants need app.tenant_id set: RLS is forced). */
  ownerUrl(name: ServiceName): string;
  token(principal: TestPrincipal & { readonly tenants: readonly string[] }): Promise<string>;
  call(name: ServiceName, method: 'GET' | 'POST' | 'PUT', path: string, options?: CallOptions & { replica?: number }): Promise<Reply>;
  /** Kills one process (SIGKILL by default: no shutdown hook runs) and waits until it is gone. */
  kill(name: ServiceName, replica?: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts the process again on the same port and database (with `env` added), and waits until it is healthy. */
  restart(name: ServiceName, replica?: number, env?: Record<string, string>): Promise<void>;
  /** Each process's log lines (JSON), for the spec's own checks. */
  logs(name: ServiceName, replica?: number): readonly string[];
  stop(): Promise<void>;
}

interface Slot {
  readonly name: ServiceName;
  readonly port: number;
  readonly env: NodeJS.ProcessEnv;
  readonly lines: string[];
  process: ServiceProcess;
}

export async function startPlatformProcesses(options: PlatformProcessOptions): Promise<RunningPlatform> {
  const prefix = `e2e-${randomUUID().slice(0, 8)}.`;
  const keysDir = await mkdtemp(join(tmpdir(), 'tremplin-platform-keys-'));
  const key = await loadOrCreateDevSigningKey(keysDir);
  const brokers = options.kafkaBrokers ? [...options.kafkaBrokers] : kafkaBrokers();
  await ensureTopics(brokers, withTopicPrefix(contractRegistry, prefix));
  const databases = new Map<ServiceName, { name: string; ownerUrl: string; appUrl: string }>();
  const slots = new Map<string, Slot>();
  const slotKey = (name: ServiceName, replica: number) => `${name}#${replica}`;
  const slotOf = (name: ServiceName, replica = 0) => {
    const slot = slots.get(slotKey(name, replica));
    if (!slot) throw new Error(`no ${name} replica ${replica} in this platform`);
    return slot;
  };
  const spawnSlot = (slot: Omit<Slot, 'process'>): ServiceProcess => spawnService(slot.name, slot.port, slot.env, (line) => slot.lines.push(line));

  const stop = async () => {
    await Promise.all([...slots.values()].map((slot) => slot.process.stop()));
    const admin = new Client({ connectionString: adminUrl() });
    await admin.connect();
    try {
      for (const database of databases.values()) await admin.query(`DROP DATABASE IF EXISTS ${database.name} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    await rm(keysDir, { recursive: true, force: true });
  };

  try {
    for (const name of options.services) {
      const database = `t_e2e_${name.replace(/-/g, '_')}_${randomUUID().slice(0, 8)}`;
      const provisioned = await provisionDatabase(adminUrl(), database);
      databases.set(name, { name: database, ownerUrl: provisioned.ownerUrl, appUrl: provisioned.appUrl });
      for (let replica = 0; replica < (options.replicas ?? 1); replica += 1) {
        const slot = {
          name,
          port: await freePort(),
          lines: [] as string[],
          env: {
            DATABASE_URL: provisioned.appUrl,
            MIGRATION_DATABASE_URL: provisioned.ownerUrl,
            KAFKA_BROKERS: brokers.join(','),
            KAFKA_TOPIC_PREFIX: prefix,
            AUTH_DEV_KEYS_DIR: keysDir,
            PRIVACY_DEV_KEYS_DIR: keysDir,
            LOG_LEVEL: 'info',
            NODE_ENV: 'test',
            PROJECTION_POLL_MS: '50',
            ...options.env,
          },
        };
        slots.set(slotKey(name, replica), { ...slot, process: spawnSlot(slot) });
        // Replicas start one after the other: migrations run once, then the second finds them applied.
        await waitHealthy(slotOf(name, replica).process, 180_000);
      }
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }

  return {
    prefix,
    keysDir,
    url: (name, replica = 0) => slotOf(name, replica).process.url,
    ownerUrl: (name) => {
      const database = databases.get(name);
      if (!database) throw new Error(`no ${name} in this platform`);
      return database.ownerUrl;
    },
    token: (principal) =>
      signDevToken(
        key,
        { role: principal.role, tenants: [...principal.tenants], userId: principal.userId, organisationId: principal.organisationId, organisationKind: principal.organisationKind },
        { issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE },
      ),
    async call(name, method, path, call = {}) {
      const response = await fetch(`${slotOf(name, call.replica).process.url}${path}`, {
        method,
        headers: {
          ...(call.token ? { authorization: `Bearer ${call.token}` } : {}),
          'content-type': 'application/json',
          ...(call.key ? { 'idempotency-key': call.key } : {}),
          ...call.headers,
        },
        ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
        signal: AbortSignal.timeout(call.timeoutMs ?? 60_000),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Reply['body'], headers: response.headers };
    },
    async kill(name, replica = 0, signal = 'SIGKILL') {
      const { child } = slotOf(name, replica).process;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
    async restart(name, replica = 0, env = {}) {
      const slot = slotOf(name, replica);
      if (slot.process.child.exitCode === null && slot.process.child.signalCode === null) throw new Error(`${name} replica ${replica} is still running`);
      slot.process = spawnSlot({ ...slot, env: { ...slot.env, ...env } });
      await waitHealthy(slot.process, 180_000);
    },
    logs: (name, replica = 0) => slotOf(name, replica).lines,
    stop,
  };
}
