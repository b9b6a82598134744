import { addDays, compareDates, extendTerm, FinanceError, monthsBetween, paymentHoliday, reviseInstalment, type LiveSchedule, type ScheduleLine } from '@tremplin/finance';
import { forbiddenError, notFoundError, ruleError, stateError } from '@tremplin/event-sourcing';
import { LEGAL_MAX_TERM_MONTHS } from '../product/product.terms';
import type { ApproveRescheduling, DeclineRescheduling, RequestRescheduling, ReschedulingRequest, WithdrawRescheduling } from './loan.commands';
import type { LoanEvent } from './loan.events';
import { dayOf, exhaustive, positiveWhole, REASON_CODE, requireRepaying, wholeBetween } from './loan.rules';
import type { ActiveState, LoanState, PendingRequest } from './loan.state';

export const MAX_HOLIDAY_MONTHS = 12;

export function requestRescheduling(command: RequestRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  if (active.servicing.pendingRequests.length > 0) {
    throw stateError('RESCHEDULING_ALREADY_PENDING', `request ${active.servicing.pendingRequests[0].requestId} awaits a decision`);
  }
  // Computed now so an impossible request is refused to its author, and again at approval on the schedule of that day.
  reschedule(active, command.request, dayOf(command.now));
  return [{ type: 'ReschedulingRequested', data: { requestId: command.requestId, request: command.request, requestedBy: command.actor.userId, requestedAt: command.now } }];
}

export function approveRescheduling(command: ApproveRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const pending = pendingRequest(active, command.requestId);
  if (pending.requestedBy === command.actor.userId) throw forbiddenError('FOUR_EYES_REQUIRED', 'a rescheduling is approved by someone other than the person who asked for it', 'requestId');
  const result = reschedule(active, pending.request, dayOf(command.now));
  const base = {
    requestId: pending.requestId,
    requestedBy: pending.requestedBy,
    approvedBy: command.actor.userId,
    approvedAt: command.now,
    lines: result.lines,
    newEndDate: result.endDate,
    instalmentCents: result.instalment,
  };
  switch (result.kind) {
    case 'holiday':
      return [
        {
          type: 'PaymentHolidayGranted',
          data: { ...base, months: result.months, deferredDueDates: result.deferredDueDates, capitalisedInterestCents: result.capitalisedInterest, pause: result.pause },
        },
      ];
    case 'termExtension':
      return [{ type: 'TermExtended', data: { ...base, additionalMonths: result.additionalMonths } }];
    case 'instalmentRevision':
      return [{ type: 'InstalmentRevised', data: base }];
    default:
      return exhaustive(result);
  }
}

export function declineRescheduling(command: DeclineRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const pending = pendingRequest(active, command.requestId);
  if (pending.requestedBy === command.actor.userId) {
    throw forbiddenError('FOUR_EYES_REQUIRED', 'a request is declined by someone other than its requester, who withdraws it instead (…/withdraw)', 'requestId');
  }
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a reason is an UPPER_SNAKE code', 'reasonCode');
  return [{ type: 'ReschedulingDeclined', data: { requestId: pending.requestId, reasonCode: command.reasonCode, declinedBy: command.actor.userId, declinedAt: command.now } }];
}

export function withdrawRescheduling(command: WithdrawRescheduling, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const pending = pendingRequest(active, command.requestId);
  if (pending.requestedBy !== command.actor.userId) throw forbiddenError('NOT_THE_REQUESTER', 'only its requester withdraws a request; a second person declines it', 'requestId');
  return [{ type: 'ReschedulingWithdrawn', data: { requestId: pending.requestId, withdrawnBy: command.actor.userId, withdrawnAt: command.now } }];
}

type Rescheduling =
  | { kind: 'holiday'; months: number; lines: ScheduleLine[]; endDate: string; instalment: number; deferredDueDates: string[]; capitalisedInterest: number; pause: { from: string; to: string } }
  | { kind: 'termExtension'; additionalMonths: number; lines: ScheduleLine[]; endDate: string; instalment: number }
  | { kind: 'instalmentRevision'; lines: ScheduleLine[]; endDate: string; instalment: number };

