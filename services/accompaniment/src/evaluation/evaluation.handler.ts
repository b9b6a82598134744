import type { CommandExecutor, Outcome } from '@tremplin/commands';
import { notFoundError } from '@tremplin/event-sourcing';
import type { PoolClient } from '@tremplin/pg';
import { fromInput, recordedEvents, type Clock, type CommandInput } from '@tremplin/service-kit';
import { metadataFromContext } from '@tremplin/tenancy';
import type { EvaluationCommand, LoanEnd, Outcomes, Satisfaction, WithoutSupport } from './evaluation.commands';
import { evaluationAggregate, type EvaluationState } from './evaluation.decider';
import { evaluationStreamId } from './evaluation.events';
import { evaluationMessages } from './evaluation.outbound';

export const EVALUATION_HANDLER = Symbol('EVALUATION_HANDLER');
export type EvaluationHandler = ReturnType<typeof createEvaluationHandler>;

export interface EvaluationBody {
  readonly outcomes: Outcomes;
  readonly satisfaction: Satisfaction;
  readonly withoutSupport: WithoutSupport;
  readonly heldOn: string;
  readonly newProjectApplicationId?: string;
}

const viewOf = (state: EvaluationState) => {
  switch (state.status) {
    case 'running':
      return { status: state.status };
    case 'ended':
      return { status: state.status, end: state.end, endedAt: state.endedAt };
    case 'evaluated': {
      const { status, end, endedAt, outcomes, satisfaction, withoutSupport, heldOn, newProjectApplicationId } = state;
      return { status, end, endedAt, outcomes, satisfaction, withoutSupport, heldOn, ...(newProjectApplicationId ? { newProjectApplicationId } : {}) };
    }
    default: {
      const unhandled: never = state;
      throw new Error(`unhandled state ${JSON.stringify(unhandled)}`);
    }
  }
};

export function createEvaluationHandler(deps: { readonly executor: CommandExecutor; readonly clock: Clock }) {
  const run = (loanId: string, input: CommandInput<unknown>, now: string, command: EvaluationCommand, statusCode: 200 | 201): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: evaluationAggregate,
      ...fromInput(input, now),
      streamId: evaluationStreamId(loanId),
      command,
      toMessages: (decided) => evaluationMessages(input.tenantId, loanId, decided.before, decided.recorded),
      respond: (decided) => ({ statusCode, body: { loanId, ...viewOf(decided.after), streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) } }),
    });

  return {
    record(loanId: string, input: CommandInput<EvaluationBody>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(loanId, input, now, { type: 'RecordEndOfLoanEvaluation', ...input.body, now, actor: input.actor }, 201);
    },

    linkNewProject(loanId: string, input: CommandInput<{ readonly applicationId: string }>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(loanId, input, now, { type: 'LinkNewProject', applicationId: input.body.applicationId, now, actor: input.actor }, 201);
    },

    /** Lending reports the loan ended, in the inbox transaction of its message. */
    loanEnded(tenantId: string, loanId: string, end: LoanEnd, endedAt: string, options: { readonly commandId: string; readonly tx: PoolClient; readonly causationId: string }): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return deps.executor.execute({
        aggregate: evaluationAggregate,
        tenantId,
        streamId: evaluationStreamId(loanId),
        command: { type: 'NoteLoanEnded', end, endedAt },
        commandId: options.commandId,
        metadata: metadataFromContext(now, { causationId: options.causationId }),
        respond: () => ({ statusCode: 200, body: { loanId } }),
        tx: options.tx,
      });
    },

    async view(tenantId: string, loanId: string) {
      const { state, events } = await deps.executor.read(evaluationAggregate, tenantId, evaluationStreamId(loanId));
      if (events.length === 0) throw notFoundError('EVALUATION_NOT_FOUND', 'no end of this loan is known to the accompaniment service', 'loanId');
      return { loanId, ...viewOf(state), streamVersion: events.length };
    },
  };
}
