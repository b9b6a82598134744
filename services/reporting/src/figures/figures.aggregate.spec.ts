import { createReplay } from '../log/rebuild';
import { event, grantedLoan } from '../facts/scenario.test-support';
import { figuresOf, reportOf } from './figures.aggregate';

const YEAR_2026 = { from: '2026-01-01', to: '2027-01-01' };

function factsOf(events: ReturnType<typeof grantedLoan>) {
  const replay = createReplay();
  events.forEach(replay.apply);
  return replay.facts();
}

describe('figures of a period', () => {
  // The handwritten figures of a CCAS: loans of 1,500 €, 1,825 € and 2,150 € → mean and median 1,825 €.
  const facts = factsOf([
    ...grantedLoan({ tenantId: 'ccas-a', loanId: 'l1', applicationId: 'a1', amountCents: 150_000, transmittedAt: '2026-02-01T09:00:00.000Z', approvedAt: '2026-02-08T09:00:00.000Z', disbursedAt: '2026-02-15T09:00:00.000Z' }),
    ...grantedLoan({ tenantId: 'ccas-a', loanId: 'l2', applicationId: 'a2', amountCents: 182_500, transmittedAt: '2026-03-01T09:00:00.000Z', approvedAt: '2026-03-11T09:00:00.000Z', disbursedAt: '2026-03-21T09:00:00.000Z', product: 'autonomyHealth', purposeCategory: 'healthEquipment' }),
    ...grantedLoan({ tenantId: 'ccas-b', loanId: 'l3', applicationId: 'a3', amountCents: 215_000, transmittedAt: '2026-04-01T09:00:00.000Z', approvedAt: '2026-04-21T09:00:00.000Z', disbursedAt: '2026-05-01T09:00:00.000Z' }),
    // Granted in 2025: outside the year.
    ...grantedLoan({ tenantId: 'ccas-a', loanId: 'l0', applicationId: 'a0', amountCents: 99_900, transmittedAt: '2025-10-01T09:00:00.000Z', approvedAt: '2025-10-08T09:00:00.000Z', disbursedAt: '2025-10-15T09:00:00.000Z' }),
    event('lending.loan-refused.v1', 'ccas-b', '2026-06-01T09:00:00.000Z', { loanId: 'l4', applicationId: 'a4', reasonCode: 'DEBT_RATIO', reasonCategory: 'repaymentCapacity', refusedAt: '2026-06-01T09:00:00.000Z' }),
    event('lending.instalment-missed.v1', 'ccas-a', '2026-06-06T09:00:00.000Z', { loanId: 'l1', instalmentNumber: 4, dueDate: '2026-06-05', unpaidCount: 1, daysPastDue: 1, arrearsCents: 6_512 }),
    event('lending.instalment-missed.v1', 'ccas-a', '2026-07-06T09:00:00.000Z', { loanId: 'l1', instalmentNumber: 5, dueDate: '2026-07-05', unpaidCount: 2, daysPastDue: 31, arrearsCents: 13_024 }),
    event('lending.instalment-paid.v1', 'ccas-b', '2026-06-01T09:00:00.000Z', { loanId: 'l3', amountCents: 9_500, principalRepaidCents: 8_817, interestPaidCents: 683, outstandingPrincipalCents: 206_183, paidOn: '2026-06-01', recordedAt: '2026-06-01T09:00:00.000Z' }),
  ]);

  it('counts loans granted in the period and their amounts to the cent', () => {
    const { values, people } = figuresOf(facts, YEAR_2026);
    expect(people.granted).toBe(3);
    expect(values).toMatchObject({ loansGranted: 3, amountSumCents: 547_500, amountMeanCents: 182_500, amountMedianCents: 182_500, outstandingCents: 150_000 + 182_500 + 206_183 });
  });

  it('counts approvals, refusals and the approval rate', () => {
    expect(figuresOf(facts, YEAR_2026).values).toMatchObject({ loansApproved: 3, loansRefused: 1, approvalRatePercent: 75, applicationsTransmitted: 3 });
  });

  it('counts missed instalments and the loans that missed them', () => {
    expect(figuresOf(facts, YEAR_2026).values).toMatchObject({ missedInstalments: 2, loansWithMissedInstalments: 1 });
  });

  it('measures the days from transmission to the decision and from the decision to disbursement (median, p90)', () => {
    // to decision: 7, 10, 20 days (the refusal has no transmission or receipt known); to disbursement: 7, 10, 10
    expect(figuresOf(facts, YEAR_2026).values).toMatchObject({ daysToDecisionMedian: 10, daysToDecisionP90: 20, daysToDisbursementMedian: 10, daysToDisbursementP90: 10 });
  });

  it('groups by tenant, by federation and by product, the total unchanged', () => {
    const federationOf = (tenant: string) => (tenant === 'ccas-a' ? 'fed-occitanie' : 'fed-bretagne');
    expect(reportOf(facts, YEAR_2026, 'tenant', federationOf).rows.map((row) => [row.key, row.figures.values.loansGranted])).toEqual([
      ['ccas-a', 2],
      ['ccas-b', 1],
    ]);
    expect(reportOf(facts, YEAR_2026, 'federation', federationOf).rows.map((row) => [row.key, row.figures.values.amountSumCents])).toEqual([
      ['fed-bretagne', 215_000],
      ['fed-occitanie', 332_500],
    ]);
    const byProduct = reportOf(facts, YEAR_2026, 'product', federationOf);
    expect(byProduct.rows.map((row) => [row.key, row.figures.values.loansGranted])).toEqual([
      ['autonomyHealth', 1],
      ['classic', 2],
    ]);
    expect(byProduct.total.values.loansGranted).toBe(3);
  });

  it('gives the purposes and a monthly series of the period', () => {
    const report = reportOf(facts, YEAR_2026, 'none', () => 'fed');
    expect(report.purposes).toEqual([
      { key: 'healthEquipment', count: 1 },
      { key: 'mobility', count: 2 },
    ]);
    expect(report.series).toHaveLength(12);
    expect(report.series.find((point) => point.month === '2026-03')?.values).toEqual({ loansGranted: 1, amountSumCents: 182_500, missedInstalments: 0, incidentWarnings: 0 });
    expect(report.series.find((point) => point.month === '2026-06')?.values.missedInstalments).toBe(1);
  });
});
