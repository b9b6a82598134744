import { canonicalEvent, chainHash, GENESIS_HASH } from '@tremplin/event-sourcing';
import type { ChainRow } from '@tremplin/event-store-postgres';
import { chainChecker } from './chains';

// The checker builds canonical(event) itself for speed: these rows are hashed with libs/event-sourcing's own
// canonicalEvent, so any drift between the two definitions fails here.
const TENANT = 'ccas-"t"\u2028';

const reversedKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(reversedKeys)
    : value && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversedKeys(v)]))
      : value;

function stream(streamId: string, contents: Array<{ type: string; data: unknown; metadata: Record<string, unknown> }>): ChainRow[] {
  let previous = GENESIS_HASH;
  return contents.map((content, i) => {
    const event = {
      tenantId: TENANT,
      streamId,
      streamVersion: i + 1,
      eventId: `e-${streamId}-${i}`,
      type: content.type,
      schemaVersion: 2,
      data: content.data,
      metadata: content.metadata as never,
      recordedAt: `2026-11-2${i % 10}T10:00:00.00${i % 10}Z`,
    };
    const hash = chainHash(previous, canonicalEvent(event));
    // PostgreSQL's jsonb text: other key order, spaces; the checker must not depend on either.
    const text = (value: unknown) => JSON.stringify(reversedKeys(value), null, 1);
    const row: ChainRow = [streamId, i + 1, event.eventId, event.type, 2, text(content.data), text(content.metadata), event.recordedAt, previous, hash];
    previous = hash;
    return row;
  });
}

const metadata = { correlationId: 'c-1', occurredAt: '2026-11-20T10:00:00.000Z', actorId: 'é\u0000"' };
const rows = [
  ...stream('loan-"a"\\', [
    { type: 'LoanRequested', data: { amountCents: 300_000, nested: { z: [1, { b: 2, a: 1 }], a: 'ü\u2029' }, 'clé': -0 }, metadata },
    { type: 'Loan"Approved', data: { list: [], n: 1e21, small: 1e-7 }, metadata },
    { type: 'LoanDisbursed', data: {}, metadata: { ...metadata, causationId: 'x' } },
  ]),
  ...stream('product-\u{1F600}', [{ type: 'ProductDefined', data: { rate: 0.0125 }, metadata }]),
];

describe('chainChecker', () => {
  it('accepts chains hashed by the event-sourcing definition, whatever the characters and the stored key order', () => {
    const checker = chainChecker(TENANT);
    rows.forEach(checker.check);
    const result = checker.finish();
    expect(result.broken).toEqual([]);
    expect(result).toMatchObject({ streams: 2, events: 4 });
    expect(result.heads).toEqual([
      { streamId: 'loan-"a"\\', streamVersion: 3, hash: rows[2][9] },
      { streamId: 'product-\u{1F600}', streamVersion: 1, hash: rows[3][9] },
    ]);
  });

  it('names the first broken link of each bad stream and keeps checking the others', () => {
    const tampered = rows.map((row) => [...row] as ChainRow);
    tampered[1][5] = tampered[1][5].replace('[]', '[0]');
    tampered[3][8] = 'f'.repeat(64);
    const checker = chainChecker(TENANT);
    tampered.forEach(checker.check);
    const result = checker.finish();
    expect(result.broken).toEqual([
      { streamId: 'loan-"a"\\', streamVersion: 2, eventId: 'e-loan-"a"\\-1', reason: 'hash does not match the event content' },
      { streamId: 'product-\u{1F600}', streamVersion: 1, eventId: 'e-product-\u{1F600}-0', reason: 'previous hash does not match the hash of the event before' },
    ]);
    expect(result.heads).toEqual([]);
  });

  it('catches a missing version, and a row of another tenant passed off as this one', () => {
    const gap = chainChecker(TENANT);
    [rows[0], rows[2]].forEach(gap.check);
    expect(gap.finish().broken).toEqual([expect.objectContaining({ streamVersion: 3, reason: 'expected stream version 2, found 3' })]);
    const other = chainChecker('ccas-other');
    rows.forEach(other.check);
    expect(other.finish().broken).toHaveLength(2);
  });

  it('hands back the recomputed hash at the versions asked for', () => {
    const checker = chainChecker(TENANT, new Map([['loan-"a"\\', new Set([2])]]));
    rows.forEach(checker.check);
    expect(checker.finish().hashesAt).toEqual(new Map([['loan-"a"\\', new Map([[2, rows[1][9]]])]]));
  });
});
