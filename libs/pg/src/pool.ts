import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { currentContext } from '@tremplin/tenancy';

export type { Pool, PoolClient } from 'pg';

/** How long a caller waits for a pooled connection before it is told the database is busy (never forever). */
export const DEFAULT_CONNECTION_WAIT_MS = 5_000;

export function createPool(connectionString: string, options: Partial<PoolConfig> = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, idleTimeoutMillis: 30_000, connectionTimeoutMillis: DEFAULT_CONNECTION_WAIT_MS, ...options });
  // An idle client's socket error must not crash the process; the pool drops that client.
  pool.on('error', () => undefined);
  return pool;
}

/** Every pooled connection stayed busy past the wait: the caller should answer 503 and let the client retry. */
export class PoolBusyError extends Error {
  readonly code = 'DATABASE_BUSY';
  constructor(cause: Error) {
    super(`no database connection became free in time (${cause.message})`);
    this.name = 'PoolBusyError';
  }
}

/** pg-pool rejects a wait that outlives connectionTimeoutMillis with this message (it has no error code). */
export function isPoolWaitTimeout(error: unknown): boolean {
  return error instanceof Error && /timeout exceeded when trying to connect/i.test(error.message);
}

/** pool.connect(), with a saturated pool reported as PoolBusyError instead of pg-pool's bare message. */
export async function connect(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw isPoolWaitTimeout(error) ? new PoolBusyError(error as Error) : error;
  }
}

/**
 * Tells whether a pool has stopped handing out connections: callers have been waiting and none was checked out
 * for `stalledAfterMs`. A service in that state cannot recover by itself, so its liveness must fail.
 */
export function watchPool(pool: Pool, stalledAfterMs = 30_000, now: () => number = Date.now): { stalledForMs(): number } {
  let lastProgress = now();
  pool.on('acquire', () => (lastProgress = now()));
  pool.on('release', () => (lastProgress = now()));
  return {
    stalledForMs() {
      if (pool.waitingCount === 0) {
        lastProgress = now();
        return 0;
      }
      const stalled = now() - lastProgress;
      return stalled >= stalledAfterMs ? stalled : 0;
    },
  };
}

export interface TransactionOptions {
  /** Overrides the tenant of the current context (e.g. a platform job acting for one tenant). */
  tenantId?: string;
  isolation?: 'read committed' | 'repeatable read' | 'serializable';
}

/**
 * Runs fn in one transaction whose `app.tenant_id` is set transaction-locally (never a session SET, which
 * would leak to the next user of a pooled connection). Row-level security policies read that setting.
 */
export async function withTransaction<T>(
  pool: Pool,
  fn: (client: PoolClient) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const client = await connect(pool);
  // While checked out a client has no error listener from the pool: a connection the server ends between two
  // statements (restart, shutdown, idle timeout) would be an unhandled 'error' event and crash the process.
  let lost: Error | undefined;
  const onError = (error: Error) => (lost = error);
  client.on('error', onError);
  try {
    await client.query(options.isolation ? `BEGIN ISOLATION LEVEL ${options.isolation.toUpperCase()}` : 'BEGIN');
    const tenantId = options.tenantId ?? currentContext()?.tenantId ?? '';
    await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    const result = await fn(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.off('error', onError);
    // A broken connection is destroyed, not returned to the pool for the next caller.
    client.release(lost ?? false);
  }
}
