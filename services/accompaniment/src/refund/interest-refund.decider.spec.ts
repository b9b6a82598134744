import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import { annuitySchedule, extendTerm, interestPaid, type ScheduleLine } from '@tremplin/finance';
import type { InterestRefundCommand, Sealed } from './interest-refund.commands';
import { interestRefundDecider, type InterestRefundState } from './interest-refund.decider';
import type { InterestRefundEvent } from './interest-refund.events';
import type { RefundPolicyVersion } from './refund-policy.decider';

const spec = deciderSpec(interestRefundDecider);
const referent = { userId: 'sw-sophie', role: 'socialWorker' };
const commissioner = { userId: 'com-marc', role: 'commissionMember' };
const NOW = '2028-02-10T09:00:00.000Z';
const tarbes: RefundPolicyVersion = { version: 1, rule: 'everyCompletedLoan', effectiveFrom: '2020-01-01', decisionReference: 'CA-2020-01' };
const laval: RefundPolicyVersion = { version: 2, rule: 'noLateInstalment', effectiveFrom: '2021-01-01', decisionReference: 'CA-2021-04' };
const sealed = (ct: string): Sealed => ({ $pii: { k: 'key-1', iv: 'iv', ct, tag: 'tag' } });

const refusedWith = (kind: DomainError['kind'], code: string, field: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && error.field === field;

// Lending's payments of a schedule, as the consumer notes them from lending.instalment-paid.v1.
const paymentsOf = (lines: readonly ScheduleLine[]): InterestRefundEvent[] =>
  lines.map((line) => ({ type: 'InstalmentPaymentNoted', data: { interestPaidCents: line.interest, paidOn: line.dueDate } }));
const assess = (interestPaidTotalCents: number, policy: RefundPolicyVersion | undefined, everLate = false): InterestRefundCommand => ({
  type: 'AssessInterestRefund',
  interestPaidTotalCents,
  everLate,
  repaidAt: '2028-01-05T10:00:00.000Z',
  policy,
});
const decideAll = (events: InterestRefundEvent[], command: InterestRefundCommand) => {
  let state: InterestRefundState = interestRefundDecider.initialState();
  for (const event of events) state = interestRefundDecider.evolve(state, event);
  return interestRefundDecider.decide(command, state);
};

// The classic loan of the source: 1,825 € over 24 months at 3 %, disbursed in January 2026.
const classic = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-05' });

describe('the interest refund of a classic loan of 1,825 € over 24 months at 3 %', () => {
  it('refunds exactly the interest the borrower paid under the Tarbes rule (every completed loan): 57.58 €', () => {
    const payments = paymentsOf(classic.lines);
    const paid = interestPaid(classic.lines.map((line) => ({ interestCents: line.interest })));
    expect(paid).toBe(5_758);
    const [owed] = decideAll(payments, assess(paid, tarbes));
    expect(owed).toEqual({
      type: 'InterestRefundOwed',
      data: { amountCents: 5_758, interestNotedCents: 5_758, policyVersion: 1, rule: 'everyCompletedLoan', late: false, repaidAt: '2028-01-05T10:00:00.000Z' },
    });
  });

  it('repaid on time refunds the same 57.58 € under the Laval rule (no late instalment)', () => {
    const [owed] = decideAll(paymentsOf(classic.lines), assess(5_758, laval));
    expect(owed).toMatchObject({ type: 'InterestRefundOwed', data: { amountCents: 5_758, policyVersion: 2, rule: 'noLateInstalment', late: false } });
  });

  it('with one late instalment, still refunds it under the Tarbes rule and refunds nothing under the Laval rule', () => {
    const late: InterestRefundEvent[] = [...paymentsOf(classic.lines.slice(0, 4)), { type: 'LateInstalmentNoted', data: { instalmentNumber: 5, dueDate: classic.lines[4].dueDate } }, ...paymentsOf(classic.lines.slice(4))];
    const [underTarbes] = decideAll(late, assess(5_758, tarbes, true));
    expect(underTarbes).toMatchObject({ type: 'InterestRefundOwed', data: { amountCents: 5_758, late: true } });
    spec.given(late).when(assess(5_758, laval, true)).then([
      { type: 'InterestRefundNotOwed', data: { reason: 'LATE_INSTALMENT', interestPaidCents: 5_758, late: true, repaidAt: '2028-01-05T10:00:00.000Z', policyVersion: 2, rule: 'noLateInstalment' } },
    ]);
  });

  it('counts an instalment as late under the Laval rule when lending reported it missed, even if the repayment says never late', () => {
    const missed: InterestRefundEvent[] = [{ type: 'LateInstalmentNoted', data: { instalmentNumber: 3, dueDate: '2026-04-05' } }];
    expect(decideAll(missed, assess(5_758, laval, false))).toMatchObject([{ type: 'InterestRefundNotOwed', data: { reason: 'LATE_INSTALMENT' } }]);
  });

  it('after a term extension refunds the interest actually paid, not the original schedule’s', () => {
    const extended = extendTerm({ annualRateBasisPoints: 300, anchorDueDate: '2026-02-05', remainingLines: classic.lines.slice(6) }, { remainingInstalments: 30 });
    const lines = [...classic.lines.slice(0, 6), ...extended.lines];
    const history: InterestRefundEvent[] = [...paymentsOf(classic.lines.slice(0, 6)), { type: 'ReschedulingNoted', data: { kind: 'termExtension' } }, ...paymentsOf(extended.lines)];
    const paid = interestPaid(lines.map((line) => ({ interestCents: line.interest })));
    expect(paid).not.toBe(classic.totalInterest);
    const [owed] = decideAll(history, assess(paid, tarbes));
    expect(owed).toMatchObject({ type: 'InterestRefundOwed', data: { amountCents: paid, interestNotedCents: paid } });
  });
});

describe('a loan being repaid (no refund assessed yet)', () => {
  it('notes each payment’s interest, each missed instalment once, and each rescheduling', () => {
    spec.given([]).when({ type: 'NoteInstalmentPaid', interestPaidCents: 456, paidOn: '2026-02-05' }).then([{ type: 'InstalmentPaymentNoted', data: { interestPaidCents: 456, paidOn: '2026-02-05' } }]);
    spec.given([]).when({ type: 'NoteInstalmentMissed', instalmentNumber: 2, dueDate: '2026-03-05' }).then([{ type: 'LateInstalmentNoted', data: { instalmentNumber: 2, dueDate: '2026-03-05' } }]);
    spec.given([{ type: 'LateInstalmentNoted', data: { instalmentNumber: 2, dueDate: '2026-03-05' } }]).when({ type: 'NoteInstalmentMissed', instalmentNumber: 2, dueDate: '2026-03-05' }).thenNothing();
    spec.given([]).when({ type: 'NoteLoanRescheduled', kind: 'holiday' }).then([{ type: 'ReschedulingNoted', data: { kind: 'holiday' } }]);
  });

  it('refuses a payment whose interest is not a whole number of cents', () => {
    spec.given([]).when({ type: 'NoteInstalmentPaid', interestPaidCents: -1, paidOn: '2026-02-05' }).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'interestPaidCents'));
    spec.given([]).when({ type: 'NoteInstalmentPaid', interestPaidCents: 4.5, paidOn: '2026-02-05' }).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'interestPaidCents'));
  });

  it('owes nothing without a policy in force, under a policy that refunds none, or when no interest was paid', () => {
    spec.given([]).when(assess(5_758, undefined)).then([{ type: 'InterestRefundNotOwed', data: { reason: 'NO_POLICY_IN_FORCE', interestPaidCents: 5_758, late: false, repaidAt: '2028-01-05T10:00:00.000Z' } }]);
    expect(decideAll([], assess(5_758, { ...tarbes, version: 3, rule: 'none' }))).toMatchObject([{ type: 'InterestRefundNotOwed', data: { reason: 'POLICY_REFUNDS_NONE', policyVersion: 3 } }]);
    expect(decideAll([], assess(0, tarbes))).toMatchObject([{ type: 'InterestRefundNotOwed', data: { reason: 'NO_INTEREST_PAID' } }]);
  });

  it('refuses a repaid total that is not a whole number of cents', () => {
    spec.given([]).when(assess(-5, tarbes)).thenThrows(refusedWith('rule', 'AMOUNT_INVALID', 'interestPaidTotalCents'));
  });

  it('refuses every refund step before the loan is repaid: unknown loan 404, loan still being repaid 409', () => {
    const steps: InterestRefundCommand[] = [
      bankDetails(),
      { type: 'ProposeInterestRefund', now: NOW, actor: referent },
      { type: 'DeclineInterestRefund', reasonCode: 'BUDGET_EXHAUSTED', decisionReference: 'COM-2028-02', now: NOW, actor: commissioner },
      { type: 'ApproveInterestRefund', decisionReference: 'COM-2028-02', now: NOW, actor: commissioner },
      { type: 'RecordRefundPayment', paidOn: '2028-02-10', paymentReference: 'VIR-1', now: NOW, actor: referent },
    ];
    for (const step of steps) {
      spec.given([]).when(step).thenThrows(refusedWith('notFound', 'REFUND_NOT_FOUND', 'loanId'));
      spec.given(paymentsOf(classic.lines.slice(0, 1))).when(step).thenThrows(refusedWith('state', 'LOAN_NOT_REPAID', 'loanId'));
    }
  });
});

