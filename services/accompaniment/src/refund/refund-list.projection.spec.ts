import type { RecordedEvent } from '@tremplin/event-sourcing';
import { initialInterestRefundState } from './interest-refund.decider';
import type { InterestRefundEvent } from './interest-refund.events';
import { refundMessages } from './refund.outbound';
import { evolveRefundPolicyRow, evolveRefundRow, type RefundRow } from './refund-list.projection';
import type { RefundPolicyEvent } from './refund-policy.events';

const AT = '2028-02-10T09:00:00.000Z';
const sealed = (ct: string) => ({ $pii: { k: 'key-1', iv: 'iv', ct, tag: 'tag' } });
const recorded = (event: InterestRefundEvent | RefundPolicyEvent, streamVersion: number, streamId = 'refund-loan-1'): RecordedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(streamVersion).padStart(12, '0')}`,
  type: event.type,
  schemaVersion: 1,
  data: event.data,
  metadata: { correlationId: 'corr-1', occurredAt: AT, actorId: 'sw-sophie' },
  tenantId: 'ccas-laval',
  streamId,
  streamVersion,
  globalPosition: BigInt(streamVersion),
  transactionId: 1n,
  recordedAt: AT,
  hash: 'h',
  previousHash: 'p',
});

const journey: InterestRefundEvent[] = [
  { type: 'InstalmentPaymentNoted', data: { interestPaidCents: 456, paidOn: '2026-02-05' } },
  { type: 'LateInstalmentNoted', data: { instalmentNumber: 2, dueDate: '2026-03-05' } },
  { type: 'ReschedulingNoted', data: { kind: 'holiday' } },
  { type: 'InterestRefundOwed', data: { amountCents: 5_758, interestNotedCents: 456, policyVersion: 1, rule: 'everyCompletedLoan', late: true, repaidAt: '2028-01-05T10:00:00.000Z' } },
  { type: 'RefundBankDetailsRecorded', data: { personId: 'ben-42', iban: sealed('iban'), holder: sealed('holder'), recordedBy: 'sw-sophie' } },
  { type: 'InterestRefundProposed', data: { amountCents: 5_758, proposedBy: 'sw-sophie', proposedAt: AT } },
  { type: 'InterestRefundApproved', data: { amountCents: 5_758, decisionReference: 'COM-2028-02', approvedBy: 'com-marc', approvedAt: AT } },
  { type: 'InterestRefundPaid', data: { amountCents: 5_758, paidOn: '2028-02-10', paymentReference: 'VIR-1', recordedBy: 'sw-sophie', recordedAt: AT } },
];
const records = journey.map((event, index) => recorded(event, index + 1));
const fold = (events: readonly RecordedEvent[]) => events.reduce<RefundRow | undefined>(evolveRefundRow, undefined);

describe('the refund list row', () => {
  it('folds a refund from the first payment noted to its payment, with ids, codes and amounts only', () => {
    expect(fold(records)).toEqual({
      tenantId: 'ccas-laval',
      loanId: 'loan-1',
      status: 'paid',
      interestNotedCents: 456,
      lateInstalments: 1,
      reschedulings: 1,
      amountCents: 5_758,
      notOwedReason: null,
      policyVersion: 1,
      rule: 'everyCompletedLoan',
      late: true,
      repaidAt: '2028-01-05T10:00:00.000Z',
      bankDetailsRecorded: true,
      proposedBy: 'sw-sophie',
      proposedAt: AT,
      decidedBy: 'com-marc',
      decidedAt: AT,
      decisionReference: 'COM-2028-02',
      declineReason: null,
      paidOn: '2028-02-10',
      paymentReference: 'VIR-1',
      streamVersion: 8,
      updatedAt: AT,
    });
    expect(JSON.stringify(fold(records))).not.toContain('$pii');
  });

  it('leaves the row as it is for an event already applied (a replayed batch)', () => {
    const row = fold(records.slice(0, 4));
    expect(evolveRefundRow(row, records[2])).toBe(row);
  });

  it('shows a refund not owed with its reason and no amount', () => {
    const row = fold([recorded({ type: 'InterestRefundNotOwed', data: { reason: 'LATE_INSTALMENT', interestPaidCents: 5_758, policyVersion: 2, rule: 'noLateInstalment', late: true, repaidAt: AT } }, 1)]);
    expect(row).toMatchObject({ status: 'notOwed', notOwedReason: 'LATE_INSTALMENT', amountCents: null, policyVersion: 2 });
  });
});

describe('the refund policy row', () => {
  it('keeps every version and each year’s budget, the latest figure for a year revised', () => {
    const events: RefundPolicyEvent[] = [
      { type: 'RefundPolicyVersionRecorded', data: { version: 1, rule: 'everyCompletedLoan', effectiveFrom: '2020-01-01', decisionReference: 'CA-1', recordedBy: 'dir' } },
      { type: 'OptionalAidBudgetSet', data: { year: 2027, budgetCents: 100, previousBudgetCents: 0, decisionReference: 'BP-1', setBy: 'dir' } },
      { type: 'OptionalAidBudgetSet', data: { year: 2027, budgetCents: 200, previousBudgetCents: 100, decisionReference: 'BP-2', setBy: 'dir' } },
    ];
    const row = events.map((event, index) => recorded(event, index + 1, 'refundpolicy-ccas')).reduce(evolveRefundPolicyRow, undefined);
    expect(row).toMatchObject({ tenantId: 'ccas-laval', versions: [{ version: 1, rule: 'everyCompletedLoan', recordedBy: 'dir' }], budgets: { '2027': 200 }, streamVersion: 3 });
  });
});

describe('the refund contracts', () => {
  it('publish the approval and the payment with the amount and the policy, never the bank details', () => {
    const messages = refundMessages('ccas-laval', 'loan-1', initialInterestRefundState(), records);
    expect(messages.map((message) => [message.name, message.payload])).toEqual([
      ['accompaniment.interest-refund-approved.v1', { tenantId: 'ccas-laval', loanId: 'loan-1', amountCents: 5_758, policyVersion: 1, rule: 'everyCompletedLoan', approvedAt: AT }],
      ['accompaniment.interest-refund-paid.v1', { tenantId: 'ccas-laval', loanId: 'loan-1', amountCents: 5_758, policyVersion: 1, paidOn: '2028-02-10', paidAt: AT }],
    ]);
    expect(JSON.stringify(messages)).not.toMatch(/iban|holder|ben-42/);
  });
});
