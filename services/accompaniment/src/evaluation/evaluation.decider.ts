import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { evaluationDimensions, evaluationOutcomes, satisfactionLevels, withoutSupportAnswers } from '@tremplin/contracts';
import type { EvaluationCommand, LinkNewProject, LoanEnd, Outcomes, RecordEndOfLoanEvaluation, Satisfaction, WithoutSupport } from './evaluation.commands';
import type { EvaluationEvent } from './evaluation.events';

const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9][A-Za-z0-9_:.-]{0,99}$/;

interface Ended {
  readonly end: LoanEnd;
  readonly endedAt: string;
}

interface Evaluated extends Ended {
  readonly outcomes: Outcomes;
  readonly satisfaction: Satisfaction;
  readonly withoutSupport: WithoutSupport;
  readonly heldOn: string;
  readonly newProjectApplicationId?: string;
}

export type EvaluationState = { readonly status: 'running' } | ({ readonly status: 'ended' } & Ended) | ({ readonly status: 'evaluated' } & Evaluated);

export const initialEvaluationState = (): EvaluationState => ({ status: 'running' });

export function evolveEvaluation(state: EvaluationState, event: EvaluationEvent): EvaluationState {
  switch (event.type) {
    case 'LoanEndNoted':
      return state.status === 'running' ? { status: 'ended', end: event.data.end, endedAt: event.data.endedAt } : state;
    case 'EndOfLoanEvaluationRecorded': {
      if (state.status !== 'ended') return state;
      const { outcomes, satisfaction, withoutSupport, heldOn, newProjectApplicationId } = event.data;
      return { ...state, status: 'evaluated', outcomes, satisfaction, withoutSupport, heldOn, ...(newProjectApplicationId ? { newProjectApplicationId } : {}) };
    }
    case 'NewProjectLinked':
      return state.status === 'evaluated' ? { ...state, newProjectApplicationId: event.data.applicationId } : state;
    default:
      return exhaustive(event);
  }
}

export function decideEvaluation(command: EvaluationCommand, state: EvaluationState): EvaluationEvent[] {
  switch (command.type) {
    case 'NoteLoanEnded':
      // A loan ends once: a later end (a write-off after a default) keeps the first.
      return state.status === 'running' ? [{ type: 'LoanEndNoted', data: { end: command.end, endedAt: command.endedAt } }] : [];
    case 'RecordEndOfLoanEvaluation':
      return record(command, state);
    case 'LinkNewProject':
      return link(command, state);
    default:
      return exhaustive(command);
  }
}

function record(command: RecordEndOfLoanEvaluation, state: EvaluationState): EvaluationEvent[] {
  for (const dimension of evaluationDimensions) {
    if (!(evaluationOutcomes as readonly string[]).includes(command.outcomes?.[dimension])) {
      throw ruleError('EVALUATION_CODE_INVALID', `outcomes.${dimension} is one of ${evaluationOutcomes.join(', ')}`, `outcomes.${dimension}`);
    }
  }
  const extra = Object.keys(command.outcomes).find((key) => !(evaluationDimensions as readonly string[]).includes(key));
  if (extra) throw ruleError('EVALUATION_CODE_INVALID', `outcomes.${extra} is not an evaluated dimension`, `outcomes.${extra}`);
  if (!(satisfactionLevels as readonly string[]).includes(command.satisfaction)) throw ruleError('EVALUATION_CODE_INVALID', `satisfaction is one of ${satisfactionLevels.join(', ')}`, 'satisfaction');
  if (!(withoutSupportAnswers as readonly string[]).includes(command.withoutSupport)) {
    throw ruleError('EVALUATION_CODE_INVALID', `withoutSupport is one of ${withoutSupportAnswers.join(', ')}`, 'withoutSupport');
  }
  if (!CALENDAR_DATE.test(command.heldOn)) throw ruleError('DATE_INVALID', 'heldOn must be YYYY-MM-DD', 'heldOn');
  if (command.heldOn > command.now.slice(0, 10)) throw ruleError('DATE_IN_FUTURE', `heldOn ${command.heldOn} is after today`, 'heldOn');
  if (command.newProjectApplicationId !== undefined && !ID.test(command.newProjectApplicationId)) throw ruleError('VALIDATION_FAILED', 'newProjectApplicationId is an opaque id', 'newProjectApplicationId');
  switch (state.status) {
    case 'running':
      throw stateError('LOAN_NOT_ENDED', 'the end-of-loan evaluation is held once lending reports the loan ended', 'loanId');
    case 'evaluated':
      throw stateError('EVALUATION_ALREADY_RECORDED', `the evaluation was held on ${state.heldOn}`, 'loanId');
    case 'ended':
      if (command.heldOn < state.endedAt.slice(0, 10)) throw ruleError('EVALUATION_BEFORE_LOAN_END', `the loan ended on ${state.endedAt.slice(0, 10)}`, 'heldOn');
      return [
        {
          type: 'EndOfLoanEvaluationRecorded',
          data: {
            outcomes: Object.fromEntries(evaluationDimensions.map((dimension) => [dimension, command.outcomes[dimension]])) as unknown as Outcomes,
            satisfaction: command.satisfaction,
            withoutSupport: command.withoutSupport,
            heldOn: command.heldOn,
            ...(command.newProjectApplicationId ? { newProjectApplicationId: command.newProjectApplicationId } : {}),
            recordedBy: command.actor.userId,
            recordedAt: command.now,
          },
        },
      ];
    default:
      return exhaustive(state);
  }
}

function link(command: LinkNewProject, state: EvaluationState): EvaluationEvent[] {
  if (!ID.test(command.applicationId)) throw ruleError('VALIDATION_FAILED', 'applicationId is an opaque id', 'applicationId');
  if (state.status !== 'evaluated') throw stateError('EVALUATION_NOT_RECORDED', 'a new project is linked to a recorded evaluation', 'loanId');
  if (state.newProjectApplicationId) throw stateError('NEW_PROJECT_ALREADY_LINKED', `the project ${state.newProjectApplicationId} is already linked`, 'applicationId');
  return [{ type: 'NewProjectLinked', data: { applicationId: command.applicationId, linkedBy: command.actor.userId, linkedAt: command.now } }];
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const evaluationDecider: Decider<EvaluationCommand, EvaluationEvent, EvaluationState> = {
  initialState: initialEvaluationState,
  evolve: evolveEvaluation,
  decide: decideEvaluation,
};

/** Evaluation streams (`evaluation-<loanId>`), one per loan within a CCAS. */
export const evaluationAggregate: Aggregate<EvaluationCommand, EvaluationEvent, EvaluationState> = { category: 'evaluation', decider: evaluationDecider };
