import { deciderSpec, DomainError } from '@tremplin/event-sourcing';
import type { DeadlineCommand } from './deadline.commands';
import { deadlineDecider, deadlineOn } from './deadline.decider';
import type { DeadlineEvent } from './deadline.events';

const spec = deciderSpec(deadlineDecider);
const director = { userId: 'dir-laval', role: 'ccasDirector' };
const NOW = '2027-01-10T09:00:00.000Z';
const set = (workingDays: number, effectiveFrom = '2027-01-10', decisionReference = 'CA-2027-01-08'): DeadlineCommand => ({ type: 'SetEscalationDeadline', workingDays, effectiveFrom, decisionReference, now: NOW, actor: director });
const version = (n: number, workingDays: number, effectiveFrom: string): DeadlineEvent => ({
  type: 'EscalationDeadlineSet',
  data: { version: n, workingDays, effectiveFrom, decisionReference: 'CA-2027-01-08', setBy: 'dir-laval', setAt: NOW },
});
const refused = (kind: DomainError['kind'], code: string, field: string) => (error: unknown) => error instanceof DomainError && error.kind === kind && error.code === code && error.field === field;

describe('a CCAS’s first-contact deadline', () => {
  it('is set by a recorded decision, from today or a later day, versioned', () => {
    spec.given([]).when(set(3)).then([version(1, 3, '2027-01-10')]);
    spec.given([version(1, 3, '2027-01-10')]).when(set(5, '2027-03-01')).then([version(2, 5, '2027-03-01')]);
  });
  it('refuses a deadline outside 1–60 working days, a reference that is not a code, a start in the past', () => {
    spec.given([]).when(set(0)).thenThrows(refused('rule', 'DEADLINE_INVALID', 'workingDays'));
    spec.given([]).when(set(61)).thenThrows(refused('rule', 'DEADLINE_INVALID', 'workingDays'));
    spec.given([]).when(set(5, '2027-01-10', 'vote du CA')).thenThrows(refused('rule', 'DECISION_REFERENCE_INVALID', 'decisionReference'));
    spec.given([]).when(set(5, '2027-01-09')).thenThrows(refused('rule', 'EFFECTIVE_IN_PAST', 'effectiveFrom'));
  });
  it('refuses a decision that changes nothing', () => {
    spec.given([version(1, 3, '2027-01-10')]).when(set(3)).thenThrows(refused('state', 'DEADLINE_UNCHANGED', 'workingDays'));
  });
  it('applies the version in force on a day, the service default before any', () => {
    const state = [version(1, 3, '2027-01-10'), version(2, 5, '2027-03-01'), version(3, 4, '2027-01-10')].reduce(deadlineDecider.evolve, deadlineDecider.initialState());
    expect(deadlineOn(state, '2027-01-09', 5)).toBe(5);
    expect(deadlineOn(state, '2027-01-10', 5)).toBe(4);
    expect(deadlineOn(state, '2027-03-01', 7)).toBe(5);
  });
});
