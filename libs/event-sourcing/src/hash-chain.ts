import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { RecordedEvent } from './envelope';

/** previousHash of a stream's first event. */
export const GENESIS_HASH = '0'.repeat(64);

type HashedFields = Pick<RecordedEvent, 'tenantId' | 'streamId' | 'eventId' | 'type' | 'schemaVersion' | 'data' | 'metadata'>;

/**
 * canonical(event) split around the two fields only the store knows at write time (recordedAt and
 * streamVersion), so a store can complete it inside its append: head ‖ JSON(recordedAt) ‖ middle ‖ version ‖ tail
 * is exactly canonicalJson({data, eventId, metadata, recordedAt, schemaVersion, streamId, streamVersion, tenantId, type}).
 */
export interface CanonicalEventParts {
  readonly head: string;
  readonly middle: string;
  readonly tail: string;
}

export function canonicalEventParts(event: HashedFields): CanonicalEventParts {
  return {
    head: `{"data":${canonicalJson(event.data)},"eventId":${JSON.stringify(event.eventId)},"metadata":${canonicalJson(event.metadata)},"recordedAt":`,
    middle: `,"schemaVersion":${canonicalJson(event.schemaVersion)},"streamId":${JSON.stringify(event.streamId)},"streamVersion":`,
    tail: `,"tenantId":${JSON.stringify(event.tenantId)},"type":${JSON.stringify(event.type)}}`,
  };
}

export function canonicalEvent(event: HashedFields & Pick<RecordedEvent, 'recordedAt' | 'streamVersion'>): string {
  const parts = canonicalEventParts(event);
  return `${parts.head}${JSON.stringify(event.recordedAt)}${parts.middle}${event.streamVersion}${parts.tail}`;
}

/** hash = sha256(previous hash ‖ canonical(event)), hex. */
export function chainHash(previousHash: string, canonical: string): string {
  return createHash('sha256').update(previousHash, 'utf8').update(canonical, 'utf8').digest('hex');
}

export interface BrokenLink {
  readonly streamVersion: number;
  readonly eventId: string;
  readonly reason: string;
}

export type ChainVerification = { ok: true; checked: number } | { ok: false; checked: number; brokenAt: BrokenLink };

/** Incremental verifier, so a store can check a long stream page by page. */
export function chainVerifier(): { check(event: RecordedEvent): BrokenLink | undefined; readonly checked: number } {
  let previousHash = GENESIS_HASH;
  let expectedVersion = 1;
  let checked = 0;
  return {
    get checked() {
      return checked;
    },
    check(event) {
      checked += 1;
      const at = (reason: string): BrokenLink => ({ streamVersion: event.streamVersion, eventId: event.eventId, reason });
      if (event.streamVersion !== expectedVersion) return at(`expected stream version ${expectedVersion}, found ${event.streamVersion}`);
      if (event.previousHash !== previousHash) return at('previous hash does not match the hash of the event before');
      const recomputed = chainHash(previousHash, canonicalEvent(event));
      if (recomputed !== event.hash) return at('hash does not match the event content');
      previousHash = event.hash;
      expectedVersion += 1;
      return undefined;
    },
  };
}

export function verifyChain(events: Iterable<RecordedEvent>): ChainVerification {
  const verifier = chainVerifier();
  for (const event of events) {
    const broken = verifier.check(event);
    if (broken) return { ok: false, checked: verifier.checked, brokenAt: broken };
  }
  return { ok: true, checked: verifier.checked };
}
