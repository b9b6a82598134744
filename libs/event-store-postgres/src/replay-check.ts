import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { LOG_START, streamCategory, type LogPosition } from '@tremplin/event-sourcing';
import { readAllOn } from './postgres-event-store';
import { foldLog, type Projection } from './rebuild';

export interface TableCheck {
  readonly table: string;
  readonly liveRows: number;
  readonly replayedRows: number;
  /** sha256 over the tenants' sorted row digests: equal digests, equal tables. */
  readonly live: string;
  readonly replayed: string;
  readonly equal: boolean;
  /** Tenants whose rows differ. */
  readonly tenantsDiffering: readonly string[];
}

export interface ReplayCheck {
  readonly projection: string;
  readonly events: number;
  readonly tenants: number;
  readonly tables: readonly TableCheck[];
  readonly equal: boolean;
  readonly millis: number;
}

const TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;

/**
 * Replay equals live: rebuilds the projection from the events and compares it, table by table and tenant by
 * tenant, with the live read model — without changing it. The log is folded in memory first; then one
 * REPEATABLE READ transaction locks the live subscriber's checkpoint, brings the live tables to the end of the
 * log through the projection's own live path, takes their digests, writes the rebuilt rows in their place with
 * the rebuild's path, takes the digests again, and always rolls back. Both sides run the production code on the
 * same snapshot, so a difference is a tampered or drifted row, or a projection that is not deterministic.
 */
export async function checkReplayEqualsLive(pool: Pool, projection: Projection, options: { pageSize?: number; onProgress?: (events: number) => void } = {}): Promise<ReplayCheck> {
  const started = Date.now();
  const tables = projection.tables ?? [];
  if (tables.length === 0) throw new Error(`projection ${projection.name} names no tables to compare`);
  for (const table of tables) if (!TABLE.test(table)) throw new Error(`projection ${projection.name}: ${table} is not a schema-qualified table name`);
  const pageSize = options.pageSize ?? 2_000;
  const rebuild = projection.rebuilder();
  const folded = await foldLog(pool, projection, rebuild, LOG_START, pageSize, options.onProgress);
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    const checkpoint = await tx.query<{ t: string; p: string }>(`SELECT transaction_id::text AS t, global_position::text AS p FROM es.subscriptions WHERE name = $1 FOR UPDATE`, [projection.name]);
    const rest = await foldLog(tx, projection, rebuild, folded.position, pageSize);
    const live: LogPosition = checkpoint.rows[0] ? { transactionId: BigInt(checkpoint.rows[0].t), globalPosition: BigInt(checkpoint.rows[0].p) } : LOG_START;
    await catchUpLive(tx, projection, live, pageSize);
    const patterns = projection.categories.map((category) => `${category}-%`);
    const tenants = (await tx.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM es.events WHERE stream_id LIKE ANY($1::text[]) ORDER BY tenant_id`, [patterns])).rows.map((row) => row.tenant_id);
    const before = await digests(tx, tables, tenants);
    for (const tenantId of tenants) {
      await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      await rebuild.replace(tx, tenantId);
    }
    const after = await digests(tx, tables, tenants);
    const checks = tables.map((table) => compare(table, before.get(table)!, after.get(table)!));
    return { projection: projection.name, events: folded.events + rest.events, tenants: tenants.length, tables: checks, equal: checks.every((check) => check.equal), millis: Date.now() - started };
  } finally {
    await tx.query('ROLLBACK').catch(() => undefined);
    tx.release();
  }
}

async function catchUpLive(tx: PoolClient, projection: Projection, from: LogPosition, pageSize: number): Promise<void> {
  const categories = new Set(projection.categories);
  let position = from;
  for (;;) {
    const page = await readAllOn(tx, position, pageSize);
    const mine = page.filter((event) => categories.has(streamCategory(event.streamId)));
    if (mine.length) await projection.project(mine, tx);
    if (page.length < pageSize) return;
    const last = page[page.length - 1];
    position = { transactionId: last.transactionId, globalPosition: last.globalPosition };
  }
}

type Digest = ReadonlyMap<string, { rows: number; digest: string }>;

async function digests(tx: PoolClient, tables: readonly string[], tenants: readonly string[]): Promise<Map<string, Digest>> {
  const result = new Map<string, Digest>();
  for (const table of tables) {
    const perTenant = new Map<string, { rows: number; digest: string }>();
    for (const tenantId of tenants) {
      // Row-level security is forced: each tenant's rows are read as that tenant.
      await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      const { rows } = await tx.query<{ n: number; digest: string }>(
        `SELECT count(*)::int AS n, md5(coalesce(string_agg(md5(t::text), ',' ORDER BY md5(t::text)), '')) AS digest FROM ${table} t`,
      );
      perTenant.set(tenantId, { rows: rows[0].n, digest: rows[0].digest });
    }
    await tx.query(`SELECT set_config('app.tenant_id', '', true)`);
    result.set(table, perTenant);
  }
  return result;
}

function compare(table: string, live: Digest, replayed: Digest): TableCheck {
  const sum = (digest: Digest) => createHash('sha256').update([...digest].map(([tenant, { digest: d }]) => `${tenant}:${d}`).join('\n')).digest('hex');
  const count = (digest: Digest) => [...digest.values()].reduce((total, { rows }) => total + rows, 0);
  const tenantsDiffering = [...live.keys()].filter((tenant) => live.get(tenant)!.digest !== replayed.get(tenant)?.digest);
  const liveSum = sum(live);
  const replayedSum = sum(replayed);
  return { table, liveRows: count(live), replayedRows: count(replayed), live: liveSum, replayed: replayedSum, equal: liveSum === replayedSum, tenantsDiffering };
}
