import { addDays, allocatePayment, arrearsAt, compareDates, daysPastDue } from '@tremplin/finance';
import { ruleError, stateError } from '@tremplin/event-sourcing';
import type { DeclareIncident, RecordBorrowerContact, RecordMissedInstalment, RecordPayment } from './loan.commands';
import type { LoanEvent, PaymentAllocationLine } from './loan.events';
import { applyAllocations, dayOf, inactive, isIsoDay, lineOf, positiveWhole, requireRepaying } from './loan.rules';
import { dueLinesOf, isFullyPaid, type LoanState } from './loan.state';

// Banque de France (FICP): two unpaid monthly instalments make an incident; the borrower then has 30 days to pay
// before any declaration, and arrears under 150 € on a loan not called in need not be declared.
export const INCIDENT_UNPAID_INSTALMENTS = 2;
export const INCIDENT_GRACE_DAYS = 30;
export const INCIDENT_DECLARATION_THRESHOLD_CENTS = 15_000;

export function recordPayment(command: RecordPayment, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  positiveWhole(command.amountCents, 'amountCents');
  const today = dayOf(command.now);
  if (!isIsoDay(command.paidOn)) throw ruleError('DATE_INVALID', 'paidOn must be a calendar date YYYY-MM-DD', 'paidOn');
  if (compareDates(command.paidOn, today) > 0) throw ruleError('PAYMENT_DATE_IN_FUTURE', `a payment cannot be dated after today (${today})`, 'paidOn');
  if (compareDates(command.paidOn, dayOf(active.servicing.disbursedAt)) < 0) throw ruleError('PAYMENT_BEFORE_DISBURSEMENT', 'a payment cannot precede the disbursement', 'paidOn');
  const lines = active.servicing.lines;
  // What is due on the value date first (oldest line, interest then principal), then any surplus settles the
  // next instalments as scheduled; more than the whole balance is refused rather than held.
  const due = allocatePayment(dueLinesOf(lines), command.amountCents, command.paidOn);
  const ahead = due.unallocated > 0 ? allocatePayment(due.lines, due.unallocated, lines[lines.length - 1].dueDate) : { ...due, allocations: [] };
  if (ahead.unallocated > 0) throw ruleError('PAYMENT_EXCEEDS_BALANCE', `${ahead.unallocated} cents more than everything still owed`, 'amountCents');
  const allocations = mergeAllocations([...due.allocations, ...ahead.allocations]);
  const after = applyAllocations(lines, allocations);
  const stillDue = arrearsAt(dueLinesOf(after), addDays(command.paidOn, 1)).total;
  const events: LoanEvent[] = [
    { type: 'InstalmentPaid', data: { amountCents: command.amountCents, paidOn: command.paidOn, allocations, partial: stillDue > 0, recordedAt: command.now } },
  ];
  const warning = active.servicing.warning;
  if (warning && !warning.declaredOn && arrearsAt(dueLinesOf(after), today).total === 0) events.push({ type: 'IncidentWarningCleared', data: { clearedOn: today } });
  if (after.every(isFullyPaid)) {
    const everLate = active.servicing.everLate || allocations.some((allocation) => compareDates(lineOf(lines, allocation.number).dueDate, command.paidOn) < 0);
    const interestPaid = active.servicing.interestPaidCents + allocations.reduce((sum, allocation) => sum + allocation.interestCents, 0);
    events.push({ type: 'LoanRepaid', data: { repaidOn: command.paidOn, interestPaidTotalCents: interestPaid, everLate } });
  }
  return events;
}

