import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { Outcomes, RecordEndOfLoanEvaluation } from './evaluation.commands';
import { evaluationDecider } from './evaluation.decider';
import type { EvaluationEvent } from './evaluation.events';

const spec = deciderSpec(evaluationDecider);
const referent = { userId: 'sw-sophie', role: 'socialWorker' };
const NOW = '2028-02-10T09:00:00.000Z';
const refusedWith = (kind: DomainError['kind'], code: string, field: string) => (error: unknown) =>
  error instanceof DomainError && error.kind === kind && error.code === code && error.field === field;

const outcomes: Outcomes = { employment: 'improved', mobility: 'improved', housing: 'unchanged', health: 'notConcerned', budget: 'improved', socialTies: 'unchanged' };
const evaluate = (overrides: Partial<RecordEndOfLoanEvaluation> = {}): RecordEndOfLoanEvaluation => ({
  type: 'RecordEndOfLoanEvaluation',
  outcomes,
  satisfaction: 'verySatisfied',
  withoutSupport: 'wouldHaveWorsenedBadly',
  heldOn: '2028-02-09',
  now: NOW,
  actor: referent,
  ...overrides,
});
const ended: EvaluationEvent = { type: 'LoanEndNoted', data: { end: 'repaid', endedAt: '2028-01-05T10:00:00.000Z' } };
const recorded = (extra: { newProjectApplicationId?: string } = {}): EvaluationEvent => ({
  type: 'EndOfLoanEvaluationRecorded',
  data: { outcomes, satisfaction: 'verySatisfied', withoutSupport: 'wouldHaveWorsenedBadly', heldOn: '2028-02-09', ...extra, recordedBy: 'sw-sophie', recordedAt: NOW },
});

describe('a loan still running', () => {
  it('notes its end from lending (repaid, defaulted, written off)', () => {
    spec.given([]).when({ type: 'NoteLoanEnded', end: 'repaid', endedAt: '2028-01-05T10:00:00.000Z' }).then([ended]);
    spec.given([]).when({ type: 'NoteLoanEnded', end: 'defaulted', endedAt: '2027-05-05T10:00:00.000Z' }).then([{ type: 'LoanEndNoted', data: { end: 'defaulted', endedAt: '2027-05-05T10:00:00.000Z' } }]);
  });

  it('is not evaluated before it ends', () => {
    spec.given([]).when(evaluate()).thenThrows(refusedWith('state', 'LOAN_NOT_ENDED', 'loanId'));
  });

  it('links no new project before an evaluation', () => {
    spec.given([]).when({ type: 'LinkNewProject', applicationId: 'app-2', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'EVALUATION_NOT_RECORDED', 'loanId'));
  });
});

describe('a loan ended', () => {
  it('keeps its first end: a write-off after a default changes nothing', () => {
    spec.given([ended]).when({ type: 'NoteLoanEnded', end: 'writtenOff', endedAt: '2028-03-01T10:00:00.000Z' }).thenNothing();
  });

  it('records the evaluation as codes, with a new project when the person starts one', () => {
    spec.given([ended]).when(evaluate()).then([recorded()]);
    spec.given([ended]).when(evaluate({ newProjectApplicationId: 'app-2' })).then([recorded({ newProjectApplicationId: 'app-2' })]);
  });

  it('refuses an outcome that is not a code, a dimension left out or unknown, and a code for satisfaction outside the list', () => {
    spec.given([ended]).when(evaluate({ outcomes: { ...outcomes, housing: 'found a flat' as never } })).thenThrows(refusedWith('rule', 'EVALUATION_CODE_INVALID', 'outcomes.housing'));
    const { health: _left, ...partial } = outcomes;
    spec.given([ended]).when(evaluate({ outcomes: partial as Outcomes })).thenThrows(refusedWith('rule', 'EVALUATION_CODE_INVALID', 'outcomes.health'));
    spec.given([ended]).when(evaluate({ outcomes: { ...outcomes, religion: 'improved' } as Outcomes })).thenThrows(refusedWith('rule', 'EVALUATION_CODE_INVALID', 'outcomes.religion'));
    spec.given([ended]).when(evaluate({ satisfaction: 'happy' as never })).thenThrows(refusedWith('rule', 'EVALUATION_CODE_INVALID', 'satisfaction'));
    spec.given([ended]).when(evaluate({ withoutSupport: 'worse' as never })).thenThrows(refusedWith('rule', 'EVALUATION_CODE_INVALID', 'withoutSupport'));
  });

  it('refuses a meeting dated in the future, before the loan ended, or not as a date; and a project id that is not an id', () => {
    spec.given([ended]).when(evaluate({ heldOn: '2028-02-11' })).thenThrows(refusedWith('rule', 'DATE_IN_FUTURE', 'heldOn'));
    spec.given([ended]).when(evaluate({ heldOn: '2028-01-04' })).thenThrows(refusedWith('rule', 'EVALUATION_BEFORE_LOAN_END', 'heldOn'));
    spec.given([ended]).when(evaluate({ heldOn: '9 Feb' })).thenThrows(refusedWith('rule', 'DATE_INVALID', 'heldOn'));
    spec.given([ended]).when(evaluate({ newProjectApplicationId: 'a new car' })).thenThrows(refusedWith('rule', 'VALIDATION_FAILED', 'newProjectApplicationId'));
  });
});

describe('a loan evaluated', () => {
  it('is evaluated once', () => {
    spec.given([ended, recorded()]).when(evaluate()).thenThrows(refusedWith('state', 'EVALUATION_ALREADY_RECORDED', 'loanId'));
  });

  it('links the person’s new project once', () => {
    spec.given([ended, recorded()]).when({ type: 'LinkNewProject', applicationId: 'app-2', now: NOW, actor: referent }).then([{ type: 'NewProjectLinked', data: { applicationId: 'app-2', linkedBy: 'sw-sophie', linkedAt: NOW } }]);
    spec.given([ended, recorded({ newProjectApplicationId: 'app-2' })]).when({ type: 'LinkNewProject', applicationId: 'app-3', now: NOW, actor: referent }).thenThrows(refusedWith('state', 'NEW_PROJECT_ALREADY_LINKED', 'applicationId'));
    spec.given([ended, recorded()]).when({ type: 'LinkNewProject', applicationId: '', now: NOW, actor: referent }).thenThrows(refusedWith('rule', 'VALIDATION_FAILED', 'applicationId'));
  });
});
