import { arrearsAt, compareDates, daysPastDue } from '@tremplin/finance';
import { forbiddenError, notFoundError, ruleError, stateError } from '@tremplin/event-sourcing';
import type { ApproveWriteOff, DeclareDefault, RecordRecovery, RequestWriteOff } from './loan.commands';
import type { LoanEvent } from './loan.events';
import { dayOf, isIsoDay, notDefaulted, positiveWhole, REASON_CODE, requireRepaying } from './loan.rules';
import { dueLinesOf, outstandingPrincipalOf, type LoanState } from './loan.state';

export function declareDefault(command: DeclareDefault, state: LoanState): LoanEvent[] {
  if (state.status === 'defaulted' || state.status === 'writtenOff') throw stateError('LOAN_ALREADY_DEFAULTED', 'the loan is already in default');
  const active = requireRepaying(state);
  const today = dayOf(command.now);
  const dueLines = dueLinesOf(active.servicing.lines);
  const arrears = arrearsAt(dueLines, today);
  if (arrears.total === 0) throw ruleError('NO_ARREARS', 'a loan without arrears cannot be called in');
  return [
    {
      type: 'LoanDefaulted',
      data: {
        defaultedAt: command.now,
        outstandingPrincipalCents: outstandingPrincipalOf(active.servicing.lines),
        unpaidInterestCents: arrears.interest,
        daysPastDue: daysPastDue(dueLines, today, active.servicing.pauses),
      },
    },
  ];
}

export function recordRecovery(command: RecordRecovery, state: LoanState): LoanEvent[] {
  if (state.status !== 'defaulted') throw notDefaulted(state);
  positiveWhole(command.amountCents, 'amountCents');
  if (!isIsoDay(command.receivedOn)) throw ruleError('DATE_INVALID', 'receivedOn must be a calendar date YYYY-MM-DD', 'receivedOn');
  if (compareDates(command.receivedOn, dayOf(command.now)) > 0) throw ruleError('RECOVERY_DATE_IN_FUTURE', 'a recovery cannot be dated after today', 'receivedOn');
  const remaining = remainingClaim(state.defaulted);
  if (command.amountCents > remaining) throw ruleError('RECOVERY_EXCEEDS_CLAIM', `only ${remaining} cents remain to be recovered`, 'amountCents');
  const recovered = state.defaulted.recoveredCents + command.amountCents;
  return [
    {
      type: 'RecoveryReceived',
      data: { amountCents: command.amountCents, receivedOn: command.receivedOn, recoveredTotalCents: recovered, remainingClaimCents: remaining - command.amountCents },
    },
  ];
}

export function requestWriteOff(command: RequestWriteOff, state: LoanState): LoanEvent[] {
  if (state.status !== 'defaulted') throw notDefaulted(state);
  if (state.defaulted.writeOffRequest) throw stateError('WRITE_OFF_ALREADY_REQUESTED', `request ${state.defaulted.writeOffRequest.requestId} awaits approval`);
  if (!REASON_CODE.test(command.reasonCode)) throw ruleError('REASON_CODE_INVALID', 'a reason is an UPPER_SNAKE code', 'reasonCode');
  return [{ type: 'WriteOffRequested', data: { requestId: command.requestId, reasonCode: command.reasonCode, requestedBy: command.actor.userId, requestedAt: command.now } }];
}

export function approveWriteOff(command: ApproveWriteOff, state: LoanState): LoanEvent[] {
  if (state.status !== 'defaulted') throw notDefaulted(state);
  const request = state.defaulted.writeOffRequest;
  if (!request || request.requestId !== command.requestId) throw notFoundError('REQUEST_NOT_FOUND', `no write-off request ${command.requestId} awaits approval`, 'requestId');
  if (request.requestedBy === command.actor.userId) throw forbiddenError('FOUR_EYES_REQUIRED', 'a write-off is approved by someone other than the person who asked for it', 'requestId');
  return [
    {
      type: 'LoanWrittenOff',
      data: { requestId: request.requestId, requestedBy: request.requestedBy, approvedBy: command.actor.userId, writtenOffCents: remainingClaim(state.defaulted), writtenOffAt: command.now },
    },
  ];
}

function remainingClaim(defaulted: { outstandingPrincipalCents: number; unpaidInterestCents: number; recoveredCents: number }): number {
  return defaulted.outstandingPrincipalCents + defaulted.unpaidInterestCents - defaulted.recoveredCents;
}
