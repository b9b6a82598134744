import { EventEmitter } from 'node:events';
import type { Pool } from 'pg';
import { watchPool } from './pool';

// A stand-in for pg's Pool: only what watchPool reads (its waiting count and its acquire/release events).
function fakePool(): EventEmitter & { waitingCount: number } {
  return Object.assign(new EventEmitter(), { waitingCount: 0 });
}

describe('the pool watch behind liveness', () => {
  it('is not stalled while nobody waits, however long it is idle', () => {
    let now = 0;
    const pool = fakePool();
    const watch = watchPool(pool as unknown as Pool, 30_000, () => now);
    now = 600_000;
    expect(watch.stalledForMs()).toBe(0);
  });

  it('is stalled once callers have waited the whole period with no connection handed out', () => {
    let now = 0;
    const pool = fakePool();
    const watch = watchPool(pool as unknown as Pool, 30_000, () => now);
    pool.waitingCount = 3;
    now = 29_999;
    expect(watch.stalledForMs()).toBe(0);
    now = 30_000;
    expect(watch.stalledForMs()).toBe(30_000);
  });

  it('is not stalled while connections keep being handed out to waiting callers', () => {
    let now = 0;
    const pool = fakePool();
    const watch = watchPool(pool as unknown as Pool, 30_000, () => now);
    pool.waitingCount = 8;
    for (let second = 1; second <= 120; second += 1) {
      now = second * 1_000;
      pool.emit(second % 2 ? 'acquire' : 'release');
      expect(watch.stalledForMs()).toBe(0);
    }
  });
});
