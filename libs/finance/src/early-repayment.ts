import { accruedInterest } from './accrual';
import { addMonths, assertIsoDate, compareDates, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertNonNegativeCents, assertPositiveCents, assertRate, divideFloor, type BasisPoints, type Cents } from './money';
import { assertTotalTerm, positionOf, type LiveSchedule, type Rescheduled } from './rescheduling';
import { amortise, annuityInstalment, monthlyDueDates, monthlyInterest, totalsOf, type ScheduleLine } from './schedule';
import type { TimePoint } from './taeg';

// Code de la consommation L312-34: the borrower may always repay early, in part or in full, and "les intérêts
// et frais afférents à la durée résiduelle du contrat de crédit ne sont pas dus". So an early repayment costs
// the principal repaid plus the interest accrued on it up to the repayment date (accruedInterest: annex I
// months and days), plus at most the indemnity below.

// D312-15: no indemnity while the early repayments of the last twelve months total 10 000 € or less.
export const INDEMNITY_FREE_THRESHOLD: Cents = 1_000_000;
const ONE_PERCENT: BasisPoints = 100;
const HALF_PERCENT: BasisPoints = 50;

export interface IndemnityRequest {
  readonly repaidPrincipal: Cents;
  // Principal repaid early in the twelve months before this repayment: the threshold is per twelve months.
  readonly earlyRepaidInPrevious12Months?: Cents;
  readonly repaymentDate: IsoDate;
  // The end of the contract as agreed (the last due date).
  readonly contractEndDate: IsoDate;
  // The interest the borrower would have paid from the repayment to the end on what is repaid.
  readonly interestUntilEnd: Cents;
}

// The most the lender may ask (L312-34): 1 % of the amount repaid early when more than a year remains, 0.5 %
// otherwise, never more than the interest the repayment saves, nothing at or under the threshold. Rounded
// down because it is a ceiling. Overdrafts, repayments by an insurer and variable-rate periods owe none
// whatever the amount: those cases are not loans this library schedules.
export function earlyRepaymentIndemnityCap(request: IndemnityRequest): Cents {
  const repaid = assertNonNegativeCents(request.repaidPrincipal, 'repaidPrincipal');
  const previous = assertNonNegativeCents(request.earlyRepaidInPrevious12Months ?? 0, 'earlyRepaidInPrevious12Months');
  const repaymentDate = assertIsoDate(request.repaymentDate, 'repaymentDate');
  const contractEndDate = assertIsoDate(request.contractEndDate, 'contractEndDate');
  const interestUntilEnd = assertNonNegativeCents(request.interestUntilEnd, 'interestUntilEnd');
  if (repaid + previous <= INDEMNITY_FREE_THRESHOLD) return 0;
  // "supérieur à un an": exactly one year left is the 0.5 % case.
  const moreThanAYear = compareDates(contractEndDate, addMonths(repaymentDate, 12)) > 0;
  const percentCap = Number(divideFloor(BigInt(repaid) * BigInt(moreThanAYear ? ONE_PERCENT : HALF_PERCENT), 10_000n));
  return Math.min(percentCap, interestUntilEnd);
}

export interface EarlyRepaymentRequest {
  readonly annualRateBasisPoints: BasisPoints;
  readonly disbursementDate: IsoDate;
  // The loan's current schedule from its first line to its last, paid lines included: the lines as issued up
  // to the latest rescheduling or partial early repayment, then that one's lines.
  readonly lines: readonly ScheduleLine[];
  // What the borrower paid towards instalments before this repayment (earlier early repayments are already
  // in the lines, so they are not counted here).
  readonly paidToDate: Cents;
  readonly repaymentDate: IsoDate;
  readonly earlyRepaidInPrevious12Months?: Cents;
}

