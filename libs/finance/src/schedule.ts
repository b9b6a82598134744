import { accruedInterest } from './accrual';
import { addMonths, assertIsoDate, compareDates, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertPositiveCents, assertNonNegativeCents, assertRate, divideRoundHalfUp, type BasisPoints, type Cents } from './money';

// Every amount below is in euro cents.
export interface ScheduleLine {
  readonly number: number;
  readonly dueDate: IsoDate;
  readonly instalment: Cents;
  readonly interest: Cents;
  readonly principal: Cents;
  readonly outstandingAfter: Cents;
}

export interface Schedule {
  readonly amount: Cents;
  readonly annualRateBasisPoints: BasisPoints;
  readonly termMonths: number;
  readonly firstDueDate: IsoDate;
  // Present when line 1's interest was charged for the actual first period (see ScheduleRequest).
  readonly disbursementDate?: IsoDate;
  // The regular instalment; the last line may differ by a few cents (it absorbs the rounding), and with a
  // disbursement date the first line differs by the interest of a first period longer or shorter than a month.
  readonly instalment: Cents;
  readonly lines: readonly ScheduleLine[];
  readonly endDate: IsoDate;
  readonly totalInterest: Cents;
  readonly totalRepaid: Cents;
}

export interface ScheduleRequest {
  readonly amount: Cents;
  readonly annualRateBasisPoints: BasisPoints;
  readonly termMonths: number;
  readonly firstDueDate: IsoDate;
  // Without it the first period is one standard month (the offer's assumption). With it, line 1 charges
  // the interest of the actual time from disbursement to the first due date (accruedInterest), and every
  // later line a standard month.
  readonly disbursementDate?: IsoDate;
}

// A sanity bound on terms (100 years), far beyond any product: it bounds the bigint powers below.
export const MAX_TERM_MONTHS = 1200;

// Nominal annual rate / 12, i.e. basis points / 120 000 per month: the proportional monthly rate of
// French consumer loans (not the equivalent rate (1 + r)^(1/12) − 1).
const MONTHLY_DENOMINATOR = 120_000n;

export function assertTerm(termMonths: number, field = 'termMonths'): number {
  if (!Number.isSafeInteger(termMonths) || termMonths < 1 || termMonths > MAX_TERM_MONTHS) {
    throw new FinanceError('TERM_INVALID', field, `expected a whole number of months in 1..${MAX_TERM_MONTHS}, got ${String(termMonths)}`);
  }
  return termMonths;
}

// One month's interest on an outstanding balance: outstanding × rate / 12, rounded half-up to the cent.
export function monthlyInterest(outstanding: Cents, annualRateBasisPoints: BasisPoints): Cents {
  assertNonNegativeCents(outstanding, 'outstanding');
  assertRate(annualRateBasisPoints, 'annualRateBasisPoints');
  return Number(divideRoundHalfUp(BigInt(outstanding) * BigInt(annualRateBasisPoints), MONTHLY_DENOMINATOR));
}

// The constant instalment A = P·r / (1 − (1 + r)^−n) with r = bp / 120 000, computed as an exact
// fraction in bigint, then rounded half-up to the cent: no float ever touches the amount.
// With r = 0 it is P / n rounded down (the zero-rate split puts the remainder on the last line).
export function annuityInstalment(amount: Cents, annualRateBasisPoints: BasisPoints, termMonths: number): Cents {
  assertPositiveCents(amount, 'amount');
  assertRate(annualRateBasisPoints, 'annualRateBasisPoints');
  assertTerm(termMonths);
  const n = BigInt(termMonths);
  const principal = BigInt(amount);
  if (annualRateBasisPoints === 0) return Number(principal / n);
  const b = BigInt(annualRateBasisPoints);
  const grown = (MONTHLY_DENOMINATOR + b) ** n;
  const base = MONTHLY_DENOMINATOR ** n;
  return Number(divideRoundHalfUp(principal * b * grown, MONTHLY_DENOMINATOR * (grown - base)));
}