const owed: InterestRefundEvent = {
  type: 'InterestRefundOwed',
  data: { amountCents: 5_758, interestNotedCents: 5_758, policyVersion: 1, rule: 'everyCompletedLoan', late: false, repaidAt: '2028-01-05T10:00:00.000Z' },
};
const bankDetails = (ibanProblem?: 'IBAN_CHECKSUM'): InterestRefundCommand => ({
  type: 'RecordRefundBankDetails',
  personId: 'ben-42',
  bankDetails: { iban: sealed('iban'), holder: sealed('holder') },
  ibanProblem,
  actor: referent,
});
const detailsRecorded: InterestRefundEvent = { type: 'RefundBankDetailsRecorded', data: { personId: 'ben-42', iban: sealed('iban'), holder: sealed('holder'), recordedBy: 'sw-sophie' } };
const proposed: InterestRefundEvent = { type: 'InterestRefundProposed', data: { amountCents: 5_758, proposedBy: 'sw-sophie', proposedAt: NOW } };
const approve = (actor = commissioner): InterestRefundCommand => ({ type: 'ApproveInterestRefund', decisionReference: 'COM-2028-02', now: NOW, actor });
const approved: InterestRefundEvent = { type: 'InterestRefundApproved', data: { amountCents: 5_758, decisionReference: 'COM-2028-02', approvedBy: 'com-marc', approvedAt: NOW } };
const pay = (paidOn = '2028-02-10'): InterestRefundCommand => ({ type: 'RecordRefundPayment', paidOn, paymentReference: 'VIR-2028-0012', now: NOW, actor: referent });

