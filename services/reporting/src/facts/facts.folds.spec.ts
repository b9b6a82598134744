import { createReplay } from '../log/rebuild';
import { event, grantedLoan } from './scenario.test-support';

const TENANT = 'ccas-tarbes';
const loan = (suffix: string, rest: Record<string, unknown>) => ({ loanId: `loan-${suffix}`, applicationId: `app-${suffix}`, ...rest });

describe('folding the consumed contracts into facts', () => {
  it('follows a granted loan from transmission to disbursement, with its amounts in cents', () => {
    const replay = createReplay();
    grantedLoan({ tenantId: TENANT, loanId: 'loan-1', applicationId: 'app-1', amountCents: 182_500, transmittedAt: '2026-03-02T09:00:00.000Z', approvedAt: '2026-03-09T09:00:00.000Z', disbursedAt: '2026-03-16T09:00:00.000Z' }).forEach(replay.apply);
    const { loans, applications, activity } = replay.facts();
    expect(applications).toEqual([expect.objectContaining({ applicationId: 'app-1', requestedCents: 182_500, transmittedAt: '2026-03-02T09:00:00.000Z' })]);
    expect(loans).toEqual([expect.objectContaining({ loanId: 'loan-1', status: 'repaying', approvedCents: 182_500, disbursedCents: 182_500, outstandingCents: 182_500, product: 'classic', purposeCategory: 'mobility' })]);
    expect(activity.map((row) => [row.kind, row.occurredOn, row.cents])).toEqual([
      ['approved', '2026-03-09', 182_500],
      ['disbursed', '2026-03-16', 182_500],
    ]);
  });

  it('counts missed instalments, warnings, reschedulings by kind, a default and its recoveries', () => {
    const replay = createReplay();
    grantedLoan({ tenantId: TENANT, loanId: 'loan-2', applicationId: 'app-2', amountCents: 100_000, transmittedAt: '2026-01-02T09:00:00.000Z', approvedAt: '2026-01-05T09:00:00.000Z', disbursedAt: '2026-01-10T09:00:00.000Z' }).forEach(replay.apply);
    [
      event('lending.instalment-paid.v1', TENANT, '2026-02-05T10:00:00.000Z', loan('2', { amountCents: 4_500, principalRepaidCents: 4_200, interestPaidCents: 300, outstandingPrincipalCents: 95_800, paidOn: '2026-02-05', recordedAt: '2026-02-05T10:00:00.000Z' })),
      event('lending.instalment-missed.v1', TENANT, '2026-03-06T10:00:00.000Z', loan('2', { instalmentNumber: 2, dueDate: '2026-03-05', unpaidCount: 1, daysPastDue: 1, arrearsCents: 4_500 })),
      event('lending.incident-warning-issued.v1', TENANT, '2026-04-06T10:00:00.000Z', loan('2', { unpaidCount: 2, arrearsCents: 9_000, declarableFrom: '2026-05-06' })),
      event('lending.loan-rescheduled.v1', TENANT, '2026-04-10T10:00:00.000Z', loan('2', { kind: 'holiday', newEndDate: '2028-02-05' })),
      event('lending.loan-defaulted.v1', TENANT, '2026-09-01T10:00:00.000Z', loan('2', { outstandingPrincipalCents: 80_000, defaultedAt: '2026-09-01T10:00:00.000Z' })),
      event('lending.recovery-received.v1', TENANT, '2026-10-01T10:00:00.000Z', loan('2', { amountCents: 12_345, receivedAt: '2026-10-01T10:00:00.000Z' })),
    ].forEach(replay.apply);
    const [fact] = replay.facts().loans;
    expect(fact).toMatchObject({ status: 'defaulted', missedInstalments: 1, incidentWarnings: 1, reschedulings: 1, defaultedOutstandingCents: 80_000, outstandingCents: 80_000, recoveredCents: 12_345 });
    expect(replay.facts().activity.map((row) => row.kind)).toEqual(['approved', 'disbursed', 'instalmentMissed', 'incidentWarning', 'rescheduled:holiday', 'defaulted', 'recovery']);
  });

  it('keeps a refused loan refused, with its category and no amount granted', () => {
    const replay = createReplay();
    replay.apply(event('lending.loan-refused.v1', TENANT, '2026-02-01T09:00:00.000Z', loan('3', { reasonCode: 'DEBT_RATIO', reasonCategory: 'repaymentCapacity', refusedAt: '2026-02-01T09:00:00.000Z' })));
    expect(replay.facts().loans).toEqual([expect.objectContaining({ status: 'refused', refusalCategory: 'repaymentCapacity', disbursedCents: null })]);
  });

  it('keeps only the log for a contract it has no figures for', () => {
    const replay = createReplay();
    replay.apply(event('accompaniment.contact-recorded.v1', TENANT, '2026-02-01T09:00:00.000Z', { planId: 'plan-1' }));
    expect(replay.facts()).toEqual({ loans: [], applications: [], envelopes: [], activity: [] });
  });

  it('keeps the latest capacity voted for an envelope', () => {
    const replay = createReplay();
    const vote = (capacityCents: number, votedAt: string) =>
      event('guarantee.envelope-capacity-voted.v1', TENANT, votedAt, { guarantorId: 'fcs', capacityCents, previousCapacityCents: 0, reservedCents: 0, headroomCents: capacityCents, decisionDate: votedAt.slice(0, 10), decisionReference: 'DEL-1', votedAt });
    [vote(5_000_000, '2026-01-10T09:00:00.000Z'), vote(7_500_000, '2026-06-10T09:00:00.000Z')].forEach(replay.apply);
    expect(replay.facts().envelopes).toEqual([expect.objectContaining({ guarantorId: 'fcs', capacityCents: 7_500_000, headroomCents: 7_500_000 })]);
  });
});
