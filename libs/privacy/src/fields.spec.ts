import { newKey, open, seal, unwrapKey, wrapKey } from './crypto';
import { collectEnvelopes, isPiiEnvelope, mapEnvelopes, mapPaths } from './fields';

describe('field paths', () => {
  const data = { name: 'Ana', contact: { phone: '06', email: 'a@b' }, incomes: [{ label: 'salary', cents: 120000 }, { label: 'rsa', cents: 50000 }], amountCents: 150000 };
  const mark = (value: unknown) => `<${JSON.stringify(value)}>`;

  it('replaces the values at dotted paths and leaves the rest, without mutating the input', () => {
    const copy = structuredClone(data);
    expect(mapPaths(data, ['name', 'contact.phone'], mark)).toEqual({ ...data, name: '<"Ana">', contact: { phone: '<"06">', email: 'a@b' } });
    expect(data).toEqual(copy);
  });

  it('applies `*` to every element of an array', () => {
    expect((mapPaths(data, ['incomes.*.label'], mark) as typeof data).incomes).toEqual([
      { label: '<"salary">', cents: 120000 },
      { label: '<"rsa">', cents: 50000 },
    ]);
  });

  it('ignores paths that are absent', () => {
    expect(mapPaths(data, ['birthDate', 'contact.fax', 'incomes.5.label'], mark)).toEqual(data);
  });

  it('finds and maps envelopes wherever they are', () => {
    const envelope = { $pii: { k: 'k', iv: 'i', ct: 'c', tag: 't' } };
    const nested = { a: envelope, b: [1, { c: envelope }], d: { $pii: 'not an envelope' } };
    expect(isPiiEnvelope(nested.d)).toBe(false);
    expect(collectEnvelopes(nested)).toHaveLength(2);
    expect(mapEnvelopes(nested, () => 'x')).toEqual({ a: 'x', b: [1, { c: 'x' }], d: { $pii: 'not an envelope' } });
  });
});

describe('AES-256-GCM sealing', () => {
  it('opens what it sealed with the same key and associated data only', () => {
    const key = newKey();
    const sealed = seal(key, Buffer.from('secret'), 'aad-1');
    expect(open(key, sealed, 'aad-1').toString()).toBe('secret');
    expect(() => open(key, sealed, 'aad-2')).toThrow();
    expect(() => open(newKey(), sealed, 'aad-1')).toThrow();
    expect(() => open(key, { ...sealed, ct: Buffer.from(sealed.ct.map((b) => b ^ 1)) }, 'aad-1')).toThrow();
  });

  it('uses a fresh IV for each seal', () => {
    const key = newKey();
    expect(seal(key, Buffer.from('same'), 'a').iv.equals(seal(key, Buffer.from('same'), 'a').iv)).toBe(false);
  });

  it('wraps and unwraps keys as one stored value', () => {
    const wrapping = newKey();
    const key = newKey();
    const wrapped = wrapKey(wrapping, key, 'person-key');
    expect(wrapped.includes(key)).toBe(false);
    expect(unwrapKey(wrapping, wrapped, 'person-key').equals(key)).toBe(true);
  });
});