export interface EarlyRepaymentQuote {
  readonly repaymentDate: IsoDate;
  // Instalments due on or before the repayment date that what was paid does not cover (arrears stay owed).
  readonly unpaidDue: Cents;
  // Paid beyond the instalments due so far: deducted from what is owed.
  readonly paidAhead: Cents;
  // Principal left after the last line due on or before the repayment date.
  readonly outstandingPrincipal: Cents;
  // The last due date on or before the repayment date, or the disbursement: where the accrual starts.
  readonly accruedFrom: IsoDate;
  readonly accruedTime: TimePoint;
  readonly accruedInterest: Cents;
  // What clears the loan: unpaidDue − paidAhead + outstandingPrincipal + accruedInterest.
  readonly total: Cents;
  // The scheduled interest of the lines not yet due minus the accrued interest: what the borrower does not owe.
  readonly interestNotOwed: Cents;
  // The most the lender may add under L312-34 if its contract provides for an indemnity; 0 up to 10 000 €.
  readonly maxIndemnity: Cents;
}

// Each line is checked on its own, not against the line before: the balance jumps where a rescheduling or a
// partial early repayment replaced the lines (interest capitalised by a holiday, principal repaid early).
function assertLines(lines: readonly ScheduleLine[]): void {
  if (lines.length === 0) throw new FinanceError('SCHEDULE_EMPTY', 'lines', 'the schedule has no line');
  lines.forEach((line, index) => {
    assertIsoDate(line.dueDate, `lines[${index}].dueDate`);
    const consistent =
      line.number === lines[0].number + index &&
      line.instalment === line.principal + line.interest &&
      line.principal >= 0 &&
      line.outstandingAfter >= 0 &&
      (index === 0 || compareDates(lines[index - 1].dueDate, line.dueDate) < 0);
    if (!consistent) throw new FinanceError('SCHEDULE_INCONSISTENT', `lines[${index}]`, 'lines must be consecutive, dated in order, and add up');
  });
  if (lines[lines.length - 1].outstandingAfter !== 0) throw new FinanceError('SCHEDULE_INCONSISTENT', 'lines', 'the last line must leave nothing outstanding');
}

const balanceBefore = (line: ScheduleLine): Cents => line.principal + line.outstandingAfter;

interface Accrual {
  readonly outstanding: Cents;
  readonly from: IsoDate;
}

// What bears interest on the repayment date, and since when. The current period is the month before the next
// due line (the loan's first period when nothing is due yet). Before it starts, the loan is in a payment
// holiday: a free one charges nothing, a capitalised one charges the days since the last due line on the
// balance before capitalisation — the interest of holiday months still to come is not owed.
function accrualOn(lines: readonly ScheduleLine[], due: number, disbursementDate: IsoDate, repaymentDate: IsoDate): Accrual {
  if (due === lines.length) return { outstanding: 0, from: repaymentDate };
  const next = lines[due];
  if (due === 0) return { outstanding: balanceBefore(next), from: disbursementDate };
  const last = lines[due - 1];
  const monthBefore = addMonths(next.dueDate, -1);
  const periodStart = compareDates(monthBefore, last.dueDate) > 0 ? monthBefore : last.dueDate;
  if (compareDates(repaymentDate, periodStart) >= 0) return { outstanding: balanceBefore(next), from: periodStart };
  if (balanceBefore(next) > last.outstandingAfter) return { outstanding: last.outstandingAfter, from: last.dueDate };
  return { outstanding: balanceBefore(next), from: repaymentDate };
}

