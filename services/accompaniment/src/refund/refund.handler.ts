import type { CommandExecutor, Outcome } from '@tremplin/commands';
import { decodeEvent, notFoundError, ruleError, stateError } from '@tremplin/event-sourcing';
import { ibanProblem, normaliseIban } from '@tremplin/finance';
import { PersonErasedError, type PrivacyVault } from '@tremplin/privacy';
import type { PoolClient } from '@tremplin/pg';
import { fromInput, recordedEvents, type Clock, type CommandInput } from '@tremplin/service-kit';
import { planAggregate } from '../plan/plan.decider';
import { planStreamId } from '../plan/plan.events';
import { metadataFromContext } from '@tremplin/tenancy';
import type { InterestRefundCommand, Sealed } from './interest-refund.commands';
import { interestRefundAggregate, type InterestRefundState } from './interest-refund.decider';
import { interestRefundStreamId } from './interest-refund.events';
import type { RefundPolicyCommand, RefundRule } from './refund-policy.commands';
import { policyInForce, refundPolicyAggregate, type RefundPolicyState } from './refund-policy.decider';
import { REFUND_POLICY_STREAM_ID } from './refund-policy.events';
import { refundMessages } from './refund.outbound';

export const REFUND_HANDLER = Symbol('REFUND_HANDLER');
export type RefundHandler = ReturnType<typeof createRefundHandler>;

/** Lending's facts, without what the handler adds (the policy in force is read in the command's transaction). */
export type LendingFact =
  | Extract<InterestRefundCommand, { type: 'NoteInstalmentPaid' | 'NoteInstalmentMissed' | 'NoteLoanRescheduled' }>
  | Omit<Extract<InterestRefundCommand, { type: 'AssessInterestRefund' }>, 'policy'>;

export interface MessageOptions {
  readonly commandId: string;
  readonly tx: PoolClient;
  readonly causationId: string;
}

export interface PolicyBody {
  readonly rule: RefundRule;
  readonly effectiveFrom: string;
  readonly decisionReference: string;
}
export interface BudgetBody {
  readonly budgetCents: number;
  readonly decisionReference: string;
}
export interface BankDetailsBody {
  readonly personId: string;
  readonly iban: string;
  readonly holder: string;
}
export interface DecisionBody {
  readonly decisionReference: string;
}
export interface DeclineBody extends DecisionBody {
  readonly reasonCode: string;
}
export interface PaymentBody {
  readonly paidOn: string;
  readonly paymentReference: string;
}

export interface RefundHandlerDeps {
  readonly executor: CommandExecutor;
  readonly clock: Clock;
  readonly vault: PrivacyVault;
}

const summaryOf = (state: InterestRefundState) => ({
  status: state.status,
  ...(state.status === 'owed' || state.status === 'proposed' || state.status === 'approved' || state.status === 'declined' || state.status === 'paid'
    ? { amountCents: state.amountCents, policyVersion: state.policyVersion, rule: state.rule }
    : {}),
  ...(state.status === 'notOwed'
    ? { reason: state.reason, interestPaidCents: state.interestPaidCents, ...(state.policyVersion === undefined ? {} : { policyVersion: state.policyVersion, rule: state.rule }) }
    : {}),
});

