import { createReplay } from '../log/rebuild';
import { grantedLoan } from '../facts/scenario.test-support';
import { reportOf } from './figures.aggregate';
import { showReport, suppressColumn } from './suppression';

const YEAR = { from: '2026-01-01', to: '2027-01-01' };

describe('suppressing small numbers in one column', () => {
  it('hides a cell of 1 to 4 people and, alone, the smallest other non-empty cell', () => {
    const { hidden, totalHidden } = suppressColumn([3, 0, 12, 7], 22);
    expect([...hidden].sort()).toEqual([0, 3]);
    expect(totalHidden).toBe(false);
  });
  it('needs no complementary cell when two are hidden already', () => {
    expect([...suppressColumn([3, 4, 12], 19).hidden].sort()).toEqual([0, 1]);
  });
  it('shows empty cells and cells of five or more', () => {
    expect(suppressColumn([0, 5, 9], 14).hidden.size).toBe(0);
  });
  it('hides a total under five', () => {
    expect(suppressColumn([3, 0], 3)).toEqual({ hidden: new Set([0]), totalHidden: true });
  });
});

describe('a federation view with a CCAS of three loans', () => {
  const replay = createReplay();
  const grant = (tenantId: string, n: number, cents: number) =>
    Array.from({ length: n }, (_, i) =>
      grantedLoan({ tenantId, loanId: `${tenantId}-l${i}`, applicationId: `${tenantId}-a${i}`, amountCents: cents + i, transmittedAt: '2026-03-01T09:00:00.000Z', approvedAt: '2026-03-10T09:00:00.000Z', disbursedAt: `2026-0${4 + (i % 3)}-01T09:00:00.000Z` }),
    ).flat();
  [...grant('ccas-small', 3, 100_000), ...grant('ccas-mid', 6, 150_000), ...grant('ccas-big', 9, 200_000)].forEach(replay.apply);
  const report = reportOf(replay.facts(), YEAR, 'tenant', () => 'fed-sud');

  it('shows the CCAS its own figures unsuppressed', () => {
    const own = showReport(reportOf(replay.facts(), YEAR, 'tenant', () => 'fed-sud'), false);
    expect(own.suppression).toBe('none');
    expect(own.rows.find((row) => row.key === 'ccas-small')?.values.loansGranted).toBe(3);
  });

  it('hides every figure of the small CCAS and the complementary CCAS, keeping the total', () => {
    const shown = showReport(report, true);
    const small = shown.rows.find((row) => row.key === 'ccas-small')!;
    const mid = shown.rows.find((row) => row.key === 'ccas-mid')!;
    const big = shown.rows.find((row) => row.key === 'ccas-big')!;
    for (const measure of ['loansGranted', 'amountSumCents', 'amountMeanCents', 'amountMedianCents', 'outstandingCents', 'loansApproved', 'applicationsTransmitted', 'daysToDecisionMedian'] as const) {
      expect(small.values[measure]).toBeNull();
      expect(mid.values[measure]).toBeNull();
    }
    expect(big.values.loansGranted).toBe(9);
    expect(shown.total.values.loansGranted).toBe(18);
    // Nothing shown lets anyone recompute the three loans: the total minus the visible row leaves two CCAS.
    expect(shown.total.values.loansGranted! - big.values.loansGranted!).toBe(9);
  });

  it('hides the small cells of the distribution and the monthly series with their complements', () => {
    const shown = showReport(report, true);
    for (const bucket of shown.amounts) expect(bucket.count === null || bucket.count === 0 || bucket.count >= 5).toBe(true);
    expect(shown.amounts.filter((bucket) => bucket.count === null).length).not.toBe(1);
    const granted = shown.series.map((point) => point.values.loansGranted);
    expect(granted.filter((value) => value === null).length).not.toBe(1);
    for (const value of granted) expect(value === null || value === 0 || value >= 5).toBe(true);
  });
});