/** Recomputes the lines not yet due (untouched by any payment); what is already due stays arrears. */
function reschedule(active: ActiveState, request: ReschedulingRequest, today: string): Rescheduling {
  const lines = active.servicing.lines;
  let start = lines.length;
  while (start > 0 && compareDates(lines[start - 1].dueDate, today) > 0 && lines[start - 1].interestPaid + lines[start - 1].principalPaid === 0) start -= 1;
  if (start === lines.length) throw stateError('NOTHING_TO_RESCHEDULE', 'no instalment is left to reschedule');
  const live: LiveSchedule = {
    annualRateBasisPoints: active.offer.nominalRateBps,
    anchorDueDate: active.offer.schedule.firstDueDate,
    // While line 1 is still to come its period runs from the disbursement, not one standard month.
    disbursementDate: dayOf(active.servicing.disbursedAt),
    remainingLines: lines.slice(start).map(({ number, dueDate, instalment, interest, principal, outstandingAfter }) => ({ number, dueDate, instalment, interest, principal, outstandingAfter })),
  };
  const result = withFinanceErrors(() => {
    switch (request.kind) {
      case 'holiday': {
        wholeBetween(request.months, 1, MAX_HOLIDAY_MONTHS, 'request.months');
        const holiday = paymentHoliday(live, { months: request.months, interest: active.offer.holidayInterest });
        const pause = { from: holiday.deferredDueDates[0], to: addDays(holiday.lines[0].dueDate, -1) };
        return { kind: 'holiday' as const, months: request.months, lines: [...holiday.lines], endDate: holiday.endDate, instalment: holiday.instalment, deferredDueDates: [...holiday.deferredDueDates], capitalisedInterest: holiday.capitalisedInterest, pause };
      }
      case 'termExtension': {
        wholeBetween(request.additionalMonths, 1, LEGAL_MAX_TERM_MONTHS, 'request.additionalMonths');
        const extended = extendTerm(live, { remainingInstalments: live.remainingLines.length + request.additionalMonths });
        return { kind: 'termExtension' as const, additionalMonths: request.additionalMonths, lines: [...extended.lines], endDate: extended.endDate, instalment: extended.instalment };
      }
      case 'instalmentRevision': {
        positiveWhole(request.instalmentCents, 'request.instalmentCents');
        const revised = reviseInstalment(live, { instalment: request.instalmentCents });
        return { kind: 'instalmentRevision' as const, lines: [...revised.lines], endDate: revised.endDate, instalment: revised.instalment };
      }
      default:
        return exhaustive(request);
    }
  }, request.kind);
  const totalMonths = monthsBetween(active.offer.schedule.firstDueDate, result.endDate) + 1;
  if (totalMonths > LEGAL_MAX_TERM_MONTHS) {
    throw ruleError('ABOVE_LEGAL_CEILING', `the loan would run ${totalMonths} months, beyond the legal ${LEGAL_MAX_TERM_MONTHS}`, fieldOf(request.kind));
  }
  return result;
}

function fieldOf(kind: ReschedulingRequest['kind']): string {
  return kind === 'holiday' ? 'request.months' : kind === 'termExtension' ? 'request.additionalMonths' : 'request.instalmentCents';
}

function withFinanceErrors<T>(fn: () => T, kind: ReschedulingRequest['kind']): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof FinanceError) throw ruleError(error.code, error.message, fieldOf(kind));
    throw error;
  }
}

function pendingRequest(active: ActiveState, requestId: string): PendingRequest {
  const pending = active.servicing.pendingRequests.find((request) => request.requestId === requestId);
  if (!pending) {
    // A request that was decided answers with how it ended, not as one that never existed.
    const closed = (active.servicing.closedRequests ?? []).find((request) => request.requestId === requestId);
    if (closed) throw stateError(`REQUEST_ALREADY_${closed.outcome.toUpperCase()}`, `rescheduling request ${requestId} was already ${closed.outcome}`, 'requestId');
    throw notFoundError('REQUEST_NOT_FOUND', `no rescheduling request ${requestId} awaits a decision`, 'requestId');
  }
  return pending;
}
