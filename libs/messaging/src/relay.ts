import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Registry } from 'prom-client';
import type { Pool, PoolClient } from '@tremplin/pg';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff';
import { isConnectionError } from './errors';
import { messagingMetrics, type MessagingMetrics } from './metrics';
import { silentLog, type MessageProducer, type MessageTransport, type MessagingLog, type OutgoingMessage } from './transport';

/** Must match the `lane` column of messaging.outbox. */
export const OUTBOX_LANES = 64;
// Advisory lock keys (namespace, lane) for lane ownership, and (namespace, MEMBER) held shared by every relay.
const LOCK_NAMESPACE = 7_100;
const MEMBER_KEY = 1_000;
/** LISTEN/NOTIFY channel: a wake-up hint for idle relays, never a carrier of rows. */
export const OUTBOX_CHANNEL = 'messaging_outbox';

/**
 * Tells idle relays to poll now. Call it after the writer's transaction committed, never inside it:
 * NOTIFY takes a database-wide lock at commit. A lost hint costs at most the relay's idle delay, so
 * failures are ignored; the statement writes no WAL, so it waits for no fsync.
 */
export async function notifyOutbox(pool: Pool): Promise<void> {
  await pool.query('SELECT pg_notify($1, NULL)', [OUTBOX_CHANNEL]).then(
    () => undefined,
    () => undefined,
  );
}

export interface RelayedRow {
  readonly id: string;
  readonly topic: string;
  readonly key: string;
  readonly lane: number;
  readonly messageId: string;
}

export interface RelayHooks {
  /** After each poll of the outbox, with what it returned (maybe nothing) and `performance.now()` when the query was sent (latency probes). */
  afterFetch?(rows: readonly RelayedRow[], polledAt: number): void;
  /** Called after Kafka acknowledged a batch, before it is marked sent. Throwing kills the relay there (fault tests). */
  afterPublish?(rows: readonly RelayedRow[]): void | Promise<void>;
}

export interface RelayOptions {
  readonly pool: Pool;
  readonly transport: MessageTransport;
  readonly name?: string;
  readonly batchSize?: number;
  readonly maxBatchBytes?: number;
  /** Poll interval while the outbox looks empty; a notifyOutbox() hint ends the wait early. */
  readonly idleDelayMs?: number;
  readonly backoff?: BackoffPolicy;
  readonly rebalanceIntervalMs?: number;
  readonly metrics?: Registry;
  readonly log?: MessagingLog;
  readonly hooks?: RelayHooks;
}

export interface RelayStats {
  /** Acknowledged by Kafka. */
  readonly published: number;
  /** Acknowledged and recorded as sent in the outbox. */
  readonly marked: number;
  readonly batches: number;
  readonly failures: number;
  readonly lanes: readonly number[];
}

export interface OutboxRelay {
  readonly name: string;
  start(): void;
  /** Finishes the batch in flight, then (with flushTimeoutMs) keeps publishing until its lanes are empty or time is up. */
  stop(options?: { flushTimeoutMs?: number }): Promise<void>;
  /** Resolves when stopped, rejects with RelayCrashedError when a hook killed it. */
  readonly done: Promise<void>;
  stats(): RelayStats;
}

