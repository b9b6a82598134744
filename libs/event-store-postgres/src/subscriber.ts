import type { Pool, PoolClient } from 'pg';
import { compareLogPositions, LOG_START, logPositionOf, type LogPosition, type RecordedEvent } from '@tremplin/event-sourcing';
import { readAllOn } from './postgres-event-store';

export interface SubscriberOptions {
  /** Stable name: the checkpoint and the ownership lock are keyed by it. */
  readonly name: string;
  /** Runs in the transaction that moves the checkpoint: the subscriber's writes and its progress commit together. */
  readonly handle: (events: ReadonlyArray<RecordedEvent>, tx: PoolClient) => Promise<void>;
  readonly tenantId?: string;
  readonly batchSize?: number;
  readonly pollIntervalMs?: number;
  /** Where a subscriber without a checkpoint starts; default the beginning of the log. */
  readonly from?: LogPosition;
  readonly onError?: (error: unknown) => void;
}

export interface Subscriber {
  readonly name: string;
  position(): LogPosition | undefined;
  isOwner(): boolean;
  /** Resolves once every event committed before the call has been handled (and the subscriber is idle). */
  caughtUp(): Promise<void>;
  stop(): Promise<void>;
}

export class CheckpointMovedError extends Error {
  readonly code = 'CHECKPOINT_MOVED';
  constructor(name: string) {
    super(`the checkpoint of subscriber ${name} was moved by another owner`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * Starts a named subscriber on the global log. One owner per name: a session-level advisory lock on a
 * dedicated connection (another instance waits as a standby); the checkpoint update is also a
 * compare-and-swap, so even a lost lock can never make two owners apply the same batch.
 */
export function startSubscriber(pool: Pool, options: SubscriberOptions): Subscriber {
  const batchSize = options.batchSize ?? 1000;
  const pollIntervalMs = options.pollIntervalMs ?? 100;
  const onError = options.onError ?? (() => undefined);
  let stopped = false;
  let owner = false;
  let position: LogPosition | undefined;
  let client: PoolClient | undefined;
  let wake: (() => void) | undefined;
  let idleWaiters: Array<() => void> = [];
  let prefetched: { from: LogPosition; events: Promise<RecordedEvent[]> } | undefined;

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const acquire = async (db: PoolClient): Promise<boolean> => {
    const lock = await db.query<{ ok: boolean }>(`SELECT pg_try_advisory_lock(hashtext('es.subscription'), hashtext($1)) AS ok`, [options.name]);
    if (!lock.rows[0].ok) return false;
    const from = options.from ?? LOG_START;
    await db.query(`INSERT INTO es.subscriptions (name, transaction_id, global_position) VALUES ($1, $2::xid8, $3) ON CONFLICT (name) DO NOTHING`, [
      options.name,
      from.transactionId.toString(),
      from.globalPosition.toString(),
    ]);
    const row = await db.query<{ t: string; p: string }>(`SELECT transaction_id::text AS t, global_position::text AS p FROM es.subscriptions WHERE name = $1`, [options.name]);
    position = { transactionId: BigInt(row.rows[0].t), globalPosition: BigInt(row.rows[0].p) };
    return true;
  };

  const deliver = async (db: PoolClient, from: LogPosition, events: RecordedEvent[]) => {
    const to = logPositionOf(events[events.length - 1]);
    await db.query('BEGIN');
    try {
      const moved = await db.query(
        `UPDATE es.subscriptions SET transaction_id = $2::xid8, global_position = $3, updated_at = now()
          WHERE name = $1 AND transaction_id = $4::xid8 AND global_position = $5`,
        [options.name, to.transactionId.toString(), to.globalPosition.toString(), from.transactionId.toString(), from.globalPosition.toString()],
      );
      if (moved.rowCount !== 1) throw new CheckpointMovedError(options.name);
      await options.handle(events, db);
      await db.query('COMMIT');
    } catch (error) {
      await db.query('ROLLBACK').catch(() => undefined);
      throw error;
    }
    position = to;
  };

  const loop = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        client ??= await holdConnection();
        if (!owner) {
          owner = await acquire(client);
          if (!owner) {
            await sleep(pollIntervalMs * 5);
            continue;
          }
        }
        const from = position!;
        const events = prefetched && compareLogPositions(prefetched.from, from) === 0 ? await prefetched.events : await readAllOn(client, from, batchSize, options.tenantId);
        prefetched = undefined;
        if (events.length === 0) {
          const waiters = idleWaiters;
          idleWaiters = [];
          for (const resolve of waiters) resolve();
          await sleep(pollIntervalMs);
          continue;
        }
        if (events.length === batchSize) {
          // A full batch means more is waiting: read the next page on another connection while this one commits.
          const after = logPositionOf(events[events.length - 1]);
          const next = readAllOn(pool, after, batchSize, options.tenantId);
          next.catch(() => undefined);
          prefetched = { from: after, events: next };
        }
        await deliver(client, from, events);
        failures = 0;
      } catch (error) {
        prefetched = undefined;
        onError(error);
        failures += 1;
        if (error instanceof CheckpointMovedError || isConnectionError(error)) await dropConnection();
        await sleep(Math.min(pollIntervalMs * 2 ** failures, 5_000));
      }
    }
  };

  // The subscriber keeps its connection checked out (it holds the owner's advisory lock). The pool listens for
  // errors only on idle clients, so a server restart or shutdown would otherwise surface as an unhandled 'error'
  // event and crash the process; the next query fails instead and the loop drops and replaces the connection.
  const holdConnection = async () => {
    const held = await pool.connect();
    held.on('error', (error) => onError(error));
    return held;
  };

  const dropConnection = async () => {
    const dead = client;
    client = undefined;
    owner = false;
    // Destroying the session releases its advisory lock.
    dead?.release(true);
  };

  const running = loop();

  return {
    name: options.name,
    position: () => position,
    isOwner: () => owner,
    // Caught up with everything committed before the call — not merely "nothing readable now": an older
    // transaction still open elsewhere on the server hides later commits for a moment (the horizon).
    caughtUp: async () => {
      const head = await headOf(pool, options.tenantId);
      do await new Promise<void>((resolve) => idleWaiters.push(resolve));
      while (!stopped && head && (!position || compareLogPositions(position, head) < 0));
    },
    async stop() {
      stopped = true;
      wake?.();
      await running;
      if (client) {
        if (owner) await client.query(`SELECT pg_advisory_unlock(hashtext('es.subscription'), hashtext($1))`, [options.name]).catch(() => undefined);
        client.release();
        client = undefined;
        owner = false;
      }
      for (const resolve of idleWaiters) resolve();
      idleWaiters = [];
    },
  };
}

async function headOf(pool: Pool, tenantId?: string): Promise<LogPosition | undefined> {
  const { rows } = await pool.query<{ transaction_id: string; global_position: string }>(
    `SELECT transaction_id::text, global_position::text FROM es.events ${tenantId === undefined ? '' : 'WHERE tenant_id = $1'}
     ORDER BY transaction_id DESC, global_position DESC LIMIT 1`,
    tenantId === undefined ? [] : [tenantId],
  );
  return rows[0] ? { transactionId: BigInt(rows[0].transaction_id), globalPosition: BigInt(rows[0].global_position) } : undefined;
}

function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return code === undefined || code.startsWith('08') || code === '57P01';
}
