import { accruedInterest } from './accrual';
import { addMonths, assertIsoDate, compareDates, monthsBetween, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertCount, assertPositiveCents, assertRate, type BasisPoints, type Cents } from './money';
import { amortise, annuityInstalment, MAX_TERM_MONTHS, monthlyDueDates, monthlyInterest, totalsOf, type ScheduleLine } from './schedule';

// Rescheduling recomputes the lines that are not yet due. Instalments already due (paid or in arrears)
// are left as they are: arrears are collected, not re-spread.
export interface LiveSchedule {
  readonly annualRateBasisPoints: BasisPoints;
  // The loan's first due date: every due date is anchor + k months, which keeps a 31st on the 31st
  // after a February instead of drifting to the 28th.
  readonly anchorDueDate: IsoDate;
  // The lines not yet due, oldest first, as produced by annuitySchedule or a previous rescheduling.
  readonly remainingLines: readonly ScheduleLine[];
  // Needed only while line 1 is not yet due and its period is not a standard month (annuitySchedule with a
  // disbursementDate): without it a rescheduled line 1 would charge a full month again.
  readonly disbursementDate?: IsoDate;
}

export interface Rescheduled {
  readonly lines: readonly ScheduleLine[];
  readonly endDate: IsoDate;
  // The new regular instalment (the last line may differ by a few cents).
  readonly instalment: Cents;
  // The principal the new lines repay (after any capitalised interest).
  readonly outstanding: Cents;
  readonly totalInterest: Cents;
}

// Whether interest runs while instalments are deferred is a product setting:
// - 'none': the holiday is free; the remaining lines are the same amounts, shifted by the holiday.
// - 'capitalised': each holiday month's interest (on the balance, rounded half-up) is added to the
//   principal, compounding monthly, and the new balance is re-amortised over the same number of
//   remaining instalments at the same rate. Capitalising (rather than spreading a separate interest
//   column) keeps one amortisation rule for every schedule and shows the cost as principal to repay.
export type HolidayInterest = 'none' | 'capitalised';

export interface PaymentHoliday extends Rescheduled {
  // The due dates on which nothing is owed any more.
  readonly deferredDueDates: readonly IsoDate[];
  readonly capitalisedInterest: Cents;
}

export interface Position {
  readonly outstanding: Cents;
  readonly firstNumber: number;
  readonly firstOffset: number;
  readonly count: number;
  readonly currentInstalment: Cents;
  // Where line 1's period starts when it is still to come and is not a standard month.
  readonly firstPeriodStart?: IsoDate;
}

export function positionOf(live: LiveSchedule): Position {
  assertRate(live.annualRateBasisPoints, 'annualRateBasisPoints');
  assertIsoDate(live.anchorDueDate, 'anchorDueDate');
  const lines = live.remainingLines;
  if (lines.length === 0) throw new FinanceError('SCHEDULE_EMPTY', 'remainingLines', 'nothing is left to reschedule');
  const first = lines[0];
  let balance = first.principal + first.outstandingAfter;
  lines.forEach((line, index) => {
    assertIsoDate(line.dueDate, `remainingLines[${index}].dueDate`);
    const consistent =
      line.number === first.number + index &&
      line.instalment === line.principal + line.interest &&
      line.outstandingAfter === balance - line.principal &&
      monthsBetween(first.dueDate, line.dueDate) === index;
    if (!consistent) throw new FinanceError('SCHEDULE_INCONSISTENT', `remainingLines[${index}]`, 'lines must be consecutive months whose amounts add up');
    balance = line.outstandingAfter;
  });
  if (balance !== 0) throw new FinanceError('SCHEDULE_INCONSISTENT', 'remainingLines', 'the last line must leave nothing outstanding');
  const outstanding = assertPositiveCents(first.principal + first.outstandingAfter, 'remainingLines[0]');
  let firstPeriodStart: IsoDate | undefined;
  if (first.number === 1 && live.disbursementDate !== undefined) {
    firstPeriodStart = assertIsoDate(live.disbursementDate, 'disbursementDate');
    if (compareDates(firstPeriodStart, first.dueDate) >= 0) throw new FinanceError('DATE_RANGE_INVERTED', 'disbursementDate', 'the disbursement must precede the first due date');
  }
  return {
    outstanding,
    firstNumber: first.number,
    firstOffset: monthsBetween(live.anchorDueDate, first.dueDate),
    count: lines.length,
    // The level instalment, read as principal + a standard month's interest so that a line 1 charged for a
    // shorter or longer first period is not mistaken for it (the same as line.instalment on any other line).
    currentInstalment: lines.length === 1 ? first.instalment : first.principal + monthlyInterest(outstanding, live.annualRateBasisPoints),
    ...(firstPeriodStart === undefined ? {} : { firstPeriodStart }),
  };
}

export function assertTotalTerm(lastNumber: number, field: string): void {
  if (lastNumber > MAX_TERM_MONTHS) throw new FinanceError('TERM_TOO_LONG', field, `the loan would run to instalment ${lastNumber}, beyond ${MAX_TERM_MONTHS}`);
}