export class RelayCrashedError extends Error {
  readonly code = 'RELAY_CRASHED';
  constructor(readonly relay: string, cause: unknown) {
    super(`relay ${relay} crashed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RelayCrashedError';
  }
}

interface Lease {
  readonly client: PoolClient;
  pid: number;
  readonly lanes: Set<number>;
  lost: boolean;
  rebalancedAt: number;
}

interface OutboxRow {
  id: string;
  message_id: string;
  topic: string;
  key: string;
  lane: number;
  headers: string;
  body: string;
}

// Order and limit on the narrow index first; only the chosen rows are turned into text. The horizon is an
// init plan, computed once, so it can bound the index scan.
const FETCH_BATCH = `
  WITH chosen AS (
    SELECT id FROM messaging.outbox
     WHERE sent_at IS NULL
       AND transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
       AND lane = ANY($1::int[])
       AND id <> ALL($4::bigint[])
     ORDER BY transaction_id, id
     LIMIT $2)
  SELECT id, message_id, topic, key, lane, headers, body
    FROM (SELECT o.id, o.message_id, o.topic, o.key, o.lane, o.headers::text AS headers, o.payload::text AS body, o.transaction_id,
                 sum(octet_length(o.payload::text)) OVER (ORDER BY o.transaction_id, o.id) AS running
            FROM messaging.outbox o JOIN chosen USING (id)) sized
   WHERE running - octet_length(body) < $3
   ORDER BY transaction_id, id`;

const relayedRow = (r: OutboxRow): RelayedRow => ({ id: r.id, topic: r.topic, key: r.key, lane: r.lane, messageId: r.message_id });

/**
 * Publishes outbox rows in (transaction, id) order per lane, marks them sent only after Kafka's
 * acknowledgement, and shares the 64 lanes with the other relays of the same database through advisory
 * locks, so one key is only ever published by one relay at a time.
 */
export function createOutboxRelay(options: RelayOptions): OutboxRelay {
  const name = options.name ?? `relay-${randomUUID().slice(0, 8)}`;
  const log = options.log ?? silentLog;
  const batchSize = options.batchSize ?? 1_000;
  const maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
  const idleDelayMs = options.idleDelayMs ?? 10;
  const backoff = options.backoff ?? { initialMs: 100, maxMs: 5_000 };
  const rebalanceIntervalMs = options.rebalanceIntervalMs ?? 1_000;
  const metrics: MessagingMetrics | undefined = options.metrics ? messagingMetrics(options.metrics) : undefined;
  metrics?.watchOutbox(options.pool);

  const abort = new AbortController();
  let stopping = false;
  let flushUntil = 0;
  let lease: Lease | undefined;
  let producer: MessageProducer | undefined;
  let published = 0;
  let marked = 0;
  // The previous batch's "sent" update runs while the next batch is fetched and published (never more than one).
  let pendingMark: { ids: string[]; done: Promise<void> } | undefined;
  let batches = 0;
  let failures = 0;
  let loop: Promise<void> | undefined;
  let settle: { resolve: () => void; reject: (error: Error) => void } = { resolve: () => undefined, reject: () => undefined };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined); // observed through `done` by whoever cares

  // A hint that arrives while a poll runs may name a commit that poll did not see: it makes the next wait end at once.
  let hinted = false;
  let wakeUp: (() => void) | undefined;
  const hint = () => {
    hinted = true;
    wakeUp?.();
  };
  const idle = async (ms: number): Promise<void> => {
    if (hinted || abort.signal.aborted) return;
    const interrupt = new AbortController();
    wakeUp = () => interrupt.abort();
    const onStop = () => interrupt.abort();
    abort.signal.addEventListener('abort', onStop, { once: true });
    try {
      await sleep(ms, interrupt.signal);
    } finally {
      wakeUp = undefined;
      abort.signal.removeEventListener('abort', onStop);
    }
  };

  const dropLease = () => {
    if (!lease) return;
    // Destroyed, not returned to the pool: a pooled connection would keep the session's advisory locks.
    lease.client.release(true);
    lease = undefined;
  };

  const markSent = (ids: string[]): Promise<void> =>
    options.pool
      .query('UPDATE messaging.outbox SET sent_at = clock_timestamp(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])', [ids])
      .then(
        () => {
          marked += ids.length;
        },
        (error: Error) => {
          // Left unsent, the rows go out again: duplicates, which consumers' inboxes absorb.
          log('warn', 'outbox relay: marking a batch sent failed', { relay: name, error: error.message });
        },
      );

  const settleMark = async () => {
    const pending = pendingMark;
    if (!pending) return;
    await pending.done;
    if (pendingMark === pending) pendingMark = undefined;
  };

  const openLease = async (): Promise<Lease> => {
    const client = await options.pool.connect();
    const opened: Lease = { client, pid: 0, lanes: new Set(), lost: false, rebalancedAt: 0 };
    client.on('error', () => (opened.lost = true));
    client.on('notification', hint);
    try {
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, pg_advisory_lock_shared($1, $2)', [LOCK_NAMESPACE, MEMBER_KEY]);
      opened.pid = rows[0]!.pid;
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      // Sent rows leave dead entries at the head of the partial index until VACUUM. A bitmap scan visits each
      // one's heap page on every poll (2 ms per poll after 20,000 sent rows); the ordered index scan skips them
      // once marked dead and stops at the batch size (0.2 ms). The planner, misled by the dead entries, picks the
      // bitmap scan: this connection is the relay's own and is destroyed with the lease, so the setting stays here.
      await client.query('SET enable_bitmapscan = off');
      return opened;
    } catch (error) {
      client.release(true);
      throw error;
    }
  };

  // Each relay aims at ceil(lanes / relays): a newcomer takes free lanes, an owner above its share gives some back.
  const rebalance = async (current: Lease): Promise<void> => {
    await settleMark(); // a lane changes hands only once what it published is recorded
    const { rows } = await current.client.query<{ key: number; pid: number }>(
      `SELECT objid::int AS key, pid FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND classid = $1::int::oid
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [LOCK_NAMESPACE],
    );
    const members = new Set(rows.filter((r) => r.key === MEMBER_KEY).map((r) => r.pid)).size || 1;
    const share = Math.ceil(OUTBOX_LANES / members);
    const taken = new Set(rows.filter((r) => r.key < OUTBOX_LANES && r.pid !== current.pid).map((r) => r.key));
    const mine = [...current.lanes].sort((a, b) => a - b);
    for (const lane of mine.slice(share)) {
      await current.client.query('SELECT pg_advisory_unlock($1, $2)', [LOCK_NAMESPACE, lane]);
      current.lanes.delete(lane);
    }
    const start = current.pid % OUTBOX_LANES;
    for (let i = 0; i < OUTBOX_LANES && current.lanes.size < share; i++) {
      const lane = (start + i) % OUTBOX_LANES;
      if (current.lanes.has(lane) || taken.has(lane)) continue;
      const { rows: got } = await current.client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [LOCK_NAMESPACE, lane]);
      if (got[0]!.ok) current.lanes.add(lane);
    }
    current.rebalancedAt = Date.now();
  };

  const publish = async (rows: readonly OutboxRow[]): Promise<void> => {
    producer ??= await options.transport.producer({ idempotent: true });
    const messages: OutgoingMessage[] = rows.map((row) => ({ topic: row.topic, key: row.key, value: row.body, headers: JSON.parse(row.headers) }));
    try {
      await producer.send(messages);
    } catch (error) {
      // A fresh producer after a failure: the old one's sequence state is unknown; duplicates are the inbox's job.
      const broken = producer;
      producer = undefined;
      await broken.close().catch(() => undefined);
      throw error;
    }
  };

  const iterate = async (): Promise<'busy' | 'idle'> => {
    lease ??= await openLease();
    const current = lease;
    if (Date.now() - current.rebalancedAt >= rebalanceIntervalMs || current.lanes.size === 0) await rebalance(current);
    if (current.lanes.size === 0) return 'idle';
    hinted = false;
    const polledAt = performance.now();
    const { rows } = await current.client.query<OutboxRow>(FETCH_BATCH, [[...current.lanes], batchSize, maxBatchBytes, pendingMark?.ids ?? []]);
    options.hooks?.afterFetch?.(rows.map(relayedRow), polledAt);
    if (rows.length === 0) {
      await settleMark();
      return 'idle';
    }
    try {
      await publish(rows);
    } catch (error) {
      await settleMark();
      metrics?.publishFailures.inc();
      await current.client
        .query('UPDATE messaging.outbox SET attempts = attempts + 1, last_error = $2 WHERE id = ANY($1::bigint[])', [rows.map((r) => r.id), String((error as Error).message).slice(0, 500)])
        .catch(() => undefined);
      throw error;
    }
    if (options.hooks?.afterPublish) {
      try {
        await options.hooks.afterPublish(rows.map(relayedRow));
      } catch (error) {
        throw new RelayCrashedError(name, error);
      }
    }
    await settleMark();
    const ids = rows.map((r) => r.id);
    pendingMark = { ids, done: markSent(ids) };
    published += rows.length;
    batches += 1;
    if (metrics) for (const row of rows) metrics.published.inc({ topic: row.topic });
    return rows.length === batchSize ? 'busy' : 'idle';
  };

  const run = async (): Promise<void> => {
    let consecutiveFailures = 0;
    for (;;) {
      if (stopping && Date.now() >= flushUntil) return;
      try {
        const outcome = await iterate();
        consecutiveFailures = 0;
        if (outcome === 'idle') {
          if (stopping) return;
          await idle(idleDelayMs);
        }
      } catch (error) {
        if (error instanceof RelayCrashedError) throw error;
        failures += 1;
        consecutiveFailures += 1;
        if (lease?.lost || isConnectionError(error)) dropLease();
        const delay = backoffDelay(consecutiveFailures, backoff);
        log('warn', 'outbox relay: batch failed, backing off', { relay: name, error: (error as Error).message, delayMs: delay });
        if (stopping) return;
        await sleep(delay, abort.signal);
      }
    }
  };

  const shutdown = async () => {
    await settleMark();
    dropLease();
    const closing = producer;
    producer = undefined;
    await closing?.close().catch(() => undefined);
  };

  return {
    name,
    start() {
      loop ??= run().then(
        async () => {
          await shutdown();
          settle.resolve();
        },
        async (error: Error) => {
          await shutdown();
          log('error', 'outbox relay crashed', { relay: name, error: error.message });
          settle.reject(error);
        },
      );
    },
    async stop({ flushTimeoutMs = 0 } = {}) {
      flushUntil = Date.now() + flushTimeoutMs;
      stopping = true;
      abort.abort();
      if (!loop) {
        settle.resolve();
        return;
      }
      await done.catch(() => undefined);
    },
    done,
    stats: () => ({ published, marked, batches, failures, lanes: lease ? [...lease.lanes].sort((a, b) => a - b) : [] }),
  };
}
