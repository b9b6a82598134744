import { canonicalEvent, chainHash, chainVerifier, GENESIS_HASH, type ChainVerification } from './hash-chain';
import {
  compareLogPositions,
  satisfiesExpected,
  VersionConflictError,
  type AppendResult,
  type ExpectedVersion,
  type LogPosition,
  type NewEvent,
  type RecordedEvent,
  type StreamRef,
} from './envelope';
import type { EventStore, ReadStreamOptions, Snapshot, SnapshotStore, VerifyAllResult } from './event-store.port';

export interface InMemoryEventStoreOptions {
  /** Recorded-at clock; tests pass a fixed one. */
  readonly now?: () => Date;
}

/** A fake for unit tests: same rules as the real store (expected versions, idempotency, hash chain), no I/O. */
export class InMemoryEventStore implements EventStore, SnapshotStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly snapshots = new Map<string, Snapshot<unknown>>();
  private transaction = 0n;
  private readonly now: () => Date;

  constructor(options: InMemoryEventStoreOptions = {}) {
    this.now = options.now ?? (() => new Date());
  }

  async append(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const existing = this.streams.get(key(stream)) ?? [];
    const actual = existing.length;
    const earlier = events.map((event) => this.log.find((e) => e.tenantId === stream.tenantId && e.eventId === event.eventId));
    if (earlier.some(Boolean)) {
      const first = earlier[0];
      const samePlace =
        earlier.every((e, i) => e && e.streamId === stream.streamId && e.streamVersion === first!.streamVersion + i) &&
        (typeof expected !== 'number' || first!.streamVersion === expected + 1) &&
        (expected !== 'no-stream' || first!.streamVersion === 1);
      if (!samePlace) throw new VersionConflictError(stream.streamId, expected, actual, 'event id already stored elsewhere');
      const found = earlier as RecordedEvent[];
      return { streamVersion: found[found.length - 1].streamVersion, events: found };
    }
    if (!satisfiesExpected(expected, actual)) throw new VersionConflictError(stream.streamId, expected, actual);
    if (events.length === 0) return { streamVersion: actual, events: [] };
    this.transaction += 1n;
    const recordedAt = new Date(Math.floor(this.now().getTime())).toISOString();
    let previousHash = existing.length ? existing[existing.length - 1].hash : GENESIS_HASH;
    const recorded = events.map((event, i) => {
      const base = { ...event, tenantId: stream.tenantId, streamId: stream.streamId, streamVersion: actual + i + 1, recordedAt };
      const hash = chainHash(previousHash, canonicalEvent(base));
      const full: RecordedEvent = { ...base, globalPosition: BigInt(this.log.length + i + 1), transactionId: this.transaction, previousHash, hash };
      previousHash = hash;
      return full;
    });
    this.log.push(...recorded);
    this.streams.set(key(stream), [...existing, ...recorded]);
    return { streamVersion: actual + recorded.length, events: recorded };
  }

  async readStream(stream: StreamRef, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const asOf = options.asOf === undefined ? undefined : new Date(options.asOf).getTime();
    return (this.streams.get(key(stream)) ?? []).filter(
      (e) =>
        e.streamVersion >= (options.fromVersion ?? 1) &&
        e.streamVersion <= (options.toVersion ?? Number.MAX_SAFE_INTEGER) &&
        (asOf === undefined || new Date(e.recordedAt).getTime() <= asOf),
    );
  }

  async readAll(after: LogPosition, limit: number, options: { tenantId?: string } = {}): Promise<RecordedEvent[]> {
    return this.log
      .filter((e) => compareLogPositions(e, after) > 0 && (!options.tenantId || e.tenantId === options.tenantId))
      .slice(0, limit);
  }

  async verify(stream: StreamRef): Promise<ChainVerification> {
    const verifier = chainVerifier();
    for (const event of this.streams.get(key(stream)) ?? []) {
      const broken = verifier.check(event);
      if (broken) return { ok: false, checked: verifier.checked, brokenAt: broken };
    }
    return { ok: true, checked: verifier.checked };
  }

  async verifyAll(tenantId: string): Promise<VerifyAllResult> {
    const result: VerifyAllResult = { ok: true, streams: 0, events: 0, broken: [] };
    let events = 0;
    let streams = 0;
    for (const [, stored] of this.streams) {
      if (stored[0]?.tenantId !== tenantId) continue;
      streams += 1;
      events += stored.length;
      const check = await this.verify(stored[0]);
      if (!check.ok) result.broken.push({ streamId: stored[0].streamId, ...check.brokenAt });
    }
    return { ...result, ok: result.broken.length === 0, streams, events };
  }

  async load<State>(stream: StreamRef, snapshotKey: string): Promise<Snapshot<State> | undefined> {
    return this.snapshots.get(`${key(stream)}\u001f${snapshotKey}`) as Snapshot<State> | undefined;
  }

  async save<State>(stream: StreamRef, snapshotKey: string, snapshot: Snapshot<State>): Promise<void> {
    this.snapshots.set(`${key(stream)}\u001f${snapshotKey}`, structuredClone(snapshot));
  }
}

function key(stream: StreamRef): string {
  return `${stream.tenantId}\u001f${stream.streamId}`;
}
