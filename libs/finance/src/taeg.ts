import { addMonths, assertIsoDate, compareDates, daysBetween, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertNonNegativeCents, assertPositiveCents, formatBasisPoints, type BasisPoints, type Cents } from './money';
import type { ScheduleLine } from './schedule';

// TAEG (taux annuel effectif global, the APR) by the actuarial method of directive 2008/48/EC, annex I:
//   Σ drawdowns_k · (1 + X)^(−t_k) = Σ (repayments_l + charges_l) · (1 + X)^(−s_l)
// with times in years from the first drawdown. Standard months are 1/12 of a year (annex I, II (c)),
// leftover days count as days / 365 (366 when the year they end in has a 29 February).

export interface TimePoint {
  readonly months: number;
  readonly days: number;
  readonly daysInYear: 365 | 366;
}

export interface CashFlow {
  readonly amount: Cents;
  readonly at: TimePoint;
}

export interface TaegCashFlows {
  // Money lent to the borrower.
  readonly drawdowns: readonly CashFlow[];
  // Everything the borrower pays: instalments and every charge in the total cost of credit. An upfront
  // fee is a payment at time zero, which is the same equation as a drawdown net of the fee.
  readonly payments: readonly CashFlow[];
}

export interface Taeg {
  readonly basisPoints: BasisPoints;
  // The same value as a decimal string with two decimals, e.g. "5.24" (a percentage).
  readonly percent: string;
}

export function atMonths(months: number): TimePoint {
  if (!Number.isSafeInteger(months) || months < 0) throw new FinanceError('COUNT_INVALID', 'months', `expected a whole number of months ≥ 0, got ${String(months)}`);
  return { months, days: 0, daysInYear: 365 };
}

// Annex I, II (d): count whole equal periods (months) backwards from the flow date towards the drawdown,
// then the remaining days, excluding the first day and including the last; those days are divided by the
// length of the year counted back from the day they end on.
export function annexITime(drawdownDate: IsoDate, flowDate: IsoDate): TimePoint {
  assertIsoDate(drawdownDate, 'drawdownDate');
  assertIsoDate(flowDate, 'flowDate');
  if (compareDates(flowDate, drawdownDate) < 0) {
    throw new FinanceError('DATE_RANGE_INVERTED', 'flowDate', `${flowDate} is before the drawdown ${drawdownDate}`);
  }
  let months = 0;
  while (compareDates(addMonths(flowDate, -(months + 1)), drawdownDate) >= 0) months += 1;
  const periodStart = addMonths(flowDate, -months);
  const days = daysBetween(drawdownDate, periodStart);
  return { months, days, daysInYear: yearLengthEndingOn(periodStart) };
}

function yearLengthEndingOn(date: IsoDate): 365 | 366 {
  return daysBetween(addMonths(date, -12), date) === 366 ? 366 : 365;
}

function years(at: TimePoint): number {
  return at.months / 12 + at.days / at.daysInYear;
}

interface Flow {
  readonly amount: number;
  readonly t: number;
}

function validate(flows: readonly CashFlow[], field: string, positive: boolean): Flow[] {
  return flows.map((flow, index) => {
    const name = `${field}[${index}].amount`;
    if (positive) assertPositiveCents(flow.amount, name);
    else assertNonNegativeCents(flow.amount, name);
    const { months, days, daysInYear } = flow.at;
    if (!Number.isSafeInteger(months) || months < 0 || !Number.isSafeInteger(days) || days < 0 || (daysInYear !== 365 && daysInYear !== 366)) {
      throw new FinanceError('COUNT_INVALID', `${field}[${index}].at`, 'expected whole months ≥ 0, whole days ≥ 0 and a 365 or 366 day year');
    }
    return { amount: flow.amount, t: years(flow.at) };
  });
}

// Net present value of the borrower's side at rate x: what is paid minus what is received, discounted.
// It falls as x rises whenever the borrower pays after receiving, so bisection brackets the root.
function presentValueGap(x: number, drawdowns: readonly Flow[], payments: readonly Flow[]): number {
  const discount = (flow: Flow) => flow.amount * Math.pow(1 + x, -flow.t);
  return payments.reduce((sum, flow) => sum + discount(flow), 0) - drawdowns.reduce((sum, flow) => sum + discount(flow), 0);
}

// Floats are fine inside the solver: it bisects to an interval of 1e-13 (a billionth of a basis point)
// and only the rounded basis points leave this function.
export function solveTaeg(cashFlows: TaegCashFlows): Taeg {
  const drawdowns = validate(cashFlows.drawdowns, 'drawdowns', true);
  const payments = validate(cashFlows.payments, 'payments', false);
  if (drawdowns.length === 0) throw new FinanceError('TAEG_NO_SOLUTION', 'drawdowns', 'at least one drawdown is needed');
  const gap = (x: number) => presentValueGap(x, drawdowns, payments);
  let low = -0.99;
  let high = 1;
  while (gap(high) > 0 && high < 1e6) high *= 2;
  if (!(gap(low) >= 0 && gap(high) <= 0)) {
    throw new FinanceError('TAEG_NO_SOLUTION', 'payments', 'the payments cannot repay the drawdowns at any rate between -99% and 1e8%');
  }
  for (let iteration = 0; iteration < 200 && high - low > 1e-13; iteration += 1) {
    const middle = (low + high) / 2;
    if (gap(middle) > 0) low = middle;
    else high = middle;
  }
  return taegFromRate((low + high) / 2);
}

// Two decimals of a percent, half away from zero (annex I: "if the figure at the following decimal
// place is greater than or equal to 5, the figure at the preceding decimal place shall be increased").
function taegFromRate(rate: number): Taeg {
  const scaled = rate * 10_000;
  const rounded = Math.sign(scaled) * Math.round(Math.abs(scaled));
  const basisPoints = rounded === 0 ? 0 : rounded;
  return { basisPoints, percent: formatBasisPoints(basisPoints) };
}

export interface ScheduleTaegRequest {
  readonly amount: Cents;
  readonly lines: readonly Pick<ScheduleLine, 'number' | 'dueDate' | 'instalment'>[];
  // Fees paid at signature or deducted from the amount paid out (the same thing in the equation).
  readonly upfrontFees?: Cents;
  // Without it, line k falls exactly k standard months after the drawdown (the usual offer assumption);
  // with it, each due date is placed by the annex I day count.
  readonly disbursementDate?: IsoDate;
}

export function taegOfSchedule(request: ScheduleTaegRequest): Taeg {
  const amount = assertPositiveCents(request.amount, 'amount');
  const fees = assertNonNegativeCents(request.upfrontFees ?? 0, 'upfrontFees');
  if (fees >= amount) throw new FinanceError('TAEG_NET_AMOUNT_NOT_POSITIVE', 'upfrontFees', 'fees take the whole amount lent');
  const disbursementDate = request.disbursementDate;
  const timeOf = (line: Pick<ScheduleLine, 'number' | 'dueDate'>): TimePoint =>
    disbursementDate === undefined ? atMonths(line.number) : annexITime(disbursementDate, line.dueDate);
  const payments: CashFlow[] = request.lines.map((line) => ({ amount: line.instalment, at: timeOf(line) }));
  if (fees > 0) payments.push({ amount: fees, at: atMonths(0) });
  return solveTaeg({ drawdowns: [{ amount, at: atMonths(0) }], payments });
}
