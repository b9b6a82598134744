import { assertIsoDate, compareDates, type IsoDate } from './dates';
import { FinanceError } from './errors';
import { assertNonNegativeCents, assertRate, divideRoundHalfUp, type BasisPoints, type Cents } from './money';
import { annexITime, type TimePoint } from './taeg';

// Interest for a period that is not one regular month (the first period of a loan, the days before an early
// repayment). Time is counted as annex I counts it for the TAEG: whole months backwards from the end date at
// 1/12 of a year each, then the remaining days over 365 (366 when the year ending on them has a 29 February).
// The calendar year, not 360 days, because French case law requires the interest of a consumer loan to be
// computed on the "année civile" (Cass. 1re civ., 19 June 2013) and the TAEG then measures
// exactly the time that was charged.
export interface AccruedInterest {
  readonly interest: Cents;
  readonly time: TimePoint;
}

export interface AccrualRequest {
  readonly outstanding: Cents;
  readonly annualRateBasisPoints: BasisPoints;
  readonly from: IsoDate;
  readonly to: IsoDate;
}

// outstanding × rate × (months / 12 + days / year length), one exact fraction rounded half-up to the cent:
// a whole month gives exactly monthlyInterest, so regular and broken periods never disagree by a rounding.
export function accruedInterest(request: AccrualRequest): AccruedInterest {
  const outstanding = assertNonNegativeCents(request.outstanding, 'outstanding');
  const rate = assertRate(request.annualRateBasisPoints, 'annualRateBasisPoints');
  const from = assertIsoDate(request.from, 'from');
  const to = assertIsoDate(request.to, 'to');
  if (compareDates(to, from) < 0) throw new FinanceError('DATE_RANGE_INVERTED', 'to', `${to} is before ${from}`);
  const time = annexITime(from, to);
  const yearLength = BigInt(time.daysInYear);
  const numerator = BigInt(outstanding) * BigInt(rate) * (BigInt(time.months) * yearLength + 12n * BigInt(time.days));
  const interest = Number(divideRoundHalfUp(numerator, 10_000n * 12n * yearLength));
  return { interest, time };
}
