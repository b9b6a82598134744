import type { Actor } from '@tremplin/event-sourcing';
import type { ProductVersionTerms } from '../catalogue/catalogue.events';
import type { Sealed } from '../sealed';
import type { AUTONOMY_HEALTH_CATEGORIES, CHARGE_KINDS, COMMISSION_DECISIONS, INCOME_KINDS, IntakeSettingsVersion, NEED_KINDS, NEED_LEVELS, APPOINTMENT_TOPICS } from './application.rules';

export type Product = 'classic' | 'restructuring' | 'autonomyHealth';
export type PurposeCategory = 'mobility' | 'housing' | 'healthEquipment' | 'employmentTraining' | 'debtRestructuring' | 'other';

/** A debt being consolidated: the creditor's name is personal (sealed), the amount is what the cap checks. */
export interface ConsolidatedDebt {
  readonly creditor: Sealed;
  readonly amountCents: number;
}

export interface Restructuring {
  readonly debts: readonly ConsolidatedDebt[];
  readonly overdraftCents: number;
}

/** Autonomy-health: coded needs and amounts, never medical documents or diagnoses. */
export interface AutonomyHealthNeed {
  readonly category: (typeof AUTONOMY_HEALTH_CATEGORIES)[number];
  readonly amountCents: number;
}

export interface OpenApplication {
  readonly type: 'OpenApplication';
  readonly applicationId: string;
  readonly beneficiaryId: string;
  /** Read from the beneficiary's stream in the command's transaction: no file for an unknown or erased person. */
  readonly beneficiaryStatus: 'unknown' | 'registered' | 'erased';
  readonly product: Product;
  readonly purposeCategory: PurposeCategory;
  readonly project: Sealed;
  readonly requestedAmountCents: number;
  readonly requestedTermMonths: number;
  readonly restructuring?: Restructuring;
  readonly autonomyHealthNeeds?: readonly AutonomyHealthNeed[];
  readonly settings: IntakeSettingsVersion;
  readonly now: string;
  readonly actor: Actor;
}

export interface RecordAppointment {
  readonly type: 'RecordAppointment';
  readonly appointmentId: string;
  readonly heldOn: string;
  readonly durationMinutes: number;
  readonly topics: ReadonlyArray<(typeof APPOINTMENT_TOPICS)[number]>;
  readonly notes?: Sealed;
  readonly now: string;
  readonly actor: Actor;
}

export interface BudgetLine<Kind extends string> {
  readonly kind: Kind;
  readonly amountCents: number;
}

/** A budget is personal data: its lines, debts, instalment and reste à vivre leave the handler only sealed. */
export interface SealedBudget {
  readonly incomes: Sealed;
  readonly charges: Sealed;
  readonly debtsOutstandingCents: Sealed;
  readonly overdraftCents: Sealed;
  readonly expectedInstalmentCents: Sealed;
  readonly resteAVivre: Sealed;
}

export interface AssessBudget {
  readonly type: 'AssessBudget';
  readonly household: { readonly personsAged14OrMore: number; readonly childrenUnder14: number };
  readonly incomes: ReadonlyArray<BudgetLine<(typeof INCOME_KINDS)[number]>>;
  readonly charges: ReadonlyArray<BudgetLine<(typeof CHARGE_KINDS)[number]>>;
  readonly debtsOutstandingCents: number;
  readonly overdraftCents: number;
  readonly expectedInstalmentCents: number;
  /** The same figures and their reste à vivre sealed under the person's key by the handler: what the event keeps. */
  readonly sealed: SealedBudget;
  readonly notes?: Sealed;
  readonly settings: IntakeSettingsVersion;
  readonly now: string;
  readonly actor: Actor;
}

export interface AssessNeeds {
  readonly type: 'AssessNeeds';
  readonly level: (typeof NEED_LEVELS)[number];
  readonly kinds: ReadonlyArray<(typeof NEED_KINDS)[number]>;
  readonly now: string;
  readonly actor: Actor;
}

/** Eligibility against the product version in force, which the handler reads from the catalogue lending feeds. */
export interface CheckEligibility {
  readonly type: 'CheckEligibility';
  readonly productVersion?: ProductVersionTerms;
  readonly now: string;
  readonly actor: Actor;
}

export interface SubmitToCommission {
  readonly type: 'SubmitToCommission';
  readonly now: string;
  readonly actor: Actor;
}

export interface DecideAtCommission {
  readonly type: 'DecideAtCommission';
  readonly decisionId: string;
  readonly decision: (typeof COMMISSION_DECISIONS)[number];
  readonly reasonCode: string;
  readonly now: string;
  readonly actor: Actor;
}

export interface TransmitToBank {
  readonly type: 'TransmitToBank';
  readonly bankPartnerId: string;
  readonly now: string;
  readonly actor: Actor;
}

export interface WithdrawApplication {
  readonly type: 'WithdrawApplication';
  readonly reasonCode: string;
  readonly now: string;
  readonly actor: Actor;
}

/** The bank's answer as lending publishes it (lending.loan-approved.v1 / lending.loan-refused.v1). */
export interface RecordBankAnswer {
  readonly type: 'RecordBankAnswer';
  readonly loanId: string;
  readonly answer: { readonly outcome: 'loanApproved'; readonly approvedAmountCents: number; readonly termMonths: number } | { readonly outcome: 'bankRefused'; readonly reasonCode: string; readonly reasonCategory: string };
  readonly now: string;
  readonly actor: Actor;
}

/** The loan this file led to has ended (repaid or written off, from lending): the file's archive clock starts. */
export interface RecordLoanEnded {
  readonly type: 'RecordLoanEnded';
  readonly loanId: string;
  readonly ending: 'repaid' | 'writtenOff';
  readonly endedAt: string;
  readonly now: string;
  readonly actor: Actor;
}

export type ApplicationCommand = OpenApplication | RecordAppointment | AssessBudget | AssessNeeds | CheckEligibility | SubmitToCommission | DecideAtCommission | TransmitToBank | WithdrawApplication | RecordBankAnswer | RecordLoanEnded;