export function createRefundHandler(deps: RefundHandlerDeps) {
  const refundCommand = (loanId: string, input: CommandInput<unknown>, now: string, command: InterestRefundCommand, statusCode: 200 | 201 = 200): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: interestRefundAggregate,
      ...fromInput(input, now),
      streamId: interestRefundStreamId(loanId),
      command,
      toMessages: (decided) => refundMessages(input.tenantId, loanId, decided.before, decided.recorded),
      respond: (decided) => ({ statusCode, body: { loanId, ...summaryOf(decided.after), streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) } }),
    });

  const policyCommand = (input: CommandInput<unknown>, command: RefundPolicyCommand, now: string): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: refundPolicyAggregate,
      ...fromInput(input, now),
      streamId: REFUND_POLICY_STREAM_ID,
      command,
      respond: (decided) => ({ statusCode: 201, body: { ...policyView(decided.after), streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) } }),
    });

  return {
    recordPolicyVersion(input: CommandInput<PolicyBody>): Promise<Outcome> {
      return policyCommand(input, { type: 'RecordRefundPolicyVersion', ...input.body, actor: input.actor }, deps.clock().toISOString());
    },

    setBudget(year: number, input: CommandInput<BudgetBody>): Promise<Outcome> {
      return policyCommand(input, { type: 'SetOptionalAidBudget', year, ...input.body, actor: input.actor }, deps.clock().toISOString());
    },

    /** A lending fact, in the inbox transaction of its message; the repayment is assessed under the policy in force that day. */
    fromLending(tenantId: string, loanId: string, fact: LendingFact, options: MessageOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return deps.executor.execute({
        aggregate: interestRefundAggregate,
        tenantId,
        streamId: interestRefundStreamId(loanId),
        command:
          fact.type === 'AssessInterestRefund'
            ? async (_state, read) => {
                const policy: RefundPolicyState = await read.load(refundPolicyAggregate, tenantId, REFUND_POLICY_STREAM_ID);
                return { ...fact, policy: policyInForce(policy, fact.repaidAt.slice(0, 10)) };
              }
            : fact,
        commandId: options.commandId,
        metadata: metadataFromContext(now, { causationId: options.causationId }),
        toMessages: (decided) => refundMessages(tenantId, loanId, decided.before, decided.recorded),
        respond: (decided) => ({ statusCode: 200, body: { loanId, ...summaryOf(decided.after) } }),
        tx: options.tx,
      });
    },

    async recordBankDetails(loanId: string, input: CommandInput<BankDetailsBody>): Promise<Outcome> {
      const { personId, iban, holder } = input.body;
      // Checked before sealing: an invalid IBAN is refused without creating anything for the person.
      const problem = ibanProblem(iban);
      if (problem) throw ruleError('IBAN_INVALID', `the IBAN is not valid (${problem})`, 'iban');
      // The refund goes to the borrower the plan follows, when it names one: their key seals the details, so their
      // erasure shreds them.
      const plan = (await deps.executor.read(planAggregate, input.tenantId, planStreamId(loanId))).state;
      if (plan.status === 'open' && plan.beneficiaryId !== undefined && plan.beneficiaryId !== personId) {
        throw stateError('PERSON_NOT_BORROWER', 'the loan’s plan follows another person: the refund goes to the borrower', 'personId');
      }
      let sealed: { iban: Sealed; holder: Sealed };
      try {
        sealed = (await deps.vault.encryptFields(input.tenantId, personId, { iban: normaliseIban(iban), holder }, ['iban', 'holder'])) as unknown as { iban: Sealed; holder: Sealed };
      } catch (error) {
        if (error instanceof PersonErasedError) throw stateError('PERSON_ERASED', 'the person’s data was erased: no bank details are recorded for them', 'personId');
        throw error;
      }
      return refundCommand(loanId, input, deps.clock().toISOString(), { type: 'RecordRefundBankDetails', personId, bankDetails: sealed, ibanProblem: undefined, actor: input.actor }, 201);
    },

    propose(loanId: string, input: CommandInput<Record<string, never>>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return refundCommand(loanId, input, now, { type: 'ProposeInterestRefund', now, actor: input.actor });
    },

    approve(loanId: string, input: CommandInput<DecisionBody>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return refundCommand(loanId, input, now, { type: 'ApproveInterestRefund', ...input.body, now, actor: input.actor });
    },

    decline(loanId: string, input: CommandInput<DeclineBody>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return refundCommand(loanId, input, now, { type: 'DeclineInterestRefund', ...input.body, now, actor: input.actor });
    },

    pay(loanId: string, input: CommandInput<PaymentBody>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return refundCommand(loanId, input, now, { type: 'RecordRefundPayment', ...input.body, now, actor: input.actor });
    },

    /** One refund from its stream, with the bank details opened for the CCAS that pays it ("[erased]" once erased). */
    async detail(tenantId: string, loanId: string) {
      const { state, events } = await deps.executor.read(interestRefundAggregate, tenantId, interestRefundStreamId(loanId));
      if (state.status === 'unknown') throw notFoundError('REFUND_NOT_FOUND', 'no repayment of this loan is known to the accompaniment service', 'loanId');
      const detailsEvent = events
        .map((record) => decodeEvent(interestRefundAggregate, record))
        .filter((event) => event.type === 'RefundBankDetailsRecorded')
        .at(-1);
      const bankDetails = detailsEvent ? await deps.vault.decryptFields(tenantId, { personId: detailsEvent.data.personId, iban: detailsEvent.data.iban, holder: detailsEvent.data.holder }) : undefined;
      return {
        loanId,
        ...summaryOf(state),
        facts: state.facts,
        ...(state.status === 'proposed' || state.status === 'approved' || state.status === 'declined' || state.status === 'paid' ? { proposedBy: state.proposedBy, proposedAt: state.proposedAt } : {}),
        ...(state.status === 'approved' || state.status === 'paid' ? { approvedBy: state.approvedBy, approvedAt: state.approvedAt, decisionReference: state.decisionReference } : {}),
        ...(state.status === 'paid' ? { paidOn: state.paidOn, paymentReference: state.paymentReference } : {}),
        ...(bankDetails ? { bankDetails } : {}),
        streamVersion: events.length,
      };
    },

    async policy(tenantId: string) {
      const { state, events } = await deps.executor.read(refundPolicyAggregate, tenantId, REFUND_POLICY_STREAM_ID);
      return { ...policyView(state), streamVersion: events.length };
    },
  };
}

function policyView(state: RefundPolicyState) {
  return { versions: state.versions, budgets: Object.entries(state.budgets).map(([year, budgetCents]) => ({ year: Number(year), budgetCents })) };
}