describe('a refund owed', () => {
  it('takes the borrower’s bank details, sealed, once the IBAN is valid', () => {
    spec.given([owed]).when(bankDetails()).then([detailsRecorded]);
    spec.given([owed]).when(bankDetails('IBAN_CHECKSUM')).thenThrows(refusedWith('rule', 'IBAN_INVALID', 'iban'));
    spec.given([owed]).when({ ...bankDetails(), personId: 'not an id' } as InterestRefundCommand).thenThrows(refusedWith('rule', 'VALIDATION_FAILED', 'personId'));
  });

  it('is proposed by the referent once the bank details are recorded, not before', () => {
    spec.given([owed]).when({ type: 'ProposeInterestRefund', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'BANK_DETAILS_MISSING', 'iban'));
    spec.given([owed, detailsRecorded]).when({ type: 'ProposeInterestRefund', now: NOW, actor: referent }).then([proposed]);
  });

  it('cannot be approved or paid before it is proposed', () => {
    spec.given([owed, detailsRecorded]).when(approve()).thenThrows(refusedWith('state', 'REFUND_NOT_PROPOSED', 'loanId'));
    spec.given([owed, detailsRecorded]).when(pay()).thenThrows(refusedWith('state', 'REFUND_NOT_APPROVED', 'loanId'));
  });

  it('is assessed once: a second repayment message is refused, later lending facts change nothing', () => {
    spec.given([owed]).when(assess(5_758, tarbes)).thenThrows(refusedWith('state', 'REFUND_ALREADY_ASSESSED', 'loanId'));
    spec.given([owed]).when({ type: 'NoteInstalmentPaid', interestPaidCents: 10, paidOn: '2028-01-06' }).thenNothing();
    spec.given([owed]).when({ type: 'NoteInstalmentMissed', instalmentNumber: 9, dueDate: '2027-01-05' }).thenNothing();
    spec.given([owed]).when({ type: 'NoteLoanRescheduled', kind: 'holiday' }).thenNothing();
  });
});

