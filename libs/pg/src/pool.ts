import { Pool, type PoolClient, type PoolConfig } from 'pg';
import { currentContext } from '@tremplin/tenancy';

export type { Pool, PoolClient } from 'pg';

export function createPool(connectionString: string, options: Partial<PoolConfig> = {}): Pool {
  const pool = new Pool({ connectionString, max: 10, idleTimeoutMillis: 30_000, ...options });
  // An idle client's socket error must not crash the process; the pool drops that client.
  pool.on('error', () => undefined);
  return pool;
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
  const client = await pool.connect();
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
