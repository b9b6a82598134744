import { backoffDelay } from './backoff';

describe('backoff between retries', () => {
  const policy = { initialMs: 100, maxMs: 5_000 };

  it('doubles from the initial delay, within the upper half of each step', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, () => 1)).toBe(400);
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
  });

  it('never waits longer than the cap, however many attempts failed', () => {
    expect(backoffDelay(50, policy, () => 1)).toBe(5_000);
    expect(backoffDelay(1_000, policy, () => 0.5)).toBeLessThanOrEqual(5_000);
  });
});
