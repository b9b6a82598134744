import type { PoolClient } from 'pg';

// Reads for auditors: everything a tenant's chains hold, in chain order, as the text that the hash covers. They run on
// the caller's connection, so an auditor reads every page inside one REPEATABLE READ READ ONLY transaction (one
// snapshot for a whole verification or checkpoint).
type Queryable = Pick<PoolClient, 'query'>;

/** A stream as an auditor lists it: `<category>-<id>`, how many events, the last one's time. */
export interface StreamSummary {
  readonly streamId: string;
  readonly category: string;
  readonly events: number;
  readonly lastVersion: number;
  readonly firstRecordedAt: string;
  readonly lastRecordedAt: string;
}

/**
 * One stored event with data and metadata as the server's JSON text (not parsed by the driver), so a verifier can
 * parse and canonicalise them itself and skip the work for metadata repeated from the previous event.
 */
export type ChainRow = [
  streamId: string,
  streamVersion: number,
  eventId: string,
  type: string,
  schemaVersion: number,
  data: string,
  metadata: string,
  recordedAt: string,
  previousHash: string,
  hash: string,
];

// The same text as the store's reads and the hash: ISO UTC with milliseconds.
const isoText = (expression: string) => `to_char(${expression} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
const CHAIN_COLUMNS = `stream_id, stream_version, event_id, type, schema_version, data::text, metadata::text, ${isoText('recorded_at')}, previous_hash, hash`;

const CHAIN_PAGE = `SELECT ${CHAIN_COLUMNS} FROM es.events WHERE tenant_id = $1 AND (stream_id, stream_version) > ($2, $3)`;

export const categoryOf = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
};

/** Every tenant with at least one event: a skip scan of the primary key, so it costs one probe per tenant. */
export async function listEventTenants(db: Queryable): Promise<string[]> {
  const result = await db.query<{ tenant_id: string }>(
    `WITH RECURSIVE t(tenant_id) AS (
       (SELECT tenant_id FROM es.events ORDER BY tenant_id LIMIT 1)
       UNION ALL
       SELECT (SELECT e.tenant_id FROM es.events e WHERE e.tenant_id > t.tenant_id ORDER BY e.tenant_id LIMIT 1) FROM t WHERE t.tenant_id IS NOT NULL
     ) SELECT tenant_id FROM t WHERE tenant_id IS NOT NULL`,
  );
  return result.rows.map((row) => row.tenant_id);
}

export async function listStreamSummaries(db: Queryable, tenantId: string, options: { category?: string } = {}): Promise<StreamSummary[]> {
  const result = await db.query<[string, number, number, string, string]>({
    text: `SELECT stream_id, count(*)::int, max(stream_version), ${isoText('min(recorded_at)')}, ${isoText('max(recorded_at)')}
      FROM es.events WHERE tenant_id = $1 AND ($2::text IS NULL OR stream_id LIKE $2 || '-%')
      GROUP BY stream_id ORDER BY stream_id`,
    values: [tenantId, options.category ?? null],
    rowMode: 'array',
  });
  return result.rows.map(([streamId, events, lastVersion, firstRecordedAt, lastRecordedAt]) => ({
    streamId,
    category: categoryOf(streamId),
    events,
    lastVersion,
    firstRecordedAt,
    lastRecordedAt,
  }));
}

/**
 * The tenant's events in chain order (stream id, then version), after the given key and, if `untilStreamId` is given,
 * before that stream (so several readers can share a tenant by ranges of streams); a keyset page of the primary key.
 */
export async function readChainPage(
  db: Queryable,
  tenantId: string,
  after: { streamId: string; streamVersion: number } | undefined,
  limit: number,
  untilStreamId?: string,
): Promise<ChainRow[]> {
  const values = [tenantId, after?.streamId ?? '', after?.streamVersion ?? 0, limit];
  // Two statements, not one with an optional bound: `stream_id < $5` must be an index bound that ends the scan, not a
  // filter applied to the rest of the tenant's rows.
  const result = await db.query<ChainRow>(
    untilStreamId === undefined
      ? { name: 'es.audit_chain_page', text: `${CHAIN_PAGE} ORDER BY stream_id, stream_version LIMIT $4`, values, rowMode: 'array' }
      : { name: 'es.audit_chain_page_until', text: `${CHAIN_PAGE} AND stream_id < $5 ORDER BY stream_id, stream_version LIMIT $4`, values: [...values, untilStreamId], rowMode: 'array' },
  );
  return result.rows;
}

/** Events per stream of a tenant in chain order: one pass over the primary key, to split a verification in even parts. */
export async function countStreamEvents(db: Queryable, tenantId: string): Promise<Array<[streamId: string, events: number]>> {
  const result = await db.query<[string, number]>({
    text: 'SELECT stream_id, count(*)::int FROM es.events WHERE tenant_id = $1 GROUP BY stream_id ORDER BY stream_id',
    values: [tenantId],
    rowMode: 'array',
  });
  return result.rows;
}

/** One stream's events in chain order, optionally only those recorded by `knownAt`. */
export async function readStreamChain(db: Queryable, tenantId: string, streamId: string, options: { knownAt?: string } = {}): Promise<ChainRow[]> {
  const result = await db.query<ChainRow>({
    text: `SELECT ${CHAIN_COLUMNS} FROM es.events
      WHERE tenant_id = $1 AND stream_id = $2 AND ($3::timestamptz IS NULL OR recorded_at <= $3::timestamptz)
      ORDER BY stream_version`,
    values: [tenantId, streamId, options.knownAt ?? null],
    rowMode: 'array',
  });
  return result.rows;
}
