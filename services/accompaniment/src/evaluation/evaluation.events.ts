import type { LoanEnd, Outcomes, Satisfaction, WithoutSupport } from './evaluation.commands';

export interface LoanEndNoted {
  readonly type: 'LoanEndNoted';
  readonly data: { readonly end: LoanEnd; readonly endedAt: string };
}

export interface EndOfLoanEvaluationRecorded {
  readonly type: 'EndOfLoanEvaluationRecorded';
  readonly data: {
    readonly outcomes: Outcomes;
    readonly satisfaction: Satisfaction;
    readonly withoutSupport: WithoutSupport;
    readonly heldOn: string;
    readonly newProjectApplicationId?: string;
    readonly recordedBy: string;
    readonly recordedAt: string;
  };
}

export interface NewProjectLinked {
  readonly type: 'NewProjectLinked';
  readonly data: { readonly applicationId: string; readonly linkedBy: string; readonly linkedAt: string };
}

export type EvaluationEvent = LoanEndNoted | EndOfLoanEvaluationRecorded | NewProjectLinked;

/** One end-of-loan evaluation per loan within a CCAS (the tenant). */
export const evaluationStreamId = (loanId: string) => `evaluation-${loanId}`;
