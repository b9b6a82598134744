import type { Actor } from '@tremplin/event-sourcing';
import type { evaluationDimensions, evaluationOutcomes, satisfactionLevels, withoutSupportAnswers } from '@tremplin/contracts';

export type EvaluationDimension = (typeof evaluationDimensions)[number];
export type EvaluationOutcome = (typeof evaluationOutcomes)[number];
export type Satisfaction = (typeof satisfactionLevels)[number];
export type WithoutSupport = (typeof withoutSupportAnswers)[number];
export type Outcomes = Readonly<Record<EvaluationDimension, EvaluationOutcome>>;
export type LoanEnd = 'repaid' | 'defaulted' | 'writtenOff';

/** Lending's fact that the loan ended (repaid, or in default, or written off). */
export interface NoteLoanEnded {
  readonly type: 'NoteLoanEnded';
  readonly end: LoanEnd;
  readonly endedAt: string;
}

/** The end meeting: what the loan changed, coded, and how the person saw the follow-up. */
export interface RecordEndOfLoanEvaluation {
  readonly type: 'RecordEndOfLoanEvaluation';
  readonly outcomes: Outcomes;
  readonly satisfaction: Satisfaction;
  readonly withoutSupport: WithoutSupport;
  readonly heldOn: string;
  readonly newProjectApplicationId?: string;
  readonly now: string;
  readonly actor: Actor;
}

/** The person starts a new project after the evaluation: intake's file for it. */
export interface LinkNewProject {
  readonly type: 'LinkNewProject';
  readonly applicationId: string;
  readonly now: string;
  readonly actor: Actor;
}

export type EvaluationCommand = NoteLoanEnded | RecordEndOfLoanEvaluation | LinkNewProject;
