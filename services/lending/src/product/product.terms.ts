import { annuitySchedule, checkUsury, FinanceError, taegOfSchedule, type UsuryCapTable } from '@tremplin/finance';
import { ruleError } from '@tremplin/event-sourcing';

export const PRODUCT_CODES = ['classic', 'restructuring', 'autonomyHealth'] as const;
export type ProductCode = (typeof PRODUCT_CODES)[number];

export type GuarantorKind = 'fcs' | 'ccas';
export type HolidayInterest = 'none' | 'capitalised';

export interface ProductTerms {
  readonly minAmountCents: number;
  readonly maxAmountCents: number;
  /** Above maxAmountCents and up to this, only with a recorded justification. */
  readonly exceptionMaxAmountCents?: number;
  readonly minTermMonths: number;
  readonly maxTermMonths: number;
  readonly exceptionMaxTermMonths?: number;
  readonly maxNominalRateBps: number;
  readonly guarantorKind: GuarantorKind;
  readonly guaranteedShareBps: number;
  readonly accompaniment: 'offered' | 'mandatory';
  readonly holidayInterest: HolidayInterest;
}

export interface ProductVersion {
  readonly product: ProductCode;
  /** 0 = the platform defaults of DOMAIN.md; each recorded decision of the CCAS adds one. */
  readonly version: number;
  readonly effectiveFrom: string;
  readonly terms: ProductTerms;
}

// Decree 2022-124: personal microcredit is capped at 8,000 € and 84 months whatever a CCAS configures.
export const LEGAL_MAX_AMOUNT_CENTS = 800_000;
export const LEGAL_MAX_TERM_MONTHS = 84;
export const DEFAULTS_EFFECTIVE_FROM = '1970-01-01T00:00:00.000Z';

export const DEFAULT_PRODUCT_TERMS: Readonly<Record<ProductCode, ProductTerms>> = {
  classic: {
    minAmountCents: 30_000,
    maxAmountCents: 300_000,
    exceptionMaxAmountCents: 500_000,
    minTermMonths: 6,
    maxTermMonths: 36,
    exceptionMaxTermMonths: 48,
    maxNominalRateBps: 400,
    guarantorKind: 'fcs',
    guaranteedShareBps: 5_000,
    accompaniment: 'offered',
    holidayInterest: 'none',
  },
  // Laval: debts up to 1,500 € plus an overdraft regularisation up to 800 €, in one loan.
  restructuring: {
    minAmountCents: 10_000,
    maxAmountCents: 230_000,
    minTermMonths: 6,
    maxTermMonths: 36,
    maxNominalRateBps: 400,
    guarantorKind: 'ccas',
    guaranteedShareBps: 5_000,
    accompaniment: 'mandatory',
    holidayInterest: 'none',
  },
  autonomyHealth: {
    minAmountCents: 30_000,
    maxAmountCents: 600_000,
    minTermMonths: 6,
    maxTermMonths: 48,
    maxNominalRateBps: 400,
    guarantorKind: 'fcs',
    guaranteedShareBps: 5_000,
    accompaniment: 'offered',
    holidayInterest: 'none',
  },
};

export function defaultProductVersion(product: ProductCode): ProductVersion {
  return { product, version: 0, effectiveFrom: DEFAULTS_EFFECTIVE_FROM, terms: DEFAULT_PRODUCT_TERMS[product] };
}

/** The version in force at an instant: the latest whose effectiveFrom is not after it (defaults otherwise). */
export function productVersionAt(product: ProductCode, versions: readonly ProductVersion[], at: string): ProductVersion {
  const inForce = versions.filter((version) => version.effectiveFrom <= at).sort((a, b) => a.version - b.version);
  return inForce[inForce.length - 1] ?? defaultProductVersion(product);
}

export function maxAmountOf(terms: ProductTerms): number {
  return terms.exceptionMaxAmountCents ?? terms.maxAmountCents;
}

export function maxTermOf(terms: ProductTerms): number {
  return terms.exceptionMaxTermMonths ?? terms.maxTermMonths;
}

/** Checks terms against the hard limits: legal ceiling, coherent bounds, and the usury cap on `effectiveOn`. */
export function validateProductTerms(terms: ProductTerms, effectiveOn: string, usuryTables: readonly UsuryCapTable[]): void {
  const field = (name: keyof ProductTerms) => `terms.${name}`;
  const check = (name: keyof ProductTerms, min: number, max: number, legal: boolean) => {
    const value = terms[name];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw ruleError('PRODUCT_TERMS_INVALID', `${name} must be a whole number`, field(name));
    if (value > max) throw ruleError(legal ? 'ABOVE_LEGAL_CEILING' : 'PRODUCT_TERMS_INVALID', `${name} of ${value} is above ${legal ? 'the legal ceiling of ' : ''}${max}`, field(name));
    if (value < min) throw ruleError('PRODUCT_TERMS_INVALID', `${name} must be at least ${min}, got ${value}`, field(name));
  };
  check('minAmountCents', 1, LEGAL_MAX_AMOUNT_CENTS, true);
  check('maxAmountCents', terms.minAmountCents, LEGAL_MAX_AMOUNT_CENTS, true);
  check('exceptionMaxAmountCents', terms.maxAmountCents + 1, LEGAL_MAX_AMOUNT_CENTS, true);
  check('minTermMonths', 1, LEGAL_MAX_TERM_MONTHS, true);
  check('maxTermMonths', terms.minTermMonths, LEGAL_MAX_TERM_MONTHS, true);
  check('exceptionMaxTermMonths', terms.maxTermMonths + 1, LEGAL_MAX_TERM_MONTHS, true);
  check('guaranteedShareBps', 0, 10_000, false);
  check('maxNominalRateBps', 0, 10_000, false);
  // Without fees the TAEG barely depends on the amount, and the cap falls as the amount band rises: the
  // largest amount at the highest rate is the case that must stay under the cap.
  const amount = maxAmountOf(terms);
  const taeg = taegOfSchedule({
    amount,
    lines: annuitySchedule({ amount, annualRateBasisPoints: terms.maxNominalRateBps, termMonths: terms.minTermMonths, firstDueDate: effectiveOn.slice(0, 10) }).lines,
  });
  const usury = usuryCheck(taeg.basisPoints, amount, effectiveOn.slice(0, 10), usuryTables, field('maxNominalRateBps'));
  if (!usury.ok) {
    throw ruleError('TAEG_ABOVE_USURY_CAP', `a rate of ${terms.maxNominalRateBps} bp gives a TAEG of ${taeg.percent}% on ${amount} cents, above the usury cap of ${usury.cap.cap}%`, field('maxNominalRateBps'));
  }
}

/** checkUsury, with a missing quarterly table turned into a refusal naming the field at fault. */
export function usuryCheck(taegBps: number, amountCents: number, onDate: string, tables: readonly UsuryCapTable[], field: string) {
  try {
    return checkUsury(taegBps, amountCents, onDate, tables);
  } catch (error) {
    if (error instanceof FinanceError && error.code === 'USURY_TABLE_MISSING') {
      throw ruleError('USURY_TABLE_MISSING', `no usury cap table is in force on ${onDate}: the quarter's caps must be configured before offers can be checked`, field);
    }
    throw error;
  }
}
