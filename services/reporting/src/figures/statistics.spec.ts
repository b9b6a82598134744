import { daysBetween, distribution, kthSmallest, meanCents, medianCents, medianTenths, percentile } from './statistics';
import { periodOf } from './period';

describe('statistics over cents and days', () => {
  it('rounds the mean half up to the cent', () => expect(meanCents([100, 101])).toBe(101));
  it('takes the middle value as median of an odd count', () => expect(medianCents([300, 100, 200])).toBe(200));
  it('averages the two middle values of an even count, half up', () => expect(medianCents([100, 201, 50, 400])).toBe(151));
  it('answers null for no values', () => {
    expect(meanCents([])).toBeNull();
    expect(medianCents([])).toBeNull();
    expect(percentile([], 90)).toBeNull();
  });
  it('takes the nearest rank for p90 (9th of 10)', () => expect(percentile([10, 1, 2, 3, 4, 5, 6, 7, 8, 9], 90)).toBe(9));
  it('takes the median of days to the tenth', () => expect(medianTenths([1.2, 3.5, 0.4, 2.1])).toBe(1.7));
  it('selects the k-th smallest as sorting would, repeats and all', () => {
    // A seeded generator: every run checks the same thousands of cases (sizes 1–300, many repeated values).
    let state = 42;
    const next = () => (state = (state * 16_807) % 2_147_483_647);
    for (let run = 0; run < 2_000; run++) {
      const values = Array.from({ length: 1 + (next() % 300) }, () => (next() % 50) / 10);
      const sorted = [...values].sort((a, b) => a - b);
      const k = next() % values.length;
      const scratch = new Float64Array(values);
      expect(kthSmallest(scratch, k)).toBe(sorted[k]);
      // What it leaves before k is no larger (the median of an even count takes the largest of them).
      expect(Math.max(...scratch.subarray(0, k), Number.NEGATIVE_INFINITY)).toBeLessThanOrEqual(sorted[k]!);
      expect(percentile(values, 90)).toBe(sorted[Math.ceil(0.9 * values.length) - 1]);
      const middle = values.length >> 1;
      expect(medianCents(values)).toBe(values.length % 2 ? sorted[middle] : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2));
    }
  });
  it('measures days to the tenth', () => expect(daysBetween('2026-03-01T00:00:00.000Z', '2026-03-08T12:00:00.000Z')).toBe(7.5));
  it('puts each amount in one bucket, lower bound included', () => {
    const buckets = distribution([50_000, 49_999, 182_500, 600_000]);
    expect(buckets.map((bucket) => [bucket.label, bucket.count])).toEqual([
      ['0-500', 1],
      ['500-1000', 1],
      ['1000-1500', 0],
      ['1500-2000', 1],
      ['2000-3000', 0],
      ['3000-5000', 0],
      ['5000+', 1],
    ]);
  });
});

describe('periods', () => {
  it('reads a year, a quarter and a month as half-open ranges of days', () => {
    expect(periodOf('2026')).toEqual({ from: '2026-01-01', to: '2027-01-01' });
    expect(periodOf('2026-Q4')).toEqual({ from: '2026-10-01', to: '2027-01-01' });
    expect(periodOf('2026-12')).toEqual({ from: '2026-12-01', to: '2027-01-01' });
    expect(() => periodOf('2026-13')).toThrow('not a period');
  });
});
