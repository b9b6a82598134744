import { hash } from 'node:crypto';
import { canonicalJson, GENESIS_HASH } from '@tremplin/event-sourcing';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { countStreamEvents, readChainPage, type ChainRow } from '@tremplin/event-store-postgres';
import type { PoolClient } from 'pg';

type Queryable = Pick<PoolClient, 'query'>;

/** A stream's last event: its id, version and (recomputed, so verified) hash. */
export interface StreamHead {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly hash: string;
}

export interface BrokenStream {
  readonly streamId: string;
  readonly streamVersion: number;
  readonly eventId: string;
  readonly reason: string;
}

export interface TenantChains {
  readonly tenantId: string;
  readonly streams: number;
  readonly events: number;
  /** The first broken link of each bad stream. */
  readonly broken: BrokenStream[];
  /** Heads of the streams whose whole chain verified, in chain order. */
  readonly heads: StreamHead[];
  /** Recomputed hashes at the versions asked for in `hashesAt` (checkpoint consistency). */
  readonly hashesAt: Map<string, Map<number, string>>;
}

export interface CheckChainsOptions {
  readonly pageSize?: number;
  /** Called after each page with the number of events read so far. */
  readonly onProgress?: (events: number) => void;
  /** Versions whose recomputed hash the caller wants back, per stream. */
  readonly hashesAt?: ReadonlyMap<string, ReadonlySet<number>>;
  /** Only the streams from `from` (inclusive) until `until` (exclusive), in the database's order of stream ids. */
  readonly range?: { readonly from?: string; readonly until?: string };
}

/**
 * Checks rows in chain order (stream id, then version), recomputing every hash from the stored content exactly as the
 * store's `verify`/`verifyAll` do (canonical(event) of libs/event-sourcing). Faster than going through RecordedEvent:
 * rows come as text (one JSON.parse, no driver objects) and metadata repeated from the previous event (the events of
 * one command share it) is canonicalised once.
 */
export function chainChecker(tenantId: string, hashesAt?: ReadonlyMap<string, ReadonlySet<number>>) {
  const tenantJson = JSON.stringify(tenantId);
  const broken: BrokenStream[] = [];
  const heads: StreamHead[] = [];
  const hashes = new Map<string, Map<number, string>>();
  let streams = 0;
  let events = 0;

  let streamId = '';
  let streamJson = '';
  let wanted: ReadonlySet<number> | undefined;
  let previousHash = GENESIS_HASH;
  let expectedVersion = 1;
  let bad = false;
  let metadataText = '';
  let metadataCanonical = '';
  let typeText: string | undefined;
  let typeJson = '';

  const closeStream = () => {
    if (streams > 0 && !bad) heads.push({ streamId, streamVersion: expectedVersion - 1, hash: previousHash });
  };

  const check = (row: ChainRow): void => {
    const [rowStream, version, eventId, type, schemaVersion, data, metadata, recordedAt, storedPrevious, storedHash] = row;
    if (rowStream !== streamId || streams === 0) {
      closeStream();
      streamId = rowStream;
      streamJson = JSON.stringify(rowStream);
      wanted = hashesAt?.get(rowStream);
      previousHash = GENESIS_HASH;
      expectedVersion = 1;
      bad = false;
      streams += 1;
    }
    events += 1;
    if (bad) return;
    const fail = (reason: string) => {
      bad = true;
      broken.push({ streamId, streamVersion: version, eventId, reason });
    };
    if (version !== expectedVersion) return fail(`expected stream version ${expectedVersion}, found ${version}`);
    if (storedPrevious !== previousHash) return fail('previous hash does not match the hash of the event before');
    if (metadata !== metadataText) {
      metadataText = metadata;
      metadataCanonical = canonicalJson(JSON.parse(metadata));
    }
    if (type !== typeText) {
      typeText = type;
      typeJson = JSON.stringify(type);
    }
    const canonical = `{"data":${canonicalJson(JSON.parse(data))},"eventId":${JSON.stringify(eventId)},"metadata":${metadataCanonical},"recordedAt":"${recordedAt}","schemaVersion":${schemaVersion},"streamId":${streamJson},"streamVersion":${version},"tenantId":${tenantJson},"type":${typeJson}}`;
    // chainHash of libs/event-sourcing (sha256 of the UTF-8 of previous ‖ canonical) in one call, about twice as fast
    // per event as a Hash object; chains.spec.ts holds the two to the same results.
    const recomputed = hash('sha256', previousHash + canonical, 'hex');
    if (recomputed !== storedHash) return fail('hash does not match the event content');
    if (wanted?.has(version)) {
      let map = hashes.get(streamId);
      if (!map) hashes.set(streamId, (map = new Map()));
      map.set(version, recomputed);
    }
    previousHash = recomputed;
    expectedVersion += 1;
  };

  return {
    check,
    get events() {
      return events;
    },
    finish(): TenantChains {
      closeStream();
      return { tenantId, streams, events, broken, heads, hashesAt: hashes };
    },
  };
}

