import { createReplay } from '../log/rebuild';
import { escalation, event, evaluationRecorded, fileOpenedAndDecided, grantedLoan, guaranteeActivated, guaranteeLoss, interestRefundPaid, supportGranted } from './scenario.test-support';

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
    expect(replay.facts()).toEqual({ loans: [], applications: [], envelopes: [], activity: [], files: [], escalations: [], evaluations: [] });
  });

  it('keeps the latest capacity voted for an envelope', () => {
    const replay = createReplay();
    const vote = (capacityCents: number, votedAt: string) =>
      event('guarantee.envelope-capacity-voted.v1', TENANT, votedAt, { guarantorId: 'fcs', capacityCents, previousCapacityCents: 0, reservedCents: 0, headroomCents: capacityCents, decisionDate: votedAt.slice(0, 10), decisionReference: 'DEL-1', votedAt });
    [vote(5_000_000, '2026-01-10T09:00:00.000Z'), vote(7_500_000, '2026-06-10T09:00:00.000Z')].forEach(replay.apply);
    expect(replay.facts().envelopes).toEqual([expect.objectContaining({ guarantorId: 'fcs', capacityCents: 7_500_000, headroomCents: 7_500_000 })]);
  });

  it('follows the guarantee fund: exposure at activation, the claim, the fund’s recovery and the loss, each dated', () => {
    const replay = createReplay();
    [
      guaranteeActivated(TENANT, 'loan-g', 200_000, '2026-02-01T09:00:00.000Z'),
      ...guaranteeLoss(TENANT, 'loan-g', { outstandingCents: 160_000, claimCents: 80_000, calledAt: '2026-09-01T09:00:00.000Z', paidOn: '2026-09-10', recoveryCents: 20_000, fundShareCents: 10_000, recoveredAt: '2026-10-01T09:00:00.000Z', lossCents: 70_000, writtenOffAt: '2026-12-01T09:00:00.000Z' }),
    ].forEach(replay.apply);
    const { loans, activity } = replay.facts();
    expect(loans).toEqual([expect.objectContaining({ product: 'classic', guaranteedCents: 100_000, guaranteeExposureCents: 0, guaranteeClaimCents: 80_000, guaranteeClaimPaidCents: 80_000, guarantorRecoveredCents: 10_000, guaranteeLossCents: 70_000 })]);
    expect(activity.map((row) => [row.kind, row.occurredOn, row.cents])).toEqual([
      ['guaranteeActivated', '2026-02-01', 100_000],
      ['guaranteeCalled', '2026-09-01', 80_000],
      ['guaranteeClaimPaid', '2026-09-10', 80_000],
      ['guarantorRecovery', '2026-10-01', 10_000],
      ['guaranteeLoss', '2026-12-01', 70_000],
    ]);
  });

  it('keeps a file’s opening and commission, each escalation with its first contact, supports, refunds and the evaluation', () => {
    const replay = createReplay();
    [
      ...fileOpenedAndDecided(TENANT, 'app-9', '2026-01-05T09:00:00.000Z', '2026-01-20T14:00:00.000Z'),
      ...escalation({ tenantId: TENANT, loanId: 'loan-9', escalationId: 'esc-1', openedAt: '2026-05-06T08:00:00.000Z', deadlineDate: '2026-05-13', contact: { at: '2026-05-07T10:30:00.000Z', minutes: 1_590, workingDays: 1, late: false }, closedAt: '2026-05-20T09:00:00.000Z' }),
      supportGranted(TENANT, 'loan-9', 'sup-1', 'emergencyAid', '2026-05-10', 15_000),
      interestRefundPaid(TENANT, 'loan-9', 5_758, '2026-12-02'),
      evaluationRecorded(TENANT, 'loan-9', '2026-12-01', 'improved', 'satisfied', 'app-10'),
    ].forEach(replay.apply);
    const facts = replay.facts();
    expect(facts.files).toEqual([{ tenantId: TENANT, applicationId: 'app-9', openedAt: '2026-01-05T09:00:00.000Z', commissionDecidedAt: '2026-01-20T14:00:00.000Z', commissionDecision: 'approved' }]);
    expect(facts.escalations).toEqual([
      expect.objectContaining({ escalationId: 'esc-1', loanId: 'loan-9', trigger: 'instalmentMissed', openedAt: '2026-05-06T08:00:00.000Z', deadlineDate: '2026-05-13', delayMinutes: 1_590, delayWorkingDays: 1, late: false, outcome: 'resolved', closedAt: '2026-05-20T09:00:00.000Z' }),
    ]);
    expect(facts.loans).toEqual([expect.objectContaining({ loanId: 'loan-9', interestRefundedCents: 5_758 })]);
    expect(facts.activity.map((row) => [row.kind, row.cents])).toEqual([
      ['support:emergencyAid', 15_000],
      ['interestRefundPaid', 5_758],
    ]);
    expect(facts.evaluations).toEqual([expect.objectContaining({ loanId: 'loan-9', employment: 'improved', satisfaction: 'satisfied', newProject: true, heldOn: '2026-12-01' })]);
  });
});
