import { addDays, assertIsoDate, compareDates, daysBetween, maxDate, minDate, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertNonNegativeCents, type Cents } from './money';

// An instalment as the loan sees it while it is being repaid: what was due and what was paid on it.
export interface DueLine {
  readonly number: number;
  readonly dueDate: IsoDate;
  readonly interest: Cents;
  readonly principal: Cents;
  readonly interestPaid: Cents;
  readonly principalPaid: Cents;
}

// Days (inclusive on both ends) during which the loan was paused, e.g. a payment holiday.
export interface PauseRange {
  readonly from: IsoDate;
  readonly to: IsoDate;
}

export interface Arrears {
  readonly interest: Cents;
  readonly principal: Cents;
  readonly total: Cents;
  // Instalments past their due date with something still unpaid (two of them raise the FICP warning).
  readonly unpaidInstalments: number;
  readonly oldestUnpaidDueDate: IsoDate | null;
}

function validateLines(lines: readonly DueLine[]): void {
  lines.forEach((line, index) => {
    assertIsoDate(line.dueDate, `lines[${index}].dueDate`);
    assertNonNegativeCents(line.interest, `lines[${index}].interest`);
    assertNonNegativeCents(line.principal, `lines[${index}].principal`);
    assertNonNegativeCents(line.interestPaid, `lines[${index}].interestPaid`);
    assertNonNegativeCents(line.principalPaid, `lines[${index}].principalPaid`);
    if (line.interestPaid > line.interest || line.principalPaid > line.principal) {
      throw new FinanceError('SCHEDULE_INCONSISTENT', `lines[${index}]`, 'paid more than was due on the line');
    }
  });
}

function unpaidOf(line: DueLine): { interest: Cents; principal: Cents } {
  return { interest: line.interest - line.interestPaid, principal: line.principal - line.principalPaid };
}

function byDueDate(lines: readonly DueLine[]): DueLine[] {
  return [...lines].sort((a, b) => compareDates(a.dueDate, b.dueDate) || a.number - b.number);
}

// An instalment is in arrears from the day after its due date: paying on the due date is on time.
export function arrearsAt(lines: readonly DueLine[], asOf: IsoDate): Arrears {
  validateLines(lines);
  assertIsoDate(asOf, 'asOf');
  const late = byDueDate(lines).filter((line) => compareDates(line.dueDate, asOf) < 0);
  let interest = 0;
  let principal = 0;
  let unpaidInstalments = 0;
  let oldestUnpaidDueDate: IsoDate | null = null;
  for (const line of late) {
    const unpaid = unpaidOf(line);
    if (unpaid.interest + unpaid.principal === 0) continue;
    interest += unpaid.interest;
    principal += unpaid.principal;
    unpaidInstalments += 1;
    oldestUnpaidDueDate ??= line.dueDate;
  }
  return { interest, principal, total: interest + principal, unpaidInstalments, oldestUnpaidDueDate };
}

function mergedPauses(pauses: readonly PauseRange[]): PauseRange[] {
  const sorted = pauses
    .map((pause, index) => {
      assertIsoDate(pause.from, `pauses[${index}].from`);
      assertIsoDate(pause.to, `pauses[${index}].to`);
      if (compareDates(pause.from, pause.to) > 0) throw new FinanceError('DATE_RANGE_INVERTED', `pauses[${index}]`, `${pause.from} is after ${pause.to}`);
      return pause;
    })
    .sort((a, b) => compareDates(a.from, b.from));
  const merged: PauseRange[] = [];
  for (const pause of sorted) {
    const last = merged[merged.length - 1];
    if (last && compareDates(pause.from, addDays(last.to, 1)) <= 0) merged[merged.length - 1] = { from: last.from, to: maxDate(last.to, pause.to) };
    else merged.push(pause);
  }
  return merged;
}

// Calendar days from the oldest unpaid due date to `asOf`, less the paused days in between: the days
// counted are (oldest due date, asOf], so the due date itself is day 0 and the next day is day 1.
export function daysPastDue(lines: readonly DueLine[], asOf: IsoDate, pauses: readonly PauseRange[] = []): number {
  const { oldestUnpaidDueDate } = arrearsAt(lines, asOf);
  if (oldestUnpaidDueDate === null) return 0;
  const firstLateDay = addDays(oldestUnpaidDueDate, 1);
  const paused = mergedPauses(pauses).reduce((days, pause) => {
    const from = maxDate(pause.from, firstLateDay);
    const to = minDate(pause.to, asOf);
    return compareDates(from, to) <= 0 ? days + daysBetween(from, to) + 1 : days;
  }, 0);
  return daysBetween(oldestUnpaidDueDate, asOf) - paused;
}

export interface Allocation {
  readonly number: number;
  readonly interest: Cents;
  readonly principal: Cents;
}

export interface PaymentAllocation {
  readonly allocations: readonly Allocation[];
  readonly lines: readonly DueLine[];
  // What is left once every line due on or before the payment date is settled; the caller decides
  // (early repayment, credit to the borrower): this function never applies money to future lines.
  readonly unallocated: Cents;
}

// A payment settles the oldest due line first; within a line, interest before principal (code civil,
// art. 1343-1: a partial payment goes to interest first). Only lines due on or before `paidOn` are touched.
export function allocatePayment(lines: readonly DueLine[], amount: Cents, paidOn: IsoDate): PaymentAllocation {
  validateLines(lines);
  assertNonNegativeCents(amount, 'amount');
  assertIsoDate(paidOn, 'paidOn');
  let left = amount;
  const allocations: Allocation[] = [];
  const updated = new Map<DueLine, DueLine>();
  for (const line of byDueDate(lines)) {
    if (left === 0 || compareDates(line.dueDate, paidOn) > 0) break;
    const unpaid = unpaidOf(line);
    const interest = Math.min(left, unpaid.interest);
    const principal = Math.min(left - interest, unpaid.principal);
    if (interest + principal === 0) continue;
    left -= interest + principal;
    allocations.push({ number: line.number, interest, principal });
    updated.set(line, { ...line, interestPaid: line.interestPaid + interest, principalPaid: line.principalPaid + principal });
  }
  return { allocations, lines: lines.map((line) => updated.get(line) ?? line), unallocated: left };
}
