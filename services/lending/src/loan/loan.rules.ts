import { DomainError, notFoundError, ruleError, stateError } from '@tremplin/event-sourcing';
import type { PaymentAllocationLine } from './loan.events';
import type { LoanState, ServicedLine } from './loan.state';

export const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;

export const dayOf = (instant: string) => instant.slice(0, 10);

// Decide (what a payment leaves due) and evolve (InstalmentPaid) must fold a payment into the lines the same way.
export function applyAllocations(lines: readonly ServicedLine[], allocations: readonly PaymentAllocationLine[]): ServicedLine[] {
  return lines.map((line) => {
    const paid = allocations.filter((allocation) => allocation.number === line.number);
    if (paid.length === 0) return line;
    return {
      ...line,
      interestPaid: line.interestPaid + paid.reduce((sum, a) => sum + a.interestCents, 0),
      principalPaid: line.principalPaid + paid.reduce((sum, a) => sum + a.principalCents, 0),
    };
  });
}

export function lineOf(lines: readonly ServicedLine[], number: number): ServicedLine {
  const line = lines.find((candidate) => candidate.number === number);
  if (!line) throw new Error(`no line ${number}`);
  return line;
}

export function requireRepaying(state: LoanState): Extract<LoanState, { status: 'repaying' }> {
  if (state.status === 'repaying') return state;
  throw inactive(state);
}

export function inactive(state: LoanState): DomainError {
  switch (state.status) {
    case 'none':
      return notFound();
    case 'repaid':
      return stateError('LOAN_REPAID', `the loan was repaid on ${state.repaidOn}`);
    case 'defaulted':
      return stateError('LOAN_DEFAULTED', 'the loan is in default: only recoveries, contacts and a write-off apply');
    case 'writtenOff':
      return stateError('LOAN_WRITTEN_OFF', 'the loan was written off');
    case 'refused':
      return stateError('LOAN_REFUSED', 'the application was refused');
    case 'applicationReceived':
    case 'approved':
    case 'offered':
    case 'signed':
      return stateError('LOAN_NOT_DISBURSED', 'the funds have not been disbursed yet');
    case 'repaying':
      return stateError('LOAN_REPAYING', 'the loan is being repaid');
    default:
      return exhaustive(state);
  }
}

export function undecidable(state: LoanState): DomainError {
  switch (state.status) {
    case 'none':
      return notFound();
    case 'applicationReceived':
      return stateError('LOAN_NOT_APPROVED', 'the application awaits the bank’s decision');
    default:
      return stateError('LOAN_ALREADY_DECIDED', `the bank has already decided (loan ${state.status})`);
  }
}

export function notDefaulted(state: LoanState): DomainError {
  if (state.status === 'repaying') return stateError('LOAN_NOT_DEFAULTED', 'the loan is not in default');
  return inactive(state);
}

function notFound(): DomainError {
  return notFoundError('LOAN_NOT_FOUND', 'no such loan');
}

export function positiveWhole(value: number, field: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw ruleError('AMOUNT_INVALID', `${field} must be a positive whole number of cents`, field);
}

export function wholeBetween(value: number, min: number, max: number, field: string, aboveCode = 'VALUE_OUT_OF_RANGE'): void {
  if (!Number.isSafeInteger(value)) throw ruleError('VALUE_OUT_OF_RANGE', `${field} must be a whole number`, field);
  if (value > max) throw ruleError(aboveCode, `${field} must be at most ${max}`, field);
  if (value < min) throw ruleError('VALUE_OUT_OF_RANGE', `${field} must be at least ${min}`, field);
}

export function isIsoDay(value: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

export function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
