import { hash } from 'node:crypto';
import { contractRegistry } from '@tremplin/contracts';
import { canonicalJson, GENESIS_HASH } from '@tremplin/event-sourcing';
import type { PoolClient } from 'pg';
import type { StreamHead, TenantChains } from './chains';

type Queryable = Pick<PoolClient, 'query'>;

/**
 * A log of integration events a service keeps as it consumed them (reporting's `reporting.consumed_event`): one row
 * per message with `seq` (commit order of the consumer), `message_id`, `tenant_id`, `name`, `occurred_at`, `payload`.
 * Its rows carry no hash, so the audit computes one chain per aggregate from the rows themselves; the signed
 * checkpoints over those chains are what later shows a row changed or removed.
 */
export interface IntegrationLogSource {
  /** Schema-qualified table name. */
  readonly table: string;
  /** A table of the tenants present (`tenant_id`), readable without a tenant set: the log's row-level security hides all rows otherwise. */
  readonly tenants?: string;
}

const TABLE = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const byName = new Map(contractRegistry.contracts.map((contract) => [contract.name, contract]));

/**
 * The log's "stream" of a message: its topic and Kafka key (the aggregate id), e.g. `lending.loan/6c1f…`. One key's
 * messages share a partition and are consumed one after the other, so their order in the log never changes once
 * committed, however many partitions are consumed at once (a chain over the whole log could be reordered by commits).
 */
export function integrationStreamOf(name: string, payload: unknown): string {
  const contract = byName.get(name);
  if (!contract) return `unknown/${name}`;
  try {
    return `${contract.topic}/${contract.key(payload as never)}`;
  } catch {
    return `unknown/${name}`;
  }
}

/** The canonical form a log row is hashed in: what a dashboard figure is folded from, and nothing else. */
export function integrationLeaf(row: { messageId: string; tenantId: string; name: string; occurredAt: string; payload: unknown }): string {
  return canonicalJson({ messageId: row.messageId, name: row.name, occurredAt: row.occurredAt, payload: row.payload, tenantId: row.tenantId });
}

export interface LogRow {
  readonly seq: string;
  readonly messageId: string;
  readonly tenantId: string;
  readonly name: string;
  readonly occurredAt: string;
  readonly payload: unknown;
}

function checked(source: IntegrationLogSource): string {
  if (!TABLE.test(source.table)) throw new Error(`${source.table} is not a schema-qualified table name`);
  return source.table;
}

/** The tenants present in the log (the caller keeps only those it may read). */
export async function listLogTenants(db: Queryable, source: IntegrationLogSource): Promise<string[]> {
  const table = source.tenants ? checked({ table: source.tenants }) : checked(source);
  const { rows } = await db.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM ${table} ORDER BY tenant_id`);
  return rows.map((row) => row.tenant_id);
}

/** One tenant's log rows in commit order, page by page. Row-level security on the table is opened for the tenant. */
export async function* readLog(db: Queryable, source: IntegrationLogSource, tenantId: string, pageSize = 10_000): AsyncGenerator<LogRow[]> {
  await db.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
  let after = '0';
  for (;;) {
    const { rows } = await db.query<{ seq: string; message_id: string; tenant_id: string; name: string; occurred_at: string; payload: string }>(
      `SELECT seq::text AS seq, message_id::text AS message_id, tenant_id, name,
              to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS occurred_at, payload::text AS payload
         FROM ${checked(source)} WHERE tenant_id = $1 AND seq > $2::bigint ORDER BY seq LIMIT $3`,
      [tenantId, after, pageSize],
    );
    if (rows.length === 0) return;
    yield rows.map((row) => ({ seq: row.seq, messageId: row.message_id, tenantId: row.tenant_id, name: row.name, occurredAt: row.occurred_at, payload: JSON.parse(row.payload) as unknown }));
    if (rows.length < pageSize) return;
    after = rows[rows.length - 1].seq;
  }
}

/**
 * Chains of a tenant's log, one per stream (integrationStreamOf), in the shape of the event store's chains so the
 * same checkpoints and consistency checks apply: `hash_v = sha256(hash_{v-1} ‖ integrationLeaf(row))` from genesis.
 * Nothing can be "broken" here (no stored hash to disagree with): changes show against an earlier checkpoint.
 */
export async function logChains(
  db: Queryable,
  source: IntegrationLogSource,
  tenantId: string,
  options: { hashesAt?: ReadonlyMap<string, ReadonlySet<number>>; pageSize?: number; onProgress?: (events: number) => void; onRow?: (row: LogRow, streamId: string, streamVersion: number) => void } = {},
): Promise<TenantChains> {
  const heads = new Map<string, { version: number; hash: string }>();
  const hashesAt = new Map<string, Map<number, string>>();
  let events = 0;
  for await (const page of readLog(db, source, tenantId, options.pageSize)) {
    for (const row of page) {
      const streamId = integrationStreamOf(row.name, row.payload);
      const head = heads.get(streamId) ?? { version: 0, hash: GENESIS_HASH };
      const next = { version: head.version + 1, hash: hash('sha256', head.hash + integrationLeaf(row), 'hex') };
      heads.set(streamId, next);
      if (options.hashesAt?.get(streamId)?.has(next.version)) {
        let map = hashesAt.get(streamId);
        if (!map) hashesAt.set(streamId, (map = new Map()));
        map.set(next.version, next.hash);
      }
      options.onRow?.(row, streamId, next.version);
      events += 1;
    }
    options.onProgress?.(events);
  }
  const list: StreamHead[] = [...heads].map(([streamId, head]) => ({ streamId, streamVersion: head.version, hash: head.hash }));
  return { tenantId, streams: list.length, events, broken: [], heads: list, hashesAt };
}