export interface AmortisationRequest {
  readonly outstanding: Cents;
  readonly annualRateBasisPoints: BasisPoints;
  readonly instalment: Cents;
  readonly firstNumber: number;
  readonly dueDates: readonly IsoDate[];
  // When the first line's period is not a standard month (the loan's first period), the day it starts.
  readonly firstPeriodStart?: IsoDate;
}

// Lines of a level-instalment amortisation over `dueDates.length` months: each month's interest is on
// the balance (rounded half-up), principal = instalment − interest, and the last line repays whatever
// balance remains, so the principal column sums exactly to `outstanding`. A zero rate gives an even split.
// With a first period start, line 1 repays the principal of a standard month and charges the interest of
// its actual period: the instalment absorbs the difference ("échéance brisée"), so the principal column, and
// with it every later line, is the same whatever the first period's length.
export function amortise({ outstanding, annualRateBasisPoints, instalment, firstNumber, dueDates, firstPeriodStart }: AmortisationRequest): ScheduleLine[] {
  const lines: ScheduleLine[] = [];
  let balance = outstanding;
  dueDates.forEach((dueDate, index) => {
    const isLast = index === dueDates.length - 1;
    const monthInterest = monthlyInterest(balance, annualRateBasisPoints);
    // Clamping only matters for toy amounts whose rounded-up instalment would overpay before the end.
    const principal = isLast ? balance : Math.min(Math.max(instalment - monthInterest, 0), balance);
    const interest =
      index === 0 && firstPeriodStart !== undefined ? accruedInterest({ outstanding: balance, annualRateBasisPoints, from: firstPeriodStart, to: dueDate }).interest : monthInterest;
    balance -= principal;
    lines.push({ number: firstNumber + index, dueDate, instalment: principal + interest, interest, principal, outstandingAfter: balance });
  });
  return lines;
}

export function monthlyDueDates(anchor: IsoDate, firstOffset: number, count: number): IsoDate[] {
  return Array.from({ length: count }, (_, index) => addMonths(anchor, firstOffset + index, 'firstDueDate'));
}

export function totalsOf(lines: readonly ScheduleLine[]): { totalInterest: Cents; totalRepaid: Cents; totalPrincipal: Cents } {
  return lines.reduce(
    (totals, line) => ({
      totalInterest: totals.totalInterest + line.interest,
      totalRepaid: totals.totalRepaid + line.instalment,
      totalPrincipal: totals.totalPrincipal + line.principal,
    }),
    { totalInterest: 0, totalRepaid: 0, totalPrincipal: 0 },
  );
}

// Monthly annuity schedule: due dates are firstDueDate + k months (end-of-month clamped from that anchor).
export function annuitySchedule(request: ScheduleRequest): Schedule {
  const amount = assertPositiveCents(request.amount, 'amount');
  const annualRateBasisPoints = assertRate(request.annualRateBasisPoints, 'annualRateBasisPoints');
  const termMonths = assertTerm(request.termMonths);
  const firstDueDate = assertIsoDate(request.firstDueDate, 'firstDueDate');
  const disbursementDate = request.disbursementDate === undefined ? undefined : assertIsoDate(request.disbursementDate, 'disbursementDate');
  if (disbursementDate !== undefined && compareDates(disbursementDate, firstDueDate) >= 0) {
    throw new FinanceError('DATE_RANGE_INVERTED', 'firstDueDate', `the first due date ${firstDueDate} must fall after the disbursement ${disbursementDate}`);
  }
  const instalment = annuityInstalment(amount, annualRateBasisPoints, termMonths);
  const lines = amortise({
    outstanding: amount,
    annualRateBasisPoints,
    instalment,
    firstNumber: 1,
    dueDates: monthlyDueDates(firstDueDate, 0, termMonths),
    firstPeriodStart: disbursementDate,
  });
  const { totalInterest, totalRepaid } = totalsOf(lines);
  return {
    amount,
    annualRateBasisPoints,
    termMonths,
    firstDueDate,
    ...(disbursementDate === undefined ? {} : { disbursementDate }),
    instalment,
    lines,
    endDate: lines[lines.length - 1].dueDate,
    totalInterest,
    totalRepaid,
  };
}