describe('a refund not owed', () => {
  const notOwed: InterestRefundEvent = { type: 'InterestRefundNotOwed', data: { reason: 'LATE_INSTALMENT', interestPaidCents: 5_758, policyVersion: 2, rule: 'noLateInstalment', late: true, repaidAt: NOW } };
  it('takes no bank details, no proposal, no decision, no payment', () => {
    spec.given([notOwed]).when(bankDetails()).thenThrows(refusedWith('state', 'REFUND_NOT_OWED', 'loanId'));
    spec.given([notOwed]).when({ type: 'DeclineInterestRefund', reasonCode: 'LATE', decisionReference: 'COM-1', now: NOW, actor: commissioner }).thenThrows(refusedWith('state', 'REFUND_NOT_OWED', 'loanId'));
    spec.given([notOwed]).when(assess(5_758, tarbes)).thenThrows(refusedWith('state', 'REFUND_ALREADY_ASSESSED', 'loanId'));
    spec.given([notOwed]).when({ type: 'ProposeInterestRefund', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'REFUND_NOT_OWED', 'loanId'));
    spec.given([notOwed]).when(approve()).thenThrows(refusedWith('state', 'REFUND_NOT_OWED', 'loanId'));
    spec.given([notOwed]).when(pay()).thenThrows(refusedWith('state', 'REFUND_NOT_OWED', 'loanId'));
  });
});

describe('a refund proposed', () => {
  const given = [owed, detailsRecorded, proposed];
  it('is approved by a commission member other than the referent who proposed it', () => {
    spec.given(given).when(approve()).then([approved]);
    spec.given(given).when(approve({ userId: 'sw-sophie', role: 'ccasDirector' })).thenThrows(refusedWith('state', 'REFUND_PROPOSER_CANNOT_DECIDE', 'actor'));
  });

  it('may be declined with a reason code, by someone other than the proposer', () => {
    const decline = (actor = commissioner, reasonCode = 'BUDGET_EXHAUSTED'): InterestRefundCommand => ({ type: 'DeclineInterestRefund', reasonCode, decisionReference: 'COM-2028-02', now: NOW, actor });
    spec.given(given).when(decline()).then([{ type: 'InterestRefundDeclined', data: { reasonCode: 'BUDGET_EXHAUSTED', decisionReference: 'COM-2028-02', declinedBy: 'com-marc', declinedAt: NOW } }]);
    spec.given(given).when(decline(referent)).thenThrows(refusedWith('state', 'REFUND_PROPOSER_CANNOT_DECIDE', 'actor'));
    spec.given(given).when(decline(commissioner, 'no budget')).thenThrows(refusedWith('rule', 'REASON_CODE_INVALID', 'reasonCode'));
  });

  it('refuses a decision without a reference code, a second proposal, and new bank details', () => {
    spec.given(given).when({ ...approve(), decisionReference: 'the commission agreed' } as InterestRefundCommand).thenThrows(refusedWith('rule', 'DECISION_REFERENCE_INVALID', 'decisionReference'));
    spec.given(given).when({ type: 'ProposeInterestRefund', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'REFUND_ALREADY_PROPOSED', 'loanId'));
    spec.given(given).when(bankDetails()).thenThrows(refusedWith('state', 'REFUND_ALREADY_PROPOSED', 'iban'));
  });
});

