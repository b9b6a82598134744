import { canonicalJson, chainHash, GENESIS_HASH } from '@tremplin/event-sourcing';
import { readChainPage, type ChainRow } from '@tremplin/event-store-postgres';
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
    const canonical = `{"data":${canonicalJson(JSON.parse(data))},"eventId":${JSON.stringify(eventId)},"metadata":${metadataCanonical},"recordedAt":"${recordedAt}","schemaVersion":${schemaVersion},"streamId":${streamJson},"streamVersion":${version},"tenantId":${tenantJson},"type":${JSON.stringify(type)}}`;
    const recomputed = chainHash(previousHash, canonical);
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

/** Every chain of a tenant in one pass over the primary key; the next page is already requested while this one is hashed. */
export async function checkTenantChains(db: Queryable, tenantId: string, options: CheckChainsOptions = {}): Promise<TenantChains> {
  const pageSize = options.pageSize ?? 10_000;
  const checker = chainChecker(tenantId, options.hashesAt);
  let pending: Promise<ChainRow[]> | undefined = readChainPage(db, tenantId, undefined, pageSize);
  while (pending) {
    const page: ChainRow[] = await pending;
    const last = page[page.length - 1];
    pending = page.length === pageSize ? readChainPage(db, tenantId, { streamId: last[0], streamVersion: last[1] }, pageSize) : undefined;
    for (const row of page) checker.check(row);
    options.onProgress?.(checker.events);
  }
  return checker.finish();
}
