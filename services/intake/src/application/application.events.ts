import type { Sealed } from '../sealed';
import type { AssessBudget, AssessNeeds, SealedBudget, AutonomyHealthNeed, DecideAtCommission, Product, PurposeCategory, RecordAppointment, Restructuring } from './application.commands';

export interface ApplicationOpened {
  readonly type: 'ApplicationOpened';
  readonly data: {
    readonly applicationId: string;
    readonly beneficiaryId: string;
    readonly product: Product;
    readonly purposeCategory: PurposeCategory;
    readonly project: Sealed;
    readonly requestedAmountCents: number;
    readonly requestedTermMonths: number;
    readonly restructuring?: Restructuring;
    readonly autonomyHealthNeeds?: readonly AutonomyHealthNeed[];
    readonly openedBy: string;
    readonly openedAt: string;
  };
}

export interface AppointmentHeld {
  readonly type: 'AppointmentHeld';
  readonly data: Pick<RecordAppointment, 'appointmentId' | 'heldOn' | 'durationMinutes' | 'topics' | 'notes'> & { readonly heldBy: string };
}

/** The budget with its inputs and what libs/finance computed from them, judged against the settings version in force. */
export interface BudgetAssessed {
  readonly type: 'BudgetAssessed';
  /**
   * Sealed budget figures (lines, debts, overdraft, instalment, reste à vivre: `SealedBudget`), opened on read for
   * those entitled; what stays in clear is the household's counts, the CCAS minimum in force and whether the file is
   * below it.
   */
  readonly data: Pick<AssessBudget, 'household' | 'notes'> & SealedBudget & {
    readonly settingsVersion: string;
    readonly minimumResteAVivrePerUnitCents: number;
    readonly belowMinimum: boolean;
    readonly assessedBy: string;
    readonly assessedAt: string;
  };
}

export interface NeedsAssessed {
  readonly type: 'NeedsAssessed';
  readonly data: Pick<AssessNeeds, 'level' | 'kinds'> & { readonly assessedBy: string; readonly assessedAt: string };
}

export const ELIGIBILITY_REASONS = [
  'AMOUNT_BELOW_PRODUCT_MINIMUM',
  'AMOUNT_ABOVE_PRODUCT_MAXIMUM',
  'TERM_BELOW_PRODUCT_MINIMUM',
  'TERM_ABOVE_PRODUCT_MAXIMUM',
  'ACCOMPANIMENT_MANDATORY_NOT_PLANNED',
  'RESTE_A_VIVRE_BELOW_CCAS_MINIMUM',
] as const;

/** The file against the product version in force; an amount or term in the exception band needs a justification. */
export interface EligibilityChecked {
  readonly type: 'EligibilityChecked';
  readonly data: {
    readonly product: Product;
    readonly productVersion: number;
    readonly versionEffectiveFrom: string;
    readonly eligible: boolean;
    readonly exceptionRequired: boolean;
    readonly reasons: ReadonlyArray<(typeof ELIGIBILITY_REASONS)[number]>;
    readonly checkedBy: string;
    readonly checkedAt: string;
  };
}

export interface ApplicationSubmitted {
  readonly type: 'ApplicationSubmitted';
  readonly data: { readonly submittedBy: string; readonly submittedAt: string };
}

export interface CommissionDecided {
  readonly type: 'CommissionDecided';
  readonly data: Pick<DecideAtCommission, 'decisionId' | 'decision' | 'reasonCode'> & { readonly decidedBy: string; readonly decidedAt: string };
}

export interface ApplicationTransmitted {
  readonly type: 'ApplicationTransmitted';
  readonly data: { readonly bankPartnerId: string; readonly commissionDecisionId: string; readonly transmittedBy: string; readonly transmittedAt: string };
}

export interface ApplicationWithdrawn {
  readonly type: 'ApplicationWithdrawn';
  readonly data: { readonly reasonCode: string; readonly withdrawnBy: string; readonly withdrawnAt: string };
}

export type ClosingOutcome = 'loanApproved' | 'bankRefused' | 'commissionRefused';

export interface ApplicationClosed {
  readonly type: 'ApplicationClosed';
  readonly data: {
    readonly outcome: ClosingOutcome;
    readonly loanId?: string;
    /** The bank's or the commission's reason, shown to the social worker. */
    readonly reasonCode?: string;
    readonly reasonCategory?: string;
    readonly closedAt: string;
  };
}

export interface LoanEnded {
  readonly type: 'LoanEnded';
  readonly data: { readonly loanId: string; readonly ending: 'repaid' | 'writtenOff'; readonly endedAt: string };
}

export type ApplicationEvent = ApplicationOpened | AppointmentHeld | BudgetAssessed | NeedsAssessed | EligibilityChecked | ApplicationSubmitted | CommissionDecided | ApplicationTransmitted | ApplicationWithdrawn | ApplicationClosed | LoanEnded;

export const applicationStreamId = (applicationId: string) => `application-${applicationId}`;
