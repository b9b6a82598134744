import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';
import type { MigrationSource } from '@tremplin/pg';
import {
  canonicalJson,
  chainVerifier,
  VersionConflictError,
  type AppendResult,
  type BrokenLink,
  type ChainVerification,
  type EventStore,
  type ExpectedVersion,
  type LogPosition,
  type NewEvent,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamRef,
  type VerifyAllResult,
} from '@tremplin/event-sourcing';
import { EVENT_COLUMNS, toRecordedEvent, type EventRow } from './rows';

export const eventStoreMigrations: MigrationSource = { name: 'event-store', directory: join(__dirname, '..', 'migrations') };

export class InvalidExpectedVersionError extends Error {
  readonly code = 'INVALID_EXPECTED_VERSION';
  constructor(readonly expected: unknown) {
    super(`expected version must be a positive integer, 'no-stream', 'stream-exists' or 'any', got ${String(expected)}`);
    this.name = 'InvalidExpectedVersionError';
  }
}

export interface PostgresEventStoreOptions {
  /** Rows per page when verifying chains. */
  readonly verifyPageSize?: number;
}

type Queryable = Pick<PoolClient, 'query'>;
type AppendRow = [string, number, string | null, string | null, string | null, number | null, string | null, string | null, number | null, unknown, unknown, string | null, string | null, string | null];

const READ_ALL = `SELECT ${EVENT_COLUMNS} FROM es.events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
  ORDER BY transaction_id, global_position LIMIT $3`;
const READ_ALL_TENANT = `SELECT ${EVENT_COLUMNS} FROM es.events
  WHERE (transaction_id, global_position) > ($1::xid8, $2::bigint)
    AND transaction_id < pg_snapshot_xmin(pg_current_snapshot())
    AND tenant_id = $4
  ORDER BY transaction_id, global_position LIMIT $3`;

// Named statements are prepared once per connection; array rows skip building an object per row.
async function queryArrays<Row extends unknown[]>(db: Queryable, text: string, values: unknown[], name?: string): Promise<Row[]> {
  const result = await db.query<Row>({ text, values, rowMode: 'array', ...(name ? { name } : {}) });
  return result.rows;
}

/** A stream's reads, appends and lock, all on one transaction's connection. */
export interface TransactionalStreamStore extends Pick<EventStore, 'append' | 'readStream'> {
  /** Waits for the stream's append lock until the transaction ends: concurrent commands on it queue, not conflict. */
  lock(stream: StreamRef): Promise<void>;
}

export async function readStreamOn(db: Queryable, stream: StreamRef, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
  const asOf = options.asOf === undefined ? null : new Date(options.asOf).toISOString();
  const rows = await queryArrays<EventRow>(
    db,
    `SELECT ${EVENT_COLUMNS} FROM es.events
      WHERE tenant_id = $1 AND stream_id = $2 AND stream_version BETWEEN $3 AND $4
        AND ($5::timestamptz IS NULL OR recorded_at <= $5::timestamptz)
      ORDER BY stream_version`,
    [stream.tenantId, stream.streamId, options.fromVersion ?? 1, options.toVersion ?? 2_147_483_647, asOf],
    'es.read_stream',
  );
  return rows.map(toRecordedEvent);
}

