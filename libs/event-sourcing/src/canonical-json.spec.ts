import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever the insertion order of keys', () => {
    expect(canonicalJson({ amountCents: 100, purpose: 'car' })).toBe(canonicalJson({ purpose: 'car', amountCents: 100 }));
  });

  it('drops undefined members as JSON does and writes undefined array items as null', () => {
    expect(canonicalJson({ a: undefined, b: [undefined, 1] })).toBe('{"b":[null,1]}');
  });

  it('writes dates through toJSON as ISO strings', () => {
    expect(canonicalJson({ at: new Date('2026-01-05T10:00:00Z') })).toBe('{"at":"2026-01-05T10:00:00.000Z"}');
  });

  it('escapes strings exactly as JSON.stringify does, keeping non-ASCII as is', () => {
    expect(canonicalJson({ s: 'élève "ok"\n✓' })).toBe('{"s":"élève \\"ok\\"\\n✓"}');
  });

  it('refuses values JSON cannot carry exactly, naming where they are', () => {
    expect(() => canonicalJson({ a: { b: Number.NaN } })).toThrow(/a\.b: non-finite/);
    expect(() => canonicalJson({ big: 10n })).toThrow(expect.objectContaining({ code: 'NOT_CANONICALISABLE' }));
    expect(() => canonicalJson({ list: [1, { x: Number.POSITIVE_INFINITY }] })).toThrow(expect.objectContaining({ path: 'list[1].x' }));
    expect(() => canonicalJson([Symbol('s')])).toThrow(expect.objectContaining({ path: '[0]' }));
  });

  it('orders keys by UTF-16 code units, numeric-looking keys included', () => {
    expect(canonicalJson({ b: 1, 10: 'ten', 2: 'two', a: [{ d: 1, c: 2 }] })).toBe('{"10":"ten","2":"two","a":[{"c":2,"d":1}],"b":1}');
  });

  it('survives a round trip through JSON unchanged', () => {
    const value = { n: 0.30000000000000004, e: 1e21, list: [true, null, 'x'], nested: { k: -1 } };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });
});
