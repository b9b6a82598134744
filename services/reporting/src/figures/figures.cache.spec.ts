import { AnswerCache, answerKey } from './figures.cache';

describe('answers kept while the read models do not move', () => {
  it('gives an answer back for the same key and version only', () => {
    const cache = new AnswerCache<string>(10);
    cache.set('k', '100:0', 'figures');
    expect(cache.get('k', '100:0')).toBe('figures');
    expect(cache.get('k', '101:1')).toBeUndefined();
    // A stale answer is dropped, not served again when the version comes back round.
    expect(cache.get('k', '100:0')).toBeUndefined();
  });

  it('drops the least recently used answer beyond its capacity', () => {
    const cache = new AnswerCache<number>(2);
    cache.set('a', 'v', 1);
    cache.set('b', 'v', 2);
    expect(cache.get('a', 'v')).toBe(1);
    cache.set('c', 'v', 3);
    expect([cache.get('a', 'v'), cache.get('b', 'v'), cache.get('c', 'v')]).toEqual([1, undefined, 3]);
  });

  it('keys an answer by its whole scope and filters', () => {
    const base = { tenants: ['ccas-a', 'ccas-b'], suppress: true, period: '2026', groupBy: 'tenant' };
    expect(answerKey(base)).toBe(answerKey({ ...base }));
    expect(answerKey(base)).not.toBe(answerKey({ ...base, suppress: false }));
    expect(answerKey(base)).not.toBe(answerKey({ ...base, tenants: ['ccas-a'] }));
    expect(answerKey(base)).not.toBe(answerKey({ ...base, product: 'classic' }));
  });
});
