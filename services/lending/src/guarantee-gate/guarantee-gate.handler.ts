import type { CommandExecutor, Outcome } from '@tremplin/commands';
import { foldStream, stateError, type RecordedEvent } from '@tremplin/event-sourcing';
import type { PoolClient } from '@tremplin/pg';
import { refusalResponse } from '@tremplin/commands';
import { metadataFromContext } from '@tremplin/tenancy';
import { inBankScope, loanAggregate } from '../loan/loan.decider';
import { bankScopeOf, type CommandOptions, type LoanCommandInput, type LoanHandler } from '../loan/loan.handler';
import { loanStreamId } from '../loan/loan.events';
import type { GuaranteeGateCommand } from './guarantee-gate.commands';
import { disbursementRefusal, guaranteeGateAggregate, type GuaranteeGateState } from './guarantee-gate.decider';
import { guaranteeGateStreamId } from './guarantee-gate.events';

export const GUARANTEE_GATE = Symbol('GUARANTEE_GATE');
export type GuaranteeGate = ReturnType<typeof createGuaranteeGate>;

export interface GuaranteeGateDeps {
  readonly executor: CommandExecutor;
  /** How long a signed loan may wait for the fund's answer before the advisor is told it is overdue. */
  readonly answerTimeoutMs: number;
}

/**
 * The disbursement gate across lending and the guarantee fund: lending publishes lending.offer-signed.v1, the fund
 * answers guarantee.guarantee-granted.v1 or -refused.v1 over Kafka, the answer is noted on the loan's gate; until
 * a grant the loan is `awaitingGuarantee` and disbursing it is refused (409 with a code). No HTTP call between
 * services: lending waits, the advisor sees the state and since when.
 */
export function createGuaranteeGate(deps: GuaranteeGateDeps) {
  // Only the fund's answers to the current signature count: an offer withdrawn and signed again waits for a new
  // answer. An answer is caused by the signature through Kafka, so it is stored after it (a higher position).
  const read = async (tenantId: string, loanId: string, loanEvents: readonly RecordedEvent[]): Promise<GuaranteeGateState> => {
    const signature = [...loanEvents].reverse().find((event) => event.type === 'LoanOfferSigned');
    const { events } = await deps.executor.read(guaranteeGateAggregate, tenantId, guaranteeGateStreamId(loanId));
    return foldStream(guaranteeGateAggregate, signature ? events.filter((event) => event.globalPosition > signature.globalPosition) : events);
  };
  return {
    note(tenantId: string, loanId: string, command: GuaranteeGateCommand, options: { commandId: string; tx: PoolClient; causationId: string }): Promise<Outcome> {
      return deps.executor.execute({
        aggregate: guaranteeGateAggregate,
        tenantId,
        streamId: guaranteeGateStreamId(loanId),
        command,
        commandId: options.commandId,
        metadata: metadataFromContext(command.type === 'NoteGuaranteeGranted' ? command.grantedAt : command.refusedAt, { causationId: options.causationId }),
        respond: (decided) => ({ statusCode: 200, body: { loanId, status: decided.after.status } }),
        tx: options.tx,
      });
    },

    /** The gate as the bank advisor sees it, or undefined for a loan not found (or another bank's). */
    async view(tenantId: string, loanId: string, now: Date, bankScope: string | undefined) {
      const { state: loan, events } = await deps.executor.read(loanAggregate, tenantId, loanStreamId(loanId));
      if (events.length === 0 || loan.status === 'none' || !inBankScope(loan, bankScope)) return undefined;
      const gate = await read(tenantId, loanId, events);
      const signedAt = 'signature' in loan ? loan.signature.signedAt : undefined;
      return { loanId, loanStatus: loan.status, ...gateView(gate, signedAt, now, deps.answerTimeoutMs) };
    },

    /** The loan handler, with disbursement refused until the guarantee is granted. */
    guard(loans: LoanHandler): LoanHandler {
      return {
        ...loans,
        async handle(tenantId: string, loanId: string, input: LoanCommandInput, options: CommandOptions): Promise<Outcome> {
          if (input.type === 'DisburseFunds') {
            const { state: loan, events } = await deps.executor.read(loanAggregate, tenantId, loanStreamId(loanId));
            // Only a signed loan in the caller's scope is gated; anything else gets the loan's own answer.
            if (loan.status === 'signed' && inBankScope(loan, bankScopeOf(options.principal))) {
              // A grant to this signature is never taken back, and a new signature needs a new answer: reading the
              // gate before the command's transaction cannot let a loan through.
              const refusal = disbursementRefusal(await read(tenantId, loanId, events));
              if (refusal) {
                const error = stateError(refusal.code, refusal.message, 'loanId');
                return { kind: 'refused', error, response: refusalResponse(error), replayed: false };
              }
            }
          }
          return loans.handle(tenantId, loanId, input, options);
        },
      };
    },
  };
}

export function gateView(gate: GuaranteeGateState, signedAt: string | undefined, now: Date, answerTimeoutMs: number) {
  switch (gate.status) {
    case 'granted':
      return { guarantee: { status: 'granted' as const, guarantorId: gate.guarantorId, guaranteedCents: gate.guaranteedCents, grantedAt: gate.grantedAt }, disbursable: true };
    case 'refused':
      return { guarantee: { status: 'refused' as const, reasonCode: gate.reasonCode, refusedAt: gate.refusedAt }, disbursable: false };
    case 'awaiting': {
      if (!signedAt) return { guarantee: { status: 'notRequested' as const }, disbursable: false };
      const waitedMs = now.getTime() - Date.parse(signedAt);
      return { guarantee: { status: 'awaitingGuarantee' as const, since: signedAt, overdue: waitedMs > answerTimeoutMs }, disbursable: false };
    }
    default: {
      const unhandled: never = gate;
      throw new Error(`unhandled gate ${JSON.stringify(unhandled)}`);
    }
  }
}