function rescheduled(lines: ScheduleLine[], instalment: Cents, outstanding: Cents): Rescheduled {
  return { lines, endDate: lines[lines.length - 1].dueDate, instalment, outstanding, totalInterest: totalsOf(lines).totalInterest };
}

export function paymentHoliday(live: LiveSchedule, request: { readonly months: number; readonly interest: HolidayInterest }): PaymentHoliday {
  const position = positionOf(live);
  const months = assertCount(request.months, 'months', 1, MAX_TERM_MONTHS);
  assertTotalTerm(position.firstNumber + position.count - 1 + months, 'months');
  const rate = live.annualRateBasisPoints;
  const deferredDueDates = monthlyDueDates(live.anchorDueDate, position.firstOffset, months);
  const dueDates = monthlyDueDates(live.anchorDueDate, position.firstOffset + months, position.count);
  if (request.interest === 'none') {
    const lines = live.remainingLines.map((line, index) => ({ ...line, dueDate: dueDates[index] }));
    return { ...rescheduled(lines, position.currentInstalment, position.outstanding), deferredDueDates, capitalisedInterest: 0 };
  }
  let outstanding = position.outstanding;
  for (let month = 0; month < months; month += 1) {
    // The first deferred period is line 1's own when it is still to come: from the disbursement, not a month.
    outstanding +=
      month === 0 && position.firstPeriodStart !== undefined
        ? accruedInterest({ outstanding, annualRateBasisPoints: rate, from: position.firstPeriodStart, to: deferredDueDates[0] }).interest
        : monthlyInterest(outstanding, rate);
  }
  const instalment = annuityInstalment(outstanding, rate, position.count);
  const lines = amortise({ outstanding, annualRateBasisPoints: rate, instalment, firstNumber: position.firstNumber, dueDates });
  return { ...rescheduled(lines, instalment, outstanding), deferredDueDates, capitalisedInterest: outstanding - position.outstanding };
}

// Re-spreads the outstanding principal over a longer remaining term at the same rate; the first new
// line falls on the first remaining due date.
export function extendTerm(live: LiveSchedule, request: { readonly remainingInstalments: number }): Rescheduled {
  const position = positionOf(live);
  const count = assertCount(request.remainingInstalments, 'remainingInstalments', 1, MAX_TERM_MONTHS);
  if (count <= position.count) {
    throw new FinanceError('TERM_NOT_LONGER', 'remainingInstalments', `${count} instalments is not longer than the ${position.count} remaining`);
  }
  assertTotalTerm(position.firstNumber + count - 1, 'remainingInstalments');
  const rate = live.annualRateBasisPoints;
  const instalment = annuityInstalment(position.outstanding, rate, count);
  const dueDates = monthlyDueDates(live.anchorDueDate, position.firstOffset, count);
  const lines = amortise({ outstanding: position.outstanding, annualRateBasisPoints: rate, instalment, firstNumber: position.firstNumber, dueDates, firstPeriodStart: position.firstPeriodStart });
  return rescheduled(lines, instalment, position.outstanding);
}

// A new, lower instalment: each month still pays the interest on the balance (rounded half-up) and the
// rest of the instalment repays principal; the line on which the balance plus interest fits within the
// instalment is the last one. The instalment must be above the first month's interest, or it would
// never repay anything.
export function reviseInstalment(live: LiveSchedule, request: { readonly instalment: Cents }): Rescheduled & { readonly remainingInstalments: number } {
  const position = positionOf(live);
  const instalment = assertPositiveCents(request.instalment, 'instalment');
  if (instalment >= position.currentInstalment) {
    throw new FinanceError('INSTALMENT_NOT_LOWER', 'instalment', `${instalment} is not lower than the current ${position.currentInstalment}`);
  }
  const rate = live.annualRateBasisPoints;
  const firstInterest = monthlyInterest(position.outstanding, rate);
  if (instalment <= firstInterest) {
    throw new FinanceError('INSTALMENT_DOES_NOT_COVER_INTEREST', 'instalment', `${instalment} does not exceed the monthly interest of ${firstInterest}`);
  }
  const lines: ScheduleLine[] = [];
  let balance = position.outstanding;
  while (balance > 0) {
    const number = position.firstNumber + lines.length;
    assertTotalTerm(number, 'instalment');
    const dueDate = addMonths(live.anchorDueDate, position.firstOffset + lines.length, 'anchorDueDate');
    const monthInterest = monthlyInterest(balance, rate);
    const interest =
      lines.length === 0 && position.firstPeriodStart !== undefined
        ? accruedInterest({ outstanding: balance, annualRateBasisPoints: rate, from: position.firstPeriodStart, to: dueDate }).interest
        : monthInterest;
    const principal = Math.min(instalment - monthInterest, balance);
    balance -= principal;
    lines.push({ number, dueDate, instalment: principal + interest, interest, principal, outstandingAfter: balance });
  }
  return { ...rescheduled(lines, instalment, position.outstanding), remainingInstalments: lines.length };
}