export function recordMissedInstalment(command: RecordMissedInstalment, state: LoanState): LoanEvent[] {
  const active = requireRepaying(state);
  const today = dayOf(command.now);
  const line = active.servicing.lines.find((candidate) => candidate.number === command.instalmentNumber);
  if (!line) throw ruleError('INSTALMENT_NOT_FOUND', `the schedule has no instalment ${command.instalmentNumber}`, 'instalmentNumber');
  if (compareDates(today, line.dueDate) <= 0) throw ruleError('INSTALMENT_NOT_YET_DUE', `instalment ${line.number} is due on ${line.dueDate}: it cannot be missed before the day after`, 'instalmentNumber');
  if (isFullyPaid(line)) throw stateError('INSTALMENT_ALREADY_PAID', `instalment ${line.number} is paid`, 'instalmentNumber');
  if (active.servicing.missed.includes(line.number)) throw stateError('INSTALMENT_ALREADY_RECORDED_MISSED', `instalment ${line.number} is already recorded as missed`, 'instalmentNumber');
  const dueLines = dueLinesOf(active.servicing.lines);
  const arrears = arrearsAt(dueLines, today);
  const events: LoanEvent[] = [
    {
      type: 'InstalmentMissed',
      data: {
        instalmentNumber: line.number,
        dueDate: line.dueDate,
        unpaidCount: arrears.unpaidInstalments,
        daysPastDue: daysPastDue(dueLines, today, active.servicing.pauses),
        arrearsCents: arrears.total,
        recordedAt: command.now,
      },
    },
  ];
  const warning = active.servicing.warning;
  if (arrears.unpaidInstalments >= INCIDENT_UNPAID_INSTALMENTS && !warning) {
    events.push({
      type: 'IncidentWarningIssued',
      data: {
        issuedOn: today,
        declarableFrom: addDays(today, INCIDENT_GRACE_DAYS),
        unpaidCount: arrears.unpaidInstalments,
        arrearsCents: arrears.total,
        declarationRequired: arrears.total >= INCIDENT_DECLARATION_THRESHOLD_CENTS,
      },
    });
  }
  return events;
}

export function recordContact(command: RecordBorrowerContact, state: LoanState): LoanEvent[] {
  if (state.status !== 'repaying' && state.status !== 'defaulted') throw inactive(state);
  const today = dayOf(command.now);
  return [
    {
      type: 'BorrowerContacted',
      data: { channel: command.channel, outcome: command.outcome, daysPastDue: daysPastDue(dueLinesOf(state.servicing.lines), today, state.servicing.pauses), contactedAt: command.now },
    },
  ];
}

export function declareIncident(command: DeclareIncident, state: LoanState): LoanEvent[] {
  if (state.status !== 'repaying' && state.status !== 'defaulted') throw inactive(state);
  const today = dayOf(command.now);
  const warning = state.servicing.warning;
  if (!warning) throw stateError('NO_INCIDENT_WARNING', 'a declaration needs an incident warning in force');
  if (warning.declaredOn) throw stateError('INCIDENT_ALREADY_DECLARED', `the incident was declared on ${warning.declaredOn}`);
  if (compareDates(today, warning.declarableFrom) < 0) throw ruleError('DECLARATION_TOO_EARLY', `the borrower has until ${warning.declarableFrom} to pay before any declaration`);
  const arrears = arrearsAt(dueLinesOf(state.servicing.lines), today);
  // A loan called in (defaulted) is declared whatever its arrears.
  if (state.status === 'repaying' && arrears.total < INCIDENT_DECLARATION_THRESHOLD_CENTS) {
    throw ruleError('DECLARATION_NOT_REQUIRED', `arrears of ${arrears.total} cents are under the ${INCIDENT_DECLARATION_THRESHOLD_CENTS} cents threshold on a loan not called in`);
  }
  return [{ type: 'IncidentDeclared', data: { declaredOn: today, arrearsCents: arrears.total, unpaidCount: arrears.unpaidInstalments } }];
}

function mergeAllocations(allocations: ReadonlyArray<{ number: number; interest: number; principal: number }>): PaymentAllocationLine[] {
  const byNumber = new Map<number, PaymentAllocationLine>();
  for (const allocation of allocations) {
    const previous = byNumber.get(allocation.number);
    byNumber.set(allocation.number, {
      number: allocation.number,
      interestCents: (previous?.interestCents ?? 0) + allocation.interest,
      principalCents: (previous?.principalCents ?? 0) + allocation.principal,
    });
  }
  return [...byNumber.values()].sort((a, b) => a.number - b.number);
}
