import { notFoundError, ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type {
  ApproveInterestRefund,
  AssessInterestRefund,
  DeclineInterestRefund,
  InterestRefundCommand,
  ProposeInterestRefund,
  RecordRefundBankDetails,
  RecordRefundPayment,
} from './interest-refund.commands';
import type { InterestRefundEvent, NotOwedReason } from './interest-refund.events';
import type { RefundRule } from './refund-policy.commands';
import { DECISION_REFERENCE } from './refund-policy.decider';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
const PERSON_ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/;

/** What lending told this service about the loan while it was repaid. */
export interface LoanFacts {
  readonly interestNotedCents: number;
  readonly paymentsNoted: number;
  readonly lateInstalments: readonly number[];
  readonly reschedulings: number;
}

interface Assessed {
  readonly facts: LoanFacts;
  readonly repaidAt: string;
  readonly late: boolean;
}

interface Owed extends Assessed {
  readonly amountCents: number;
  readonly policyVersion: number;
  readonly rule: RefundRule;
  readonly bankDetails?: { readonly personId: string };
}

interface Proposed extends Owed {
  readonly bankDetails: { readonly personId: string };
  readonly proposedBy: string;
  readonly proposedAt: string;
}

interface Approved extends Proposed {
  readonly approvedBy: string;
  readonly approvedAt: string;
  readonly decisionReference: string;
}

export type InterestRefundState =
  | { readonly status: 'unknown' }
  | ({ readonly status: 'following' } & { readonly facts: LoanFacts })
  | ({ readonly status: 'notOwed'; readonly reason: NotOwedReason; readonly interestPaidCents: number; readonly policyVersion?: number; readonly rule?: RefundRule } & Assessed)
  | ({ readonly status: 'owed' } & Owed)
  | ({ readonly status: 'proposed' } & Proposed)
  | ({ readonly status: 'declined'; readonly declinedBy: string; readonly reasonCode: string } & Proposed)
  | ({ readonly status: 'approved' } & Approved)
  | ({ readonly status: 'paid'; readonly paidOn: string; readonly paymentReference: string } & Approved);

export type InterestRefundStatus = InterestRefundState['status'];

const NO_FACTS: LoanFacts = { interestNotedCents: 0, paymentsNoted: 0, lateInstalments: [], reschedulings: 0 };

export const initialInterestRefundState = (): InterestRefundState => ({ status: 'unknown' });

const factsOf = (state: InterestRefundState): LoanFacts => (state.status === 'unknown' ? NO_FACTS : state.facts);

export function evolveInterestRefund(state: InterestRefundState, event: InterestRefundEvent): InterestRefundState {
  switch (event.type) {
    case 'InstalmentPaymentNoted': {
      const facts = factsOf(state);
      return { status: 'following', facts: { ...facts, interestNotedCents: facts.interestNotedCents + event.data.interestPaidCents, paymentsNoted: facts.paymentsNoted + 1 } };
    }
    case 'LateInstalmentNoted': {
      const facts = factsOf(state);
      return { status: 'following', facts: { ...facts, lateInstalments: [...facts.lateInstalments, event.data.instalmentNumber] } };
    }
    case 'ReschedulingNoted': {
      const facts = factsOf(state);
      return { status: 'following', facts: { ...facts, reschedulings: facts.reschedulings + 1 } };
    }
    case 'InterestRefundOwed': {
      const { amountCents, policyVersion, rule, late, repaidAt } = event.data;
      return { status: 'owed', facts: factsOf(state), amountCents, policyVersion, rule, late, repaidAt };
    }
    case 'InterestRefundNotOwed': {
      const { reason, interestPaidCents, policyVersion, rule, late, repaidAt } = event.data;
      return {
        status: 'notOwed',
        facts: factsOf(state),
        reason,
        interestPaidCents,
        late,
        repaidAt,
        ...(policyVersion === undefined ? {} : { policyVersion }),
        ...(rule === undefined ? {} : { rule }),
      };
    }
    case 'RefundBankDetailsRecorded':
      return state.status === 'owed' ? { ...state, bankDetails: { personId: event.data.personId } } : state;
    case 'InterestRefundProposed':
      return state.status === 'owed' && state.bankDetails ? { ...state, bankDetails: state.bankDetails, status: 'proposed', proposedBy: event.data.proposedBy, proposedAt: event.data.proposedAt } : state;
    case 'InterestRefundApproved':
      return state.status === 'proposed'
        ? { ...state, status: 'approved', approvedBy: event.data.approvedBy, approvedAt: event.data.approvedAt, decisionReference: event.data.decisionReference }
        : state;
    case 'InterestRefundDeclined':
      return state.status === 'proposed' ? { ...state, status: 'declined', declinedBy: event.data.declinedBy, reasonCode: event.data.reasonCode } : state;
    case 'InterestRefundPaid':
      return state.status === 'approved' ? { ...state, status: 'paid', paidOn: event.data.paidOn, paymentReference: event.data.paymentReference } : state;
    default:
      return exhaustive(event);
  }
}

export function decideInterestRefund(command: InterestRefundCommand, state: InterestRefundState): InterestRefundEvent[] {
  switch (command.type) {
    case 'NoteInstalmentPaid':
      if (!Number.isSafeInteger(command.interestPaidCents) || command.interestPaidCents < 0) {
        throw ruleError('AMOUNT_INVALID', 'interestPaidCents must be a whole number of cents, 0 or more', 'interestPaidCents');
      }
      // A fact arriving once the refund is assessed changes nothing: lending sends its payments before the repayment.
      return isFollowing(state) ? [{ type: 'InstalmentPaymentNoted', data: { interestPaidCents: command.interestPaidCents, paidOn: command.paidOn } }] : [];
    case 'NoteInstalmentMissed':
      if (!isFollowing(state) || factsOf(state).lateInstalments.includes(command.instalmentNumber)) return [];
      return [{ type: 'LateInstalmentNoted', data: { instalmentNumber: command.instalmentNumber, dueDate: command.dueDate } }];
    case 'NoteLoanRescheduled':
      return isFollowing(state) ? [{ type: 'ReschedulingNoted', data: { kind: command.kind } }] : [];
    case 'AssessInterestRefund':
      return assess(command, state);
    case 'RecordRefundBankDetails':
      return recordBankDetails(command, state);
    case 'ProposeInterestRefund':
      return propose(command, state);
    case 'ApproveInterestRefund':
      return approve(command, state);
    case 'DeclineInterestRefund':
      return decline(command, state);
    case 'RecordRefundPayment':
      return pay(command, state);
    default:
      return exhaustive(command);
  }
}

const isFollowing = (state: InterestRefundState) => state.status === 'unknown' || state.status === 'following';

function assess(command: AssessInterestRefund, state: InterestRefundState): InterestRefundEvent[] {
  if (!isFollowing(state)) throw stateError('REFUND_ALREADY_ASSESSED', 'the loan’s repayment was already assessed for a refund', 'loanId');
  if (!Number.isSafeInteger(command.interestPaidTotalCents) || command.interestPaidTotalCents < 0) {
    throw ruleError('AMOUNT_INVALID', 'interestPaidTotalCents must be a whole number of cents, 0 or more', 'interestPaidTotalCents');
  }
  const facts = factsOf(state);
  // Late if lending says an instalment was ever paid after its due date, or if it reported one missed.
  const late = command.everLate || facts.lateInstalments.length > 0;
  const { policy } = command;
  const notOwed = (reason: NotOwedReason): InterestRefundEvent[] => [
    {
      type: 'InterestRefundNotOwed',
      data: { reason, interestPaidCents: command.interestPaidTotalCents, late, repaidAt: command.repaidAt, ...(policy ? { policyVersion: policy.version, rule: policy.rule } : {}) },
    },
  ];
  if (!policy) return notOwed('NO_POLICY_IN_FORCE');
  switch (policy.rule) {
    case 'none':
      return notOwed('POLICY_REFUNDS_NONE');
    case 'noLateInstalment':
      if (late) return notOwed('LATE_INSTALMENT');
      break;
    case 'everyCompletedLoan':
      break;
    default:
      return exhaustive(policy.rule);
  }
  if (command.interestPaidTotalCents === 0) return notOwed('NO_INTEREST_PAID');
  return [
    {
      type: 'InterestRefundOwed',
      data: {
        amountCents: command.interestPaidTotalCents,
        interestNotedCents: facts.interestNotedCents,
        policyVersion: policy.version,
        rule: policy.rule,
        late,
        repaidAt: command.repaidAt,
      },
    },
  ];
}

/** Refuses a command on a refund that is not (or not yet) owed, whatever the command. */
function requireAssessedOwed(state: InterestRefundState): void {
  switch (state.status) {
    case 'unknown':
      throw notFoundError('REFUND_NOT_FOUND', 'no repayment of this loan is known to the accompaniment service', 'loanId');
    case 'following':
      throw stateError('LOAN_NOT_REPAID', 'the loan is still being repaid: a refund is assessed when it is repaid', 'loanId');
    case 'notOwed':
      throw stateError('REFUND_NOT_OWED', `no interest is refunded for this loan (${state.reason})`, 'loanId');
    case 'declined':
      throw stateError('REFUND_DECLINED', `the commission declined this refund (${state.reasonCode})`, 'loanId');
    case 'owed':
    case 'proposed':
    case 'approved':
    case 'paid':
      return;
    default:
      exhaustive(state);
  }
}

function recordBankDetails(command: RecordRefundBankDetails, state: InterestRefundState): InterestRefundEvent[] {
  if (!PERSON_ID.test(command.personId)) throw ruleError('VALIDATION_FAILED', 'personId is an opaque id', 'personId');
  if (command.ibanProblem) throw ruleError('IBAN_INVALID', `the IBAN is not valid (${command.ibanProblem})`, 'iban');
  requireAssessedOwed(state);
  // Bank details change before the proposal only: what the commission approves is the account it will be paid to.
  if (state.status !== 'owed') throw stateError('REFUND_ALREADY_PROPOSED', 'the refund was proposed with its bank details: they no longer change', 'iban');
  return [{ type: 'RefundBankDetailsRecorded', data: { personId: command.personId, iban: command.bankDetails.iban, holder: command.bankDetails.holder, recordedBy: command.actor.userId } }];
}

function propose(command: ProposeInterestRefund, state: InterestRefundState): InterestRefundEvent[] {
  requireAssessedOwed(state);
  if (state.status !== 'owed') throw stateError('REFUND_ALREADY_PROPOSED', 'the refund was already proposed to the commission', 'loanId');
  if (!state.bankDetails) throw stateError('BANK_DETAILS_MISSING', 'the borrower’s bank details are recorded before the refund is proposed', 'iban');
  return [{ type: 'InterestRefundProposed', data: { amountCents: state.amountCents, proposedBy: command.actor.userId, proposedAt: command.now } }];
}

function requireProposed(state: InterestRefundState, actorId: string) {
  requireAssessedOwed(state);
  switch (state.status) {
    case 'owed':
      throw stateError('REFUND_NOT_PROPOSED', 'the referent proposes the refund before the commission decides on it', 'loanId');
    case 'approved':
    case 'paid':
      throw stateError('REFUND_ALREADY_APPROVED', `the refund was approved by ${state.approvedBy}`, 'loanId');
    case 'proposed':
      // Four eyes: whoever proposed a refund does not decide on it.
      if (state.proposedBy === actorId) throw stateError('REFUND_PROPOSER_CANNOT_DECIDE', 'the refund was proposed by you: another member of the commission decides on it', 'actor');
      return state;
    default:
      throw new Error(`unexpected refund status ${state.status}`);
  }
}

function approve(command: ApproveInterestRefund, state: InterestRefundState): InterestRefundEvent[] {
  checkReference(command.decisionReference);
  const proposed = requireProposed(state, command.actor.userId);
  return [
    { type: 'InterestRefundApproved', data: { amountCents: proposed.amountCents, decisionReference: command.decisionReference, approvedBy: command.actor.userId, approvedAt: command.now } },
  ];
}

function decline(command: DeclineInterestRefund, state: InterestRefundState): InterestRefundEvent[] {
  if (!CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'reasonCode is an UPPER_SNAKE code', 'reasonCode');
  checkReference(command.decisionReference);
  requireProposed(state, command.actor.userId);
  return [{ type: 'InterestRefundDeclined', data: { reasonCode: command.reasonCode, decisionReference: command.decisionReference, declinedBy: command.actor.userId, declinedAt: command.now } }];
}

function pay(command: RecordRefundPayment, state: InterestRefundState): InterestRefundEvent[] {
  if (!CALENDAR_DATE.test(command.paidOn)) throw ruleError('DATE_INVALID', 'paidOn must be YYYY-MM-DD', 'paidOn');
  if (command.paidOn > command.now.slice(0, 10)) throw ruleError('PAYMENT_DATE_IN_FUTURE', `paidOn ${command.paidOn} is after today`, 'paidOn');
  if (!DECISION_REFERENCE.test(command.paymentReference)) throw ruleError('PAYMENT_REFERENCE_INVALID', 'paymentReference is the payment’s code (capitals, digits, - _ . /)', 'paymentReference');
  requireAssessedOwed(state);
  switch (state.status) {
    case 'owed':
    case 'proposed':
      throw stateError('REFUND_NOT_APPROVED', 'a refund is paid once the commission approved it', 'loanId');
    case 'paid':
      throw stateError('REFUND_ALREADY_PAID', `the refund was paid on ${state.paidOn}`, 'loanId');
    case 'approved':
      if (command.paidOn < state.approvedAt.slice(0, 10)) throw ruleError('PAYMENT_BEFORE_APPROVAL', `the refund was approved on ${state.approvedAt.slice(0, 10)}`, 'paidOn');
      return [
        {
          type: 'InterestRefundPaid',
          data: { amountCents: state.amountCents, paidOn: command.paidOn, paymentReference: command.paymentReference, recordedBy: command.actor.userId, recordedAt: command.now },
        },
      ];
    default:
      throw new Error(`unexpected refund status ${state.status}`);
  }
}

function checkReference(reference: string): void {
  if (!DECISION_REFERENCE.test(reference)) throw ruleError('DECISION_REFERENCE_INVALID', 'decisionReference is the decision’s code (capitals, digits, - _ . /)', 'decisionReference');
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const interestRefundDecider: Decider<InterestRefundCommand, InterestRefundEvent, InterestRefundState> = {
  initialState: initialInterestRefundState,
  evolve: evolveInterestRefund,
  decide: decideInterestRefund,
};

/** Refund streams (`refund-<loanId>`), one per loan within a CCAS. */
export const interestRefundAggregate: Aggregate<InterestRefundCommand, InterestRefundEvent, InterestRefundState> = { category: 'refund', decider: interestRefundDecider };
