import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { canonicalEvent, canonicalEventParts, chainHash, GENESIS_HASH, verifyChain } from './hash-chain';
import type { RecordedEvent } from './envelope';

const base = {
  tenantId: 'ccas-lyon',
  streamId: 'loan-1',
  eventId: 'e-1',
  type: 'LoanApproved',
  schemaVersion: 1,
  data: { amountCents: 150_000, purpose: 'mobility' },
  metadata: { correlationId: 'c-1', occurredAt: '2026-01-05T10:00:00.000Z' },
};

function chain(count: number): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  let previousHash = GENESIS_HASH;
  for (let i = 1; i <= count; i += 1) {
    const fields = { ...base, eventId: `e-${i}`, streamVersion: i, recordedAt: `2026-01-05T10:00:0${i}.000Z` };
    const hash = chainHash(previousHash, canonicalEvent(fields));
    events.push({ ...fields, globalPosition: BigInt(i), transactionId: BigInt(100 + i), previousHash, hash });
    previousHash = hash;
  }
  return events;
}

describe('the per-stream hash chain', () => {
  it('canonicalises an event as the canonical JSON of its hashed fields', () => {
    const fields = { ...base, streamVersion: 3, recordedAt: '2026-01-05T10:00:00.123Z' };
    expect(canonicalEvent(fields)).toBe(canonicalJson(fields));
  });

  it('splits the canonical text around the two fields a store fills in at write time', () => {
    const parts = canonicalEventParts(base);
    expect(`${parts.head}"2026-01-05T10:00:00.123Z"${parts.middle}7${parts.tail}`).toBe(canonicalEvent({ ...base, streamVersion: 7, recordedAt: '2026-01-05T10:00:00.123Z' }));
  });

  it('hashes sha256(previous hash ‖ canonical event) in hex', () => {
    expect(chainHash('abc', '{"x":1}')).toBe(createHash('sha256').update('abc{"x":1}').digest('hex'));
  });

  it('verifies an intact chain', () => {
    expect(verifyChain(chain(4))).toEqual({ ok: true, checked: 4 });
  });

  it('names the first event whose content changed', () => {
    const events = chain(4);
    events[2] = { ...events[2], data: { amountCents: 1, purpose: 'mobility' } };
    expect(verifyChain(events)).toEqual({ ok: false, checked: 3, brokenAt: { streamVersion: 3, eventId: 'e-3', reason: 'hash does not match the event content' } });
  });

  it('catches a rewritten event whose hash was recomputed, at the next link', () => {
    const events = chain(3);
    const forged = { ...events[1], data: { amountCents: 1 } };
    events[1] = { ...forged, hash: chainHash(forged.previousHash, canonicalEvent(forged)) };
    expect(verifyChain(events)).toMatchObject({ ok: false, brokenAt: { streamVersion: 3, reason: expect.stringMatching(/previous hash/) } });
  });

  it('catches a deleted event as a version gap', () => {
    const events = chain(3);
    expect(verifyChain([events[0], events[2]])).toMatchObject({ ok: false, brokenAt: { streamVersion: 3, reason: expect.stringMatching(/expected stream version 2/) } });
  });
});