// Full early repayment on a date. A line due on the repayment date is due in full (its interest is exactly
// the accrual to that day); the lines after it are replaced by the principal left plus the days accrued.
export function fullEarlyRepayment(request: EarlyRepaymentRequest): EarlyRepaymentQuote {
  const rate = assertRate(request.annualRateBasisPoints, 'annualRateBasisPoints');
  const disbursementDate = assertIsoDate(request.disbursementDate, 'disbursementDate');
  const repaymentDate = assertIsoDate(request.repaymentDate, 'repaymentDate');
  const paidToDate = assertNonNegativeCents(request.paidToDate, 'paidToDate');
  const lines = request.lines;
  assertLines(lines);
  if (compareDates(disbursementDate, lines[0].dueDate) >= 0) throw new FinanceError('DATE_RANGE_INVERTED', 'disbursementDate', 'the disbursement must precede the first due date');
  if (compareDates(repaymentDate, disbursementDate) < 0) {
    throw new FinanceError('EARLY_REPAYMENT_DATE_INVALID', 'repaymentDate', `${repaymentDate} is before the disbursement ${disbursementDate}`);
  }
  const due = lines.filter((line) => compareDates(line.dueDate, repaymentDate) <= 0);
  const notDue = lines.slice(due.length);
  const { outstanding: outstandingPrincipal, from: accruedFrom } = accrualOn(lines, due.length, disbursementDate, repaymentDate);
  const accrual = accruedInterest({ outstanding: outstandingPrincipal, annualRateBasisPoints: rate, from: accruedFrom, to: repaymentDate });
  const dueTotal = totalsOf(due).totalRepaid;
  const unpaidDue = Math.max(dueTotal - paidToDate, 0);
  const paidAhead = Math.max(paidToDate - dueTotal, 0);
  const scheduledInterest = totalsOf(notDue).totalInterest;
  const interestNotOwed = Math.max(scheduledInterest - accrual.interest, 0);
  const maxIndemnity = earlyRepaymentIndemnityCap({
    repaidPrincipal: outstandingPrincipal,
    earlyRepaidInPrevious12Months: request.earlyRepaidInPrevious12Months,
    repaymentDate,
    contractEndDate: lines[lines.length - 1].dueDate,
    interestUntilEnd: interestNotOwed,
  });
  return {
    repaymentDate,
    unpaidDue,
    paidAhead,
    outstandingPrincipal,
    accruedFrom,
    accruedTime: accrual.time,
    accruedInterest: accrual.interest,
    total: unpaidDue - paidAhead + outstandingPrincipal + accrual.interest,
    interestNotOwed,
    maxIndemnity,
  };
}

// The borrower's choice after a partial early repayment: keep the instalment and finish sooner, or keep the
// end date and pay less each month.
export type PartialRepaymentChoice = 'reduceTerm' | 'reduceInstalment';

export interface PartialEarlyRepaymentRequest {
  readonly repaymentDate: IsoDate;
  // The principal the borrower repays now; the interest accrued on it is added to what they pay.
  readonly principal: Cents;
  readonly choice: PartialRepaymentChoice;
  // Required (here or in the LiveSchedule) while line 1 is not yet due: its period starts at the
  // disbursement, not a month earlier.
  readonly disbursementDate?: IsoDate;
  readonly earlyRepaidInPrevious12Months?: Cents;
}

export interface PartialEarlyRepayment extends Rescheduled {
  readonly repaymentDate: IsoDate;
  readonly principalRepaid: Cents;
  readonly accruedFrom: IsoDate;
  readonly accruedTime: TimePoint;
  // Interest on the repaid principal from the start of the current period to the repayment date.
  readonly accruedInterest: Cents;
  // What the borrower pays on the repayment date: principalRepaid + accruedInterest.
  readonly amountDue: Cents;
  readonly remainingInstalments: number;
  // Scheduled interest of the old remaining lines minus (new lines' interest + accruedInterest).
  readonly interestSaved: Cents;
  readonly maxIndemnity: Cents;
}

