import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { MAX_DEADLINE_WORKING_DAYS, MIN_DEADLINE_WORKING_DAYS } from '../plan/escalation.rules';
import type { DeadlineCommand } from './deadline.commands';
import type { DeadlineEvent, EscalationDeadlineSet } from './deadline.events';

export const DECISION_REFERENCE = /^[A-Z0-9][A-Z0-9_./-]{0,63}$/;

export interface DeadlineState {
  readonly versions: readonly EscalationDeadlineSet['data'][];
}

/** The deadline in force on a day: the latest version effective on or before it, else the service's default. */
export function deadlineOn(state: DeadlineState, day: string, fallback: number): number {
  let workingDays = fallback;
  for (const version of [...state.versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.version - b.version)) {
    if (version.effectiveFrom <= day) workingDays = version.workingDays;
  }
  return workingDays;
}

export function decideDeadline(command: DeadlineCommand, state: DeadlineState): DeadlineEvent[] {
  const { workingDays, effectiveFrom, decisionReference } = command;
  if (!Number.isSafeInteger(workingDays) || workingDays < MIN_DEADLINE_WORKING_DAYS || workingDays > MAX_DEADLINE_WORKING_DAYS) {
    throw ruleError('DEADLINE_INVALID', `a first-contact deadline is ${MIN_DEADLINE_WORKING_DAYS}–${MAX_DEADLINE_WORKING_DAYS} working days`, 'workingDays');
  }
  if (!DECISION_REFERENCE.test(decisionReference)) throw ruleError('DECISION_REFERENCE_INVALID', 'a decision reference is a code (capitals, digits, - _ . /)', 'decisionReference');
  // Escalations already opened keep the deadline they opened with: a change applies from today on, never backwards.
  if (effectiveFrom < command.now.slice(0, 10)) throw ruleError('EFFECTIVE_IN_PAST', 'a deadline applies from today on', 'effectiveFrom');
  const same = state.versions.find((version) => version.effectiveFrom === effectiveFrom);
  if (same && same.workingDays === workingDays) throw stateError('DEADLINE_UNCHANGED', `${workingDays} working days already apply from ${effectiveFrom}`, 'workingDays');
  return [{ type: 'EscalationDeadlineSet', data: { version: state.versions.length + 1, workingDays, effectiveFrom, decisionReference, setBy: command.actor.userId, setAt: command.now } }];
}

export const deadlineDecider: Decider<DeadlineCommand, DeadlineEvent, DeadlineState> = {
  initialState: () => ({ versions: [] }),
  evolve: (state, event) => ({ versions: [...state.versions, event.data] }),
  decide: decideDeadline,
};

export const deadlineAggregate: Aggregate<DeadlineCommand, DeadlineEvent, DeadlineState> = { category: 'escalation', decider: deadlineDecider };
