import { mkdtemp, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { DEFAULT_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey, signDevToken } from '@tremplin/auth';
import { contractRegistry, withTopicPrefix, type Envelope } from '@tremplin/contracts';
import { createKafkaTransport, ensureTopics, type MessageTransport, type Subscription } from '@tremplin/messaging';
import { startService, type baseConfigSchema, type RunningService, type ServiceDefinition } from '@tremplin/service-kit';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from './database';

// One service on the run's real PostgreSQL and Kafka, as its integration specs need it: a fresh database, a topic
// prefix of its own (so specs never see each other's messages), dev-signed tokens, an observer that collects what
// the service publishes, and the production bootstrap. Specs keep only their domain.

/** Who a token speaks for: the claims libs/auth reads. */
export interface TestPrincipal {
  readonly role: string;
  readonly userId: string;
  readonly organisationId: string;
  readonly organisationKind: string;
  /** The tenants the token opens; defaults to the harness's tenant. */
  readonly tenants?: readonly string[];
}

export interface Reply {
  readonly status: number;
  readonly body: Record<string, unknown> & { code?: string; field?: string };
  readonly headers: Headers;
}

export interface CallOptions {
  readonly token?: string;
  readonly body?: unknown;
  /** Sent as Idempotency-Key. */
  readonly key?: string;
  readonly headers?: Record<string, string>;
  readonly timeoutMs?: number;
}

export interface ServiceHarness {
  readonly app: RunningService;
  readonly db: TestDatabase;
  /** Topic prefix of this harness (also the service's KAFKA_TOPIC_PREFIX). */
  readonly prefix: string;
  readonly tenant: string;
  /** The folder of the dev signing key the service trusts (AUTH_DEV_KEYS_DIR). */
  readonly keysDir: string;
  /** Everything published on the observed topics, in arrival order. */
  readonly published: Envelope<Record<string, unknown>>[];
  /** A Kafka transport on the same brokers, for specs that publish what another service would. */
  readonly transport: MessageTransport;
  token(principal: TestPrincipal): Promise<string>;
  call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, options?: CallOptions): Promise<Reply>;
  /** A connection as the database owner acting for one tenant (row-level security is forced for the owner too). */
  asTenant<T>(tenant: string, fn: (client: Client) => Promise<T>): Promise<T>;
  /** The prefixed name of a topic, e.g. topic('lending.loan'). */
  topic(name: string): string;
  close(): Promise<void>;
}

export interface HarnessOptions<S extends typeof baseConfigSchema> {
  /** Database name prefix, e.g. 'lending'. */
  readonly name: string;
  /** The service, built with whatever test clock the spec drives. */
  readonly service: ServiceDefinition<S>;
  readonly tenant: string;
  /** Topics (unprefixed) whose messages the harness collects in `published`. */
  readonly observe?: readonly string[];
  /** Extra environment for the service (overrides the defaults). */
  readonly env?: Record<string, string>;
  /** A token sent when a call names none. */
  readonly defaultToken?: () => string;
  /** A dev key folder shared with other harnesses (kept on close); by default one of its own. */
  readonly keysDir?: string;
}

export async function startServiceHarness<S extends typeof baseConfigSchema>(options: HarnessOptions<S>): Promise<ServiceHarness> {
  const prefix = `t-${randomUUID().slice(0, 8)}.`;
  const db = await createTestDatabase(options.name, []);
  const keysDir = options.keysDir ?? (await mkdtemp(join(tmpdir(), `${options.name}-keys-`)));
  const key = await loadOrCreateDevSigningKey(keysDir);
  const published: Envelope<Record<string, unknown>>[] = [];
  await ensureTopics(kafkaBrokers(), withTopicPrefix(contractRegistry, prefix));
  const transport = createKafkaTransport({ brokers: kafkaBrokers(), clientId: `${options.name}-int-spec` });
  let observer: Subscription | undefined;
  let app: RunningService | undefined;
  const close = async () => {
    await app?.close();
    await observer?.stop();
    await transport.close();
    await db.drop();
    if (!options.keysDir) await rm(keysDir, { recursive: true, force: true });
  };
  try {
    if (options.observe?.length) {
      observer = await transport.subscribe({
        groupId: `${prefix}observer`,
        topics: options.observe.map((topic) => `${prefix}${topic}`),
        fromBeginning: true,
        onBatch: async (batch, control) => {
          for (const message of batch.messages) {
            published.push(JSON.parse(message.value!.toString()));
            control.resolve(message.offset);
          }
          await control.commit();
        },
      });
    }
    app = await startService(options.service, {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: db.appUrl,
      MIGRATION_DATABASE_URL: db.ownerUrl,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      AUTH_DEV_KEYS_DIR: keysDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      PROJECTION_POLL_MS: '20',
      ...options.env,
    });
  } catch (error) {
    await close();
    throw error;
  }
  const running = app;
  return {
    app: running,
    db,
    prefix,
    tenant: options.tenant,
    keysDir,
    published,
    transport,
    topic: (name) => `${prefix}${name}`,
    token: (principal) =>
      signDevToken(
        key,
        { role: principal.role, tenants: [...(principal.tenants ?? [options.tenant])], userId: principal.userId, organisationId: principal.organisationId, organisationKind: principal.organisationKind },
        { issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE },
      ),
    async call(method, path, call = {}) {
      const token = call.token ?? options.defaultToken?.();
      const response = await fetch(`${running.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
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
    async asTenant(tenant, fn) {
      const client = new Client({ connectionString: db.ownerUrl });
      await client.connect();
      await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [tenant]);
      try {
        return await fn(client);
      } finally {
        await client.end();
      }
    },
    close,
  };
}

/** Polls until the probe yields a value; fails naming what it waited for. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Status → count, for concurrency tests that compare answers with events recorded. */
export function tally(replies: readonly { status: number }[]): Record<number, number> {
  return replies.reduce<Record<number, number>>((counts, reply) => ({ ...counts, [reply.status]: (counts[reply.status] ?? 0) + 1 }), {});
}