describe('a refund declined', () => {
  const declined: InterestRefundEvent = { type: 'InterestRefundDeclined', data: { reasonCode: 'BUDGET_EXHAUSTED', decisionReference: 'COM-2028-02', declinedBy: 'com-marc', declinedAt: NOW } };
  it('takes no new bank details and no new proposal', () => {
    spec.given([owed, detailsRecorded, proposed, declined]).when(bankDetails()).thenThrows(refusedWith('state', 'REFUND_DECLINED', 'loanId'));
    spec.given([owed, detailsRecorded, proposed, declined]).when({ type: 'ProposeInterestRefund', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'REFUND_DECLINED', 'loanId'));
  });

  it('is neither approved nor paid', () => {
    spec.given([owed, detailsRecorded, proposed, declined]).when(approve()).thenThrows(refusedWith('state', 'REFUND_DECLINED', 'loanId'));
    spec.given([owed, detailsRecorded, proposed, declined]).when(pay()).thenThrows(refusedWith('state', 'REFUND_DECLINED', 'loanId'));
  });
});

describe('a refund approved', () => {
  const given = [owed, detailsRecorded, proposed, approved];
  it('is paid for the amount approved, on a day between the approval and today', () => {
    spec.given(given).when(pay()).then([{ type: 'InterestRefundPaid', data: { amountCents: 5_758, paidOn: '2028-02-10', paymentReference: 'VIR-2028-0012', recordedBy: 'sw-sophie', recordedAt: NOW } }]);
    spec.given(given).when(pay('2028-02-11')).thenThrows(refusedWith('rule', 'PAYMENT_DATE_IN_FUTURE', 'paidOn'));
    spec.given(given).when(pay('2028-02-09')).thenThrows(refusedWith('rule', 'PAYMENT_BEFORE_APPROVAL', 'paidOn'));
    spec.given(given).when(pay('10/02/2028')).thenThrows(refusedWith('rule', 'DATE_INVALID', 'paidOn'));
    spec.given(given).when({ ...pay(), paymentReference: 'wire' } as InterestRefundCommand).thenThrows(refusedWith('rule', 'PAYMENT_REFERENCE_INVALID', 'paymentReference'));
  });

  it('takes no new bank details, proposal or decline', () => {
    spec.given(given).when(bankDetails()).thenThrows(refusedWith('state', 'REFUND_ALREADY_PROPOSED', 'iban'));
    spec.given(given).when({ type: 'ProposeInterestRefund', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'REFUND_ALREADY_PROPOSED', 'loanId'));
    spec.given(given).when({ type: 'DeclineInterestRefund', reasonCode: 'LATE', decisionReference: 'COM-2028-03', now: NOW, actor: { userId: 'dir-anne', role: 'ccasDirector' } }).thenThrows(refusedWith('state', 'REFUND_ALREADY_APPROVED', 'loanId'));
  });

  it('is approved once', () => {
    spec.given(given).when(approve({ userId: 'dir-anne', role: 'ccasDirector' })).thenThrows(refusedWith('state', 'REFUND_ALREADY_APPROVED', 'loanId'));
  });
});

describe('a refund paid', () => {
  it('is paid once', () => {
    const paid: InterestRefundEvent = { type: 'InterestRefundPaid', data: { amountCents: 5_758, paidOn: '2028-02-10', paymentReference: 'VIR-2028-0012', recordedBy: 'sw-sophie', recordedAt: NOW } };
    spec.given([owed, detailsRecorded, proposed, approved, paid]).when(pay()).thenThrows(refusedWith('state', 'REFUND_ALREADY_PAID', 'loanId'));
    spec.given([owed, detailsRecorded, proposed, approved, paid]).when(approve({ userId: 'dir-anne', role: 'ccasDirector' })).thenThrows(refusedWith('state', 'REFUND_ALREADY_APPROVED', 'loanId'));
  });
});
