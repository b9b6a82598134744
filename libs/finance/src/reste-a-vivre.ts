import { FinanceError } from './errors';
import { assertCents, divideFloor, sumCents, toSafeCents, type Cents } from './money';

// Modified OECD equivalence scale: 1 for the first adult, 0.5 for each other person aged 14 or more,
// 0.3 for each child under 14. Kept in tenths so that the units stay exact integers.
export interface Household {
  // Everyone aged 14 or more, the applicant included (so at least 1).
  readonly personsAged14OrMore: number;
  readonly childrenUnder14: number;
}

export interface ResteAVivreRequest {
  readonly household: Household;
  readonly monthlyIncomes: readonly Cents[];
  readonly monthlyFixedCharges: readonly Cents[];
  readonly instalment: Cents;
}

export interface RemainingBudget {
  // Incomes − fixed charges (− the instalment, after), per month.
  readonly perMonth: Cents;
  readonly perConsumptionUnit: Cents;
}

export interface ResteAVivre {
  readonly consumptionUnitsTenths: number;
  readonly consumptionUnits: string;
  readonly before: RemainingBudget;
  readonly after: RemainingBudget;
}

export function consumptionUnitsTenths(household: Household): number {
  const { personsAged14OrMore, childrenUnder14 } = household;
  if (!Number.isSafeInteger(personsAged14OrMore) || personsAged14OrMore < 1 || personsAged14OrMore > 50) {
    throw new FinanceError('HOUSEHOLD_INVALID', 'household.personsAged14OrMore', 'expected 1..50 (the applicant counts)');
  }
  if (!Number.isSafeInteger(childrenUnder14) || childrenUnder14 < 0 || childrenUnder14 > 50) {
    throw new FinanceError('HOUSEHOLD_INVALID', 'household.childrenUnder14', 'expected 0..50');
  }
  return 10 + 5 * (personsAged14OrMore - 1) + 3 * childrenUnder14;
}

// Per consumption unit, rounded down to the cent (towards minus infinity): the figure feeds an
// affordability judgement, so it never shows a cent more than the household really has.
function perUnit(perMonth: Cents, tenths: number): Cents {
  return toSafeCents(divideFloor(BigInt(perMonth) * 10n, BigInt(tenths)), 'perConsumptionUnit');
}

export function resteAVivre(request: ResteAVivreRequest): ResteAVivre {
  const tenths = consumptionUnitsTenths(request.household);
  const incomes = sumCents(request.monthlyIncomes, 'monthlyIncomes');
  const charges = sumCents(request.monthlyFixedCharges, 'monthlyFixedCharges');
  const instalment = assertCents(request.instalment, 'instalment');
  if (instalment < 0) throw new FinanceError('AMOUNT_NEGATIVE', 'instalment', `must not be negative, got ${instalment}`);
  const before = toSafeCents(BigInt(incomes) - BigInt(charges), 'before');
  const after = toSafeCents(BigInt(before) - BigInt(instalment), 'after');
  return {
    consumptionUnitsTenths: tenths,
    consumptionUnits: `${Math.floor(tenths / 10)}.${tenths % 10}`,
    before: { perMonth: before, perConsumptionUnit: perUnit(before, tenths) },
    after: { perMonth: after, perConsumptionUnit: perUnit(after, tenths) },
  };
}
