import { createReplay } from '../log/rebuild';
import { escalation, event, evaluationRecorded, fileOpenedAndDecided, grantedLoan, guaranteeActivated, guaranteeLoss, interestRefundPaid, supportGranted } from '../facts/scenario.test-support';
import { figuresOf, reportOf, reportOfTallies, talliesOf } from './figures.aggregate';

const YEAR_2026 = { from: '2026-01-01', to: '2027-01-01' };

function factsOf(events: ReturnType<typeof grantedLoan>): ReturnType<ReturnType<typeof createReplay>['facts']> {
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

describe('figures of accompaniment and the guarantee fund', () => {
  const loansOf = [
    ...grantedLoan({ tenantId: 'ccas-a', loanId: 'l1', applicationId: 'a1', amountCents: 150_000, transmittedAt: '2026-02-01T09:00:00.000Z', approvedAt: '2026-02-08T09:00:00.000Z', disbursedAt: '2026-02-15T09:00:00.000Z' }),
    ...grantedLoan({ tenantId: 'ccas-a', loanId: 'l2', applicationId: 'a2', amountCents: 182_500, transmittedAt: '2026-03-01T09:00:00.000Z', approvedAt: '2026-03-11T09:00:00.000Z', disbursedAt: '2026-03-21T09:00:00.000Z' }),
    ...grantedLoan({ tenantId: 'ccas-b', loanId: 'l3', applicationId: 'a3', amountCents: 215_000, transmittedAt: '2026-04-01T09:00:00.000Z', approvedAt: '2026-04-21T09:00:00.000Z', disbursedAt: '2026-05-01T09:00:00.000Z' }),
  ];
  const replay = createReplay();
  [
    ...fileOpenedAndDecided('ccas-a', 'a1', '2026-01-20T09:00:00.000Z', '2026-01-27T09:00:00.000Z'),
    ...fileOpenedAndDecided('ccas-a', 'a2', '2026-02-01T09:00:00.000Z', '2026-02-15T09:00:00.000Z'),
    ...loansOf,
    guaranteeActivated('ccas-a', 'l1', 150_000, '2026-02-15T09:00:00.000Z'),
    guaranteeActivated('ccas-a', 'l2', 182_500, '2026-03-21T09:00:00.000Z'),
    guaranteeActivated('ccas-b', 'l3', 215_000, '2026-05-01T09:00:00.000Z'),
    event('guarantee.exposure-reduced.v1', 'ccas-b', '2026-08-01T09:00:00.000Z', { loanId: 'l3', guarantorId: 'fcs', guarantorKind: 'fcs', product: 'classic', outstandingPrincipalCents: 200_000, previousExposureCents: 107_500, exposureCents: 100_000, reducedOn: '2026-08-01' }),
    ...escalation({ tenantId: 'ccas-a', loanId: 'l1', escalationId: 'e1', openedAt: '2026-06-06T09:00:00.000Z', deadlineDate: '2026-06-13', contact: { at: '2026-06-08T13:00:00.000Z', minutes: 3_120, workingDays: 2, late: false } }),
    ...escalation({ tenantId: 'ccas-a', loanId: 'l1', escalationId: 'e2', openedAt: '2026-07-06T09:00:00.000Z', deadlineDate: '2026-07-13', contact: { at: '2026-07-16T09:00:00.000Z', minutes: 14_400, workingDays: 8, late: true } }),
    // Still waiting for a CCAS contact, its deadline passed on 9 November.
    ...escalation({ tenantId: 'ccas-a', loanId: 'l1', escalationId: 'e3', openedAt: '2026-11-02T09:00:00.000Z', deadlineDate: '2026-11-09' }),
    // Closed without a CCAS contact (the bank reached the borrower): no deadline to keep.
    ...escalation({ tenantId: 'ccas-a', loanId: 'l1', escalationId: 'e4', openedAt: '2026-11-20T09:00:00.000Z', deadlineDate: '2026-11-27', closedAt: '2026-11-21T09:00:00.000Z' }),
    supportGranted('ccas-a', 'l1', 's1', 'emergencyAid', '2026-06-20', 20_000),
    supportGranted('ccas-a', 'l1', 's2', 'referral', '2026-07-20'),
    supportGranted('ccas-b', 'l3', 's3', 'socialGrocery', '2026-08-01', 4_550),
    interestRefundPaid('ccas-a', 'l2', 5_758, '2026-12-01'),
    ...guaranteeLoss('ccas-a', 'l1', { outstandingCents: 140_000, claimCents: 70_000, calledAt: '2026-09-01T09:00:00.000Z', paidOn: '2026-09-15', recoveryCents: 30_001, fundShareCents: 15_000, recoveredAt: '2026-10-01T09:00:00.000Z', lossCents: 55_000, writtenOffAt: '2026-11-30T09:00:00.000Z' }),
    evaluationRecorded('ccas-a', 'l2', '2026-12-03', 'improved', 'satisfied', 'a9'),
    evaluationRecorded('ccas-b', 'l3', '2026-12-04', 'unchanged', 'verySatisfied'),
  ].forEach(replay.apply);
  const facts = replay.facts();

  it('measures the file’s path: opening → commission → the bank’s decision → disbursement (median, p90)', () => {
    // opening → commission 7 and 14 days; commission → decision 12 and 24; opening → disbursement 26 and 48.
    expect(figuresOf(facts, YEAR_2026).values).toMatchObject({
      daysOpeningToCommissionMedian: 10.5,
      daysOpeningToCommissionP90: 14,
      daysCommissionToDecisionMedian: 18,
      daysCommissionToDecisionP90: 24,
      daysOpeningToDisbursementMedian: 37,
      daysOpeningToDisbursementP90: 48,
    });
  });

  it('counts escalations and the delay to the first CCAS contact, and the share within the deadline', () => {
    const { values, people } = figuresOf(facts, YEAR_2026, '2026-12-07');
    // delays 2.2 and 10 days; within the deadline: e1 of e1, e2 and e3 (e4 closed without a CCAS contact).
    expect(values).toMatchObject({ escalationsOpened: 4, escalationsFromMissedInstalment: 4, firstContactDelayDaysMedian: 6.1, firstContactDelayDaysP90: 10, firstContactWorkingDaysMedian: 5, firstContactWithinDeadlinePercent: 33.3 });
    expect(people).toMatchObject({ escalated: 1, contacted: 1, deadlineDue: 1 });
    // Before e3's deadline passed, it did not count yet.
    expect(figuresOf(facts, YEAR_2026, '2026-11-05').values.firstContactWithinDeadlinePercent).toBe(50);
  });

  it('counts support measures by kind, interest refunds and end-of-loan outcomes, to the cent', () => {
    const report = reportOf(facts, YEAR_2026, 'tenant', () => 'fed');
    expect(report.total.values).toMatchObject({ supportMeasures: 3, supportEmergencyAid: 1, supportSocialGrocery: 1, supportReferral: 1, supportAidCents: 24_550, interestRefunds: 1, interestRefundedCents: 5_758, evaluationsRecorded: 2, newProjects: 1 });
    expect(report.rows.map((row) => [row.key, row.figures.values.supportMeasures])).toEqual([
      ['ccas-a', 2],
      ['ccas-b', 1],
    ]);
    expect(report.outcomes.find((o) => o.dimension === 'employment')?.codes).toEqual([
      { code: 'improved', count: 1 },
      { code: 'unchanged', count: 1 },
      { code: 'worsened', count: 0 },
      { code: 'notConcerned', count: 0 },
    ]);
    expect(report.outcomes.find((o) => o.dimension === 'satisfaction')?.codes.filter((c) => c.count > 0)).toEqual([
      { code: 'verySatisfied', count: 1 },
      { code: 'satisfied', count: 1 },
    ]);
  });

  it('gives the guarantee: covered, exposed now, claimed, paid, the fund’s recoveries, losses and the cohort’s loss rate', () => {
    expect(figuresOf(facts, YEAR_2026).values).toMatchObject({
      guaranteesActivated: 3,
      guaranteedCents: 75_000 + 91_250 + 107_500,
      // l1 called (no longer exposed), l2 as activated, l3 reduced to 1,000 €.
      guaranteeExposureCents: 91_250 + 100_000,
      guaranteeClaims: 1,
      guaranteeClaimCents: 70_000,
      guaranteeClaimsPaidCents: 70_000,
      guarantorRecoveredCents: 15_000,
      guaranteeLossCents: 55_000,
      // 55,000 / 273,750 = 20.09 %
      guaranteeLossRatePercent: 20.09,
    });
  });

  it('gives the same report from tallies kept CCAS by CCAS as from all the facts at once, whatever the grouping', () => {
    // The service keeps each CCAS's tallies and reads again only those whose facts moved: merged, they must be exact.
    const ofTenant = (tenantId: string) => ({
      ...facts,
      applications: facts.applications.filter((row) => row.tenantId === tenantId),
      loans: facts.loans.filter((row) => row.tenantId === tenantId),
      activity: facts.activity.filter((row) => row.tenantId === tenantId),
      envelopes: facts.envelopes.filter((row) => row.tenantId === tenantId),
      escalations: facts.escalations.filter((row) => row.tenantId === tenantId),
      evaluations: facts.evaluations.filter((row) => row.tenantId === tenantId),
    });
    const kept = [...talliesOf(ofTenant('ccas-b'), YEAR_2026, '2026-11-05'), ...talliesOf(ofTenant('ccas-a'), YEAR_2026, '2026-11-05')];
    expect(kept.map((keyed) => keyed.tenantId)).toEqual(expect.arrayContaining(['ccas-a', 'ccas-b']));
    for (const groupBy of ['none', 'tenant', 'federation', 'product'] as const) {
      const federationOf = (tenant: string) => (tenant === 'ccas-a' ? 'fed-a' : 'fed-b');
      expect(reportOfTallies(kept, YEAR_2026, groupBy, federationOf)).toEqual(reportOf(facts, YEAR_2026, groupBy, federationOf, '2026-11-05'));
    }
  });
});
