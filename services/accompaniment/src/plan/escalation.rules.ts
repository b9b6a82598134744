import { addWorkingDays, workingDaysBetween } from '@tremplin/finance';
import type { EscalationTrigger } from './plan.events';

export const MIN_DEADLINE_WORKING_DAYS = 1;
export const MAX_DEADLINE_WORKING_DAYS = 60;

export const dayOf = (instant: string) => instant.slice(0, 10);

/** The last day the CCAS's first contact keeps its deadline: N French working days after the start date. */
export function deadlineDateOf(startDate: string, deadlineWorkingDays: number): string {
  return addWorkingDays(startDate, deadlineWorkingDays);
}

/**
 * The delay of a first CCAS contact: whole minutes from the instant the escalation started (lending's record of the
 * missed instalment, or the difficulty raised), and French working days after its start date up to the contact's
 * day; late when the contact's day is after the deadline date.
 */
export function firstContactDelay(startedAt: string, startDate: string, deadlineDate: string, contactedAt: string) {
  const delayMinutes = Math.max(0, Math.floor((Date.parse(contactedAt) - Date.parse(startedAt)) / 60_000));
  return { delayMinutes, delayWorkingDays: workingDaysBetween(startDate, dayOf(contactedAt)), late: dayOf(contactedAt) > deadlineDate };
}

export type NextStep = 'bankContact' | 'alertCcasOrClose' | 'firstCcasContact' | 'remedies' | 'close';

export interface EscalationProgress {
  readonly trigger: EscalationTrigger;
  readonly bankContacted: boolean;
  readonly bankReached: boolean;
  readonly ccasAlerted: boolean;
  readonly firstContact: boolean;
  readonly remedies: number;
}

/** What is expected next: the bank's call, then (unanswered) the CCAS's first contact, then remedies, then closing. */
export function nextStepOf(progress: EscalationProgress): NextStep {
  if (!progress.firstContact) {
    if (progress.trigger === 'borrowerDifficulty' || progress.ccasAlerted) return 'firstCcasContact';
    if (!progress.bankContacted) return 'bankContact';
    return progress.bankReached ? 'alertCcasOrClose' : 'firstCcasContact';
  }
  return progress.remedies === 0 ? 'remedies' : 'close';
}
