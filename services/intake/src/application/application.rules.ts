/**
 * The CCAS's intake settings, versioned: a budget is judged against the version in force on the day it is assessed,
 * and the event keeps which one. Defaults follow the UNCCAS practice (Laval's restructuring caps); each CCAS sets
 * its own through configuration.
 */
export interface IntakeSettingsVersion {
  readonly version: string;
  /** YYYY-MM-DD, first day in force. */
  readonly effectiveFrom: string;
  /** The CCAS's own minimum reste à vivre per consumption unit and month, after the instalment. */
  readonly minimumResteAVivrePerUnitCents: number;
  /** Restructuring: total of the debts consolidated (Laval: 1,500 €). */
  readonly restructuringDebtCapCents: number;
  /** Restructuring: overdraft regularisation (Laval: 800 €). */
  readonly overdraftRegularisationCapCents: number;
}

export const DEFAULT_INTAKE_SETTINGS: readonly IntakeSettingsVersion[] = [
  { version: 'default-2026', effectiveFrom: '2000-01-01', minimumResteAVivrePerUnitCents: 30_000, restructuringDebtCapCents: 150_000, overdraftRegularisationCapCents: 80_000 },
];

/** The version in force on `day`, or undefined before the first one. */
export function settingsInForce(versions: readonly IntakeSettingsVersion[], day: string): IntakeSettingsVersion | undefined {
  return [...versions].sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom)).filter((v) => v.effectiveFrom <= day).pop();
}

// Legal ceiling of personal microcredit since decree 2022-124, whatever a CCAS or a product says.
export const LEGAL_MAX_AMOUNT_CENTS = 800_000;
export const LEGAL_MAX_TERM_MONTHS = 84;

export const APPOINTMENT_TOPICS = ['situation', 'budget', 'bankStatements', 'project', 'accompaniment', 'documents', 'other'] as const;
export const INCOME_KINDS = ['salary', 'unemploymentBenefit', 'pension', 'familyBenefits', 'housingBenefit', 'minimumIncome', 'disabilityAllowance', 'other'] as const;
export const CHARGE_KINDS = ['rent', 'energy', 'water', 'insurance', 'telecom', 'transport', 'childcare', 'taxes', 'loanRepayment', 'other'] as const;
export const NEED_LEVELS = ['none', 'checkIns', 'regular', 'mandatory'] as const;
export const NEED_KINDS = ['budget', 'social', 'administrative'] as const;
export const AUTONOMY_HEALTH_CATEGORIES = ['mobilityAid', 'hearingAid', 'opticalEquipment', 'dentalCare', 'homeAdaptation', 'vehicleAdaptation', 'otherEquipment'] as const;
export const COMMISSION_DECISIONS = ['approved', 'refused', 'postponed'] as const;
export const REASON_CODE = /^[A-Z][A-Z0-9_]{1,63}$/;
