import { assertNonNegativeCents, assertPositiveCents, divideRoundHalfUp, type BasisPoints, type Cents } from './money';

/** The interest a borrower actually paid: the interest parts of the payments recorded, whatever schedule they followed. */
export function interestPaid(payments: readonly { readonly interestCents: Cents }[]): Cents {
  return payments.reduce((total, payment, index) => total + assertNonNegativeCents(payment.interestCents, `payments[${index}].interestCents`), 0);
}

/** part / whole in basis points, rounded half-up (refunds as a share of an optional-aid budget: Laval's 1.5 % = 150). */
export function shareInBasisPoints(part: Cents, whole: Cents): BasisPoints {
  assertNonNegativeCents(part, 'part');
  assertPositiveCents(whole, 'whole');
  return Number(divideRoundHalfUp(BigInt(part) * 10_000n, BigInt(whole)));
}