/** Every chain of a tenant (or of a range of its streams) in one pass over the primary key; the next page is already requested while this one is hashed. */
export async function checkTenantChains(db: Queryable, tenantId: string, options: CheckChainsOptions = {}): Promise<TenantChains> {
  const pageSize = options.pageSize ?? 10_000;
  const until = options.range?.until;
  const checker = chainChecker(tenantId, options.hashesAt);
  const start = options.range?.from === undefined ? undefined : { streamId: options.range.from, streamVersion: 0 };
  let pending: Promise<ChainRow[]> | undefined = readChainPage(db, tenantId, start, pageSize, until);
  while (pending) {
    const page: ChainRow[] = await pending;
    const last = page[page.length - 1];
    pending = page.length === pageSize ? readChainPage(db, tenantId, { streamId: last[0], streamVersion: last[1] }, pageSize, until) : undefined;
    for (const row of page) checker.check(row);
    options.onProgress?.(checker.events);
  }
  return checker.finish();
}

export interface ParallelCheckOptions extends Omit<CheckChainsOptions, 'range'> {
  /** Worker threads; 1 checks in this thread. */
  readonly workers: number;
  /** Below this many events a tenant is checked in this thread: starting workers costs more than it saves. */
  readonly parallelFrom?: number;
  /** The number of events to check, known before the check starts (for a progress display). */
  readonly onTotal?: (events: number) => void;
}

/**
 * The same check split over worker threads by ranges of streams of about equal size: on a multi-core machine the
 * parsing and hashing, not PostgreSQL, bound a single thread. `db` must be inside a REPEATABLE READ transaction: its
 * snapshot is exported to every worker's connection, so all parts see exactly the same committed state.
 */
export async function checkTenantChainsInParallel(db: Queryable, connectionString: string, tenantId: string, options: ParallelCheckOptions): Promise<TenantChains> {
  const counts = await countStreamEvents(db, tenantId);
  const total = counts.reduce((sum, [, n]) => sum + n, 0);
  options.onTotal?.(total);
  const workers = Math.min(options.workers, counts.length);
  if (workers <= 1 || total < (options.parallelFrom ?? 100_000)) return checkTenantChains(db, tenantId, options);

  const ranges: Array<{ from?: string; until?: string }> = [];
  let seen = 0;
  let from: string | undefined;
  for (const [streamId, n] of counts) {
    if (seen >= (total * (ranges.length + 1)) / workers && ranges.length < workers - 1) {
      ranges.push({ from, until: streamId });
      from = streamId;
    }
    seen += n;
  }
  ranges.push({ from });

  const snapshot = (await db.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0].id;
  const progress = ranges.map(() => 0);
  const parts = await Promise.all(
    ranges.map(
      (range, i) =>
        new Promise<TenantChains>((resolve, reject) => {
          const request: WorkerRequest = { connectionString, snapshot, tenantId, range, pageSize: options.pageSize, hashesAt: options.hashesAt };
          // The worker is TypeScript like the rest: it loads through the same register hook as `npm run audit`.
          const worker = new Worker(join(__dirname, 'chain-worker.ts'), { workerData: request, execArgv: ['-r', '@swc-node/register'] });
          worker.on('message', (message: WorkerMessage) => {
            if ('events' in message) {
              progress[i] = message.events;
              options.onProgress?.(progress.reduce((a, b) => a + b, 0));
            } else if ('result' in message) resolve(message.result);
            else reject(new Error(message.error));
          });
          worker.on('error', reject);
          worker.on('exit', (code) => (code === 0 ? undefined : reject(new Error(`chain worker exited with code ${code}`))));
        }),
    ),
  );
  const hashesAt = new Map<string, Map<number, string>>();
  for (const part of parts) for (const [streamId, versions] of part.hashesAt) hashesAt.set(streamId, versions);
  return {
    tenantId,
    streams: parts.reduce((sum, p) => sum + p.streams, 0),
    events: parts.reduce((sum, p) => sum + p.events, 0),
    broken: parts.flatMap((p) => p.broken),
    heads: parts.flatMap((p) => p.heads),
    hashesAt,
  };
}

export interface WorkerRequest {
  readonly connectionString: string;
  readonly snapshot: string;
  readonly tenantId: string;
  readonly range: { from?: string; until?: string };
  readonly pageSize?: number;
  readonly hashesAt?: ReadonlyMap<string, ReadonlySet<number>>;
}

export type WorkerMessage = { events: number } | { result: TenantChains } | { error: string };