// The same lock es.append takes (migrations/0002): taken first, it makes the read-decide-append of a command
// atomic for its stream; es.append then takes it again re-entrantly.
async function lockStream(tx: Queryable, stream: StreamRef): Promise<void> {
  await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended($1::text || E'\\x1f' || $2::text, 7))`, [stream.tenantId, stream.streamId]);
}

/** Reads the global log on any connection: only what no still-running transaction could precede. */
export async function readAllOn(db: Queryable, after: LogPosition, limit: number, tenantId?: string): Promise<RecordedEvent[]> {
  const values: unknown[] = [after.transactionId.toString(), after.globalPosition.toString(), limit];
  if (tenantId !== undefined) values.push(tenantId);
  const rows = await queryArrays<EventRow>(db, tenantId === undefined ? READ_ALL : READ_ALL_TENANT, values, tenantId === undefined ? 'es.read_all' : 'es.read_all_tenant');
  return rows.map(toRecordedEvent);
}

export class PostgresEventStore implements EventStore {
  private readonly verifyPageSize: number;

  constructor(
    private readonly pool: Pool,
    options: PostgresEventStoreOptions = {},
  ) {
    this.verifyPageSize = options.verifyPageSize ?? 5000;
  }

  /** With options.tx the append joins the caller's open transaction (transactional outbox); else it is one statement. */
  async append(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion, options: { tx?: PoolClient } = {}): Promise<AppendResult> {
    if (!(expected === 'any' || expected === 'no-stream' || expected === 'stream-exists' || (Number.isInteger(expected) && expected > 0))) {
      throw new InvalidExpectedVersionError(expected);
    }
    if (events.length === 0) return this.appendNothing(stream, expected, options.tx ?? this.pool);
    const parameters = appendParameters(stream, expected, events);
    let rows: AppendRow[];
    try {
      rows = await this.callAppend(options.tx ?? this.pool, parameters);
    } catch (error) {
      // The same event id committed concurrently into another stream of the tenant: decided by the unique key.
      if ((error as { code?: string }).code !== '23505') throw error;
      if (options.tx) throw new VersionConflictError(stream.streamId, expected, await this.currentVersion(stream), 'event id stored concurrently');
      rows = await this.callAppend(this.pool, parameters);
    }
    return this.interpret(stream, events, expected, rows);
  }

  async readStream(stream: StreamRef, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return readStreamOn(this.pool, stream, options);
  }

  /**
   * The store as seen from inside the caller's transaction: reads see its own uncommitted appends (a second
   * command on the same stream in one inbox chunk decides on fresh state), and no second connection is taken
   * from the pool while the transaction holds one (ten such waits on a pool of ten would never end).
   */
  inTransaction(tx: PoolClient): TransactionalStreamStore {
    return {
      readStream: (stream, options = {}) => readStreamOn(tx, stream, options),
      append: (stream, events, expected) => this.append(stream, events, expected, { tx }),
      lock: (stream) => lockStream(tx, stream),
    };
  }

  async readAll(after: LogPosition, limit: number, options: { tenantId?: string } = {}): Promise<RecordedEvent[]> {
    return readAllOn(this.pool, after, limit, options.tenantId);
  }

  async verify(stream: StreamRef): Promise<ChainVerification> {
    const verifier = chainVerifier();
    for (let from = 1; ; ) {
      const page = await this.readStream(stream, { fromVersion: from, toVersion: from + this.verifyPageSize - 1 });
      for (const event of page) {
        const broken = verifier.check(event);
        if (broken) return { ok: false, checked: verifier.checked, brokenAt: broken };
      }
      if (page.length < this.verifyPageSize) return { ok: true, checked: verifier.checked };
      from += this.verifyPageSize;
    }
  }

  async verifyAll(tenantId: string): Promise<VerifyAllResult> {
    const broken: Array<{ streamId: string } & BrokenLink> = [];
    let streams = 0;
    let events = 0;
    let current: { streamId: string; verifier: ReturnType<typeof chainVerifier>; broken: boolean } | undefined;
    let after: [string, number] = ['', 0];
    for (;;) {
      const rows = await queryArrays<EventRow>(
        this.pool,
        `SELECT ${EVENT_COLUMNS} FROM es.events WHERE tenant_id = $1 AND (stream_id, stream_version) > ($2, $3)
          ORDER BY stream_id, stream_version LIMIT $4`,
        [tenantId, after[0], after[1], this.verifyPageSize],
      );
      const page = rows.map(toRecordedEvent);
      for (const event of page) {
        if (current?.streamId !== event.streamId) {
          current = { streamId: event.streamId, verifier: chainVerifier(), broken: false };
          streams += 1;
        }
        events += 1;
        if (current.broken) continue;
        const link = current.verifier.check(event);
        if (link) {
          current.broken = true;
          broken.push({ streamId: event.streamId, ...link });
        }
      }
      if (page.length < this.verifyPageSize) break;
      const last = page[page.length - 1];
      after = [last.streamId, last.streamVersion];
    }
    return { ok: broken.length === 0, streams, events, broken };
  }

  private async callAppend(db: Queryable, parameters: unknown[]): Promise<AppendRow[]> {
    return queryArrays<AppendRow>(db, 'SELECT * FROM es.append($1, $2, $3, $4, $5, $6, $7, $8)', parameters, 'es.append');
  }

  private interpret(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion, rows: AppendRow[]): AppendResult {
    const status = rows[0]?.[0];
    const actual = rows[0]?.[1] ?? 0;
    if (status === 'conflict') throw new VersionConflictError(stream.streamId, expected, actual);
    // A fresh append returns only what the store decided; the rest is the caller's own events, found by version.
    const firstVersion = actual - events.length + 1;
    const recorded = rows
      .map((row): RecordedEvent => {
        const input = status === 'ok' ? events[row[5]! - firstVersion] : undefined;
        return {
          globalPosition: BigInt(row[2]!),
          transactionId: BigInt(row[3]!),
          tenantId: stream.tenantId,
          streamId: input ? stream.streamId : row[4]!,
          streamVersion: row[5]!,
          eventId: input ? input.eventId : row[6]!,
          type: input ? input.type : row[7]!,
          schemaVersion: input ? input.schemaVersion : row[8]!,
          data: input ? input.data : row[9],
          metadata: (input ? input.metadata : row[10]) as RecordedEvent['metadata'],
          recordedAt: row[11]!,
          previousHash: row[12]!,
          hash: row[13]!,
        };
      })
      .sort((a, b) => a.streamVersion - b.streamVersion);
    if (status === 'existing' && !isSameAppend(stream, events, expected, recorded)) {
      throw new VersionConflictError(stream.streamId, expected, actual, 'event id already stored at another position');
    }
    return { streamVersion: recorded[recorded.length - 1].streamVersion, events: recorded };
  }

  private async appendNothing(stream: StreamRef, expected: ExpectedVersion, db: Queryable): Promise<AppendResult> {
    const actual = await this.currentVersion(stream, db);
    const ok = expected === 'any' || (expected === 'no-stream' ? actual === 0 : expected === 'stream-exists' ? actual > 0 : actual === expected);
    if (!ok) throw new VersionConflictError(stream.streamId, expected, actual);
    return { streamVersion: actual, events: [] };
  }

  private async currentVersion(stream: StreamRef, db: Queryable = this.pool): Promise<number> {
    const result = await db.query<{ v: number }>(
      'SELECT coalesce(max(stream_version), 0)::int AS v FROM es.events WHERE tenant_id = $1 AND stream_id = $2',
      [stream.tenantId, stream.streamId],
    );
    return result.rows[0].v;
  }
}

// Parameters of es.append (migrations/0002): each event's data and metadata travel once, as the canonical JSON the
// hash covers; the server derives the jsonb columns from it. JSON text never holds a raw U+001F, so it can join items.
function appendParameters(stream: StreamRef, expected: ExpectedVersion, events: NewEvent[]): unknown[] {
  const n = events.length;
  const ids = new Array<string>(n);
  const types = new Array<string>(n);
  const versions = new Array<number>(n);
  const data = new Array<string>(n);
  const metadata = new Array<string>(n);
  let sharedMetadata = true;
  for (let i = 0; i < n; i += 1) {
    const event = events[i];
    ids[i] = event.eventId;
    types[i] = event.type;
    versions[i] = event.schemaVersion;
    data[i] = canonicalJson(event.data);
    // The events of one command usually share one metadata object: canonicalised once.
    metadata[i] = i > 0 && event.metadata === events[i - 1].metadata ? metadata[i - 1] : canonicalJson(event.metadata);
    if (metadata[i] !== metadata[0]) sharedMetadata = false;
  }
  return [stream.tenantId, stream.streamId, String(expected), ids, types, versions, data.join('\x1f'), sharedMetadata ? metadata[0] : metadata.join('\x1f')];
}

function isSameAppend(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion, stored: RecordedEvent[]): boolean {
  if (stored.length !== events.length) return false;
  const first = stored[0].streamVersion;
  if (typeof expected === 'number' && first !== expected + 1) return false;
  if (expected === 'no-stream' && first !== 1) return false;
  return stored.every((e, i) => e.streamId === stream.streamId && e.eventId === events[i].eventId && e.streamVersion === first + i);
}