// Partial early repayment between two due dates, on `live.remainingLines` = the lines due after the
// repayment date. The repaid principal stops bearing interest on the repayment date (its accrual is paid
// now); the balance left keeps its period, so the next line still charges its whole period on it.
export function partialEarlyRepayment(live: LiveSchedule, request: PartialEarlyRepaymentRequest): PartialEarlyRepayment {
  const position = positionOf(live);
  const rate = live.annualRateBasisPoints;
  const repaymentDate = assertIsoDate(request.repaymentDate, 'repaymentDate');
  const first = live.remainingLines[0];
  let periodStart: IsoDate;
  let firstPeriodStart: IsoDate | undefined;
  if (first.number === 1) {
    const disbursementDate = request.disbursementDate ?? live.disbursementDate;
    if (disbursementDate === undefined) throw new FinanceError('DATE_INVALID', 'disbursementDate', 'needed while the first instalment is not yet due');
    periodStart = assertIsoDate(disbursementDate, 'disbursementDate');
    firstPeriodStart = periodStart;
  } else {
    periodStart = addMonths(live.anchorDueDate, position.firstOffset - 1, 'anchorDueDate');
  }
  if (compareDates(repaymentDate, periodStart) < 0 || compareDates(repaymentDate, first.dueDate) >= 0) {
    throw new FinanceError('EARLY_REPAYMENT_DATE_INVALID', 'repaymentDate', `must fall in [${periodStart}, ${first.dueDate}): pay the instalment due first`);
  }
  const principal = assertPositiveCents(request.principal, 'principal');
  if (principal >= position.outstanding) {
    throw new FinanceError('EARLY_REPAYMENT_NOT_PARTIAL', 'principal', `${principal} repays the whole ${position.outstanding} outstanding: use the full early repayment`);
  }
  const accrual = accruedInterest({ outstanding: principal, annualRateBasisPoints: rate, from: periodStart, to: repaymentDate });
  const outstanding = position.outstanding - principal;

  let lines: ScheduleLine[];
  let instalment: Cents;
  if (request.choice === 'reduceInstalment') {
    instalment = annuityInstalment(outstanding, rate, position.count);
    const dueDates = monthlyDueDates(live.anchorDueDate, position.firstOffset, position.count);
    lines = amortise({ outstanding, annualRateBasisPoints: rate, instalment, firstNumber: position.firstNumber, dueDates, firstPeriodStart });
  } else {
    instalment = position.currentInstalment;
    const firstMonthInterest = monthlyInterest(outstanding, rate);
    if (instalment <= firstMonthInterest) {
      throw new FinanceError('INSTALMENT_DOES_NOT_COVER_INTEREST', 'remainingLines', `${instalment} does not exceed the monthly interest of ${firstMonthInterest}`);
    }
    lines = [];
    let balance = outstanding;
    while (balance > 0) {
      const number = position.firstNumber + lines.length;
      assertTotalTerm(number, 'principal');
      const dueDate = addMonths(live.anchorDueDate, position.firstOffset + lines.length, 'anchorDueDate');
      const monthInterest = monthlyInterest(balance, rate);
      const interest =
        lines.length === 0 && firstPeriodStart !== undefined ? accruedInterest({ outstanding: balance, annualRateBasisPoints: rate, from: firstPeriodStart, to: dueDate }).interest : monthInterest;
      const linePrincipal = Math.min(instalment - monthInterest, balance);
      balance -= linePrincipal;
      lines.push({ number, dueDate, instalment: linePrincipal + interest, interest, principal: linePrincipal, outstandingAfter: balance });
    }
  }
  const totalInterest = totalsOf(lines).totalInterest;
  const interestSaved = Math.max(totalsOf(live.remainingLines).totalInterest - totalInterest - accrual.interest, 0);
  const maxIndemnity = earlyRepaymentIndemnityCap({
    repaidPrincipal: principal,
    earlyRepaidInPrevious12Months: request.earlyRepaidInPrevious12Months,
    repaymentDate,
    contractEndDate: live.remainingLines[live.remainingLines.length - 1].dueDate,
    interestUntilEnd: interestSaved,
  });
  return {
    lines,
    endDate: lines[lines.length - 1].dueDate,
    instalment,
    outstanding,
    totalInterest,
    repaymentDate,
    principalRepaid: principal,
    accruedFrom: periodStart,
    accruedTime: accrual.time,
    accruedInterest: accrual.interest,
    amountDue: principal + accrual.interest,
    remainingInstalments: lines.length,
    interestSaved,
    maxIndemnity,
  };
}
