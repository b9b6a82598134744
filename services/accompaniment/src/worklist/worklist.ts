import { daysBetween, workingDaysBetween } from '@tremplin/finance';
import type { PlanRow } from './plan-row.projection';

/**
 * A referent's worklist on a day: open escalations, oldest first, with their age, next step and whether the CCAS's
 * first-contact deadline is passed (late: no first contact by the deadline date, or one made after it); check-ins
 * due before today and not done.
 */
export function worklistOf(rows: readonly PlanRow[], today: string) {
  const escalations = rows
    .flatMap((row) => (row.escalation ? [{ row, escalation: row.escalation }] : []))
    .map(({ row, escalation }) => ({
      loanId: row.loanId,
      product: row.product,
      escalationId: escalation.escalationId,
      trigger: escalation.trigger,
      openedAt: escalation.openedAt,
      startDate: escalation.startDate,
      ageDays: Math.max(0, daysBetween(escalation.startDate, today)),
      ageWorkingDays: workingDaysBetween(escalation.startDate, today),
      instalmentsMissed: escalation.instalmentsMissed,
      nextStep: escalation.nextStep,
      deadlineDate: escalation.deadlineDate,
      late: escalation.firstContactAt === null ? today > escalation.deadlineDate : escalation.firstContactLate === true,
      firstContactDelayMinutes: escalation.firstContactDelayMinutes,
      firstContactDelayWorkingDays: escalation.firstContactDelayWorkingDays,
      threePartyMeetingAt: escalation.threePartyMeetingAt,
    }))
    .sort((a, b) => a.startDate.localeCompare(b.startDate) || a.openedAt.localeCompare(b.openedAt) || a.loanId.localeCompare(b.loanId));
  const overdueCheckIns = rows
    .flatMap((row) => row.pendingCheckIns.filter((checkIn) => checkIn.dueOn < today).map((checkIn) => ({ loanId: row.loanId, ...checkIn, daysOverdue: daysBetween(checkIn.dueOn, today) })))
    .sort((a, b) => a.dueOn.localeCompare(b.dueOn) || a.loanId.localeCompare(b.loanId));
  return { asOf: today, escalations, lateEscalations: escalations.filter((escalation) => escalation.late).length, overdueCheckIns };
}
