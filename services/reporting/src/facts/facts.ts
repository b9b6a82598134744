// The facts reporting folds from the contracts it consumes: pseudonymous ids, codes, cents and instants only.

export interface ConsumedEvent {
  readonly messageId: string;
  readonly name: string;
  readonly tenantId: string;
  readonly occurredAt: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

export interface ApplicationFact {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly product: string;
  readonly purposeCategory: string;
  readonly requestedCents: number;
  readonly requestedTermMonths: number;
  readonly transmittedAt: string;
}

export type LoanStatus = 'received' | 'approved' | 'refused' | 'signed' | 'repaying' | 'repaid' | 'defaulted' | 'writtenOff';

export interface LoanFact {
  readonly tenantId: string;
  readonly loanId: string;
  readonly applicationId: string | null;
  readonly product: string | null;
  readonly purposeCategory: string | null;
  readonly status: LoanStatus;
  readonly receivedAt: string | null;
  readonly requestedCents: number | null;
  readonly approvedAt: string | null;
  readonly approvedCents: number | null;
  readonly termMonths: number | null;
  readonly refusedAt: string | null;
  readonly refusalCategory: string | null;
  readonly disbursedAt: string | null;
  readonly disbursedCents: number | null;
  readonly outstandingCents: number;
  readonly missedInstalments: number;
  readonly incidentWarnings: number;
  readonly reschedulings: number;
  readonly defaultedAt: string | null;
  readonly defaultedOutstandingCents: number | null;
  readonly recoveredCents: number;
  readonly repaidAt: string | null;
  readonly writtenOffCents: number;
  /** The guarantee fund's side (guarantee.*.v1): covered at activation, exposed now, claimed, paid, recovered, lost. */
  readonly guaranteedCents: number;
  readonly guaranteeExposureCents: number;
  readonly guaranteeClaimCents: number;
  readonly guaranteeClaimPaidCents: number;
  readonly guarantorRecoveredCents: number;
  readonly guaranteeLossCents: number;
  /** Interest refunded to the borrower (accompaniment.interest-refund-paid.v1). */
  readonly interestRefundedCents: number;
  readonly updatedAt: string;
}

export const ACTIVITY_KINDS = [
  'approved',
  'refused',
  'disbursed',
  'instalmentMissed',
  'incidentWarning',
  'rescheduled:holiday',
  'rescheduled:termExtension',
  'rescheduled:instalmentRevision',
  'defaulted',
  'recovery',
  'writtenOff',
  'repaid',
  'support:emergencyAid',
  'support:socialGrocery',
  'support:referral',
  'interestRefundPaid',
  'guaranteeActivated',
  'guaranteeCalled',
  'guaranteeClaimPaid',
  'guarantorRecovery',
  'guaranteeLoss',
] as const;
export type ActivityKind = (typeof ACTIVITY_KINDS)[number];

/** A dated fact about one loan, counted by period (its cents: arrears, recovery, write-off, default balance). */
export interface LoanActivity {
  readonly messageId: string;
  readonly tenantId: string;
  readonly loanId: string;
  readonly product: string | null;
  readonly kind: ActivityKind;
  readonly occurredOn: string;
  readonly cents: number;
}

export interface EnvelopeFact {
  readonly tenantId: string;
  readonly guarantorId: string;
  readonly capacityCents: number;
  readonly reservedCents: number;
  readonly headroomCents: number;
  readonly decisionDate: string;
  readonly votedAt: string;
}

/** A file's steps before the bank (intake.application-opened.v1, intake.commission-decided.v1): the start of its processing time. */
export interface FileFact {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly openedAt: string | null;
  readonly commissionDecidedAt: string | null;
  readonly commissionDecision: string | null;
}

/** One escalation of an accompaniment plan: opened, first CCAS contact (its delay as accompaniment measured it), closed. */
export interface EscalationFact {
  readonly tenantId: string;
  readonly escalationId: string;
  readonly loanId: string;
  readonly trigger: string;
  readonly openedAt: string | null;
  readonly missedDueDate: string | null;
  readonly deadlineDate: string | null;
  readonly deadlineWorkingDays: number | null;
  readonly contactedAt: string | null;
  readonly delayMinutes: number | null;
  readonly delayWorkingDays: number | null;
  readonly late: boolean | null;
  readonly closedAt: string | null;
  readonly outcome: string | null;
}

/** The end-of-loan evaluation (accompaniment.evaluation-recorded.v1): an outcome code per dimension, never what the person said. */
export interface EvaluationFact {
  readonly tenantId: string;
  readonly loanId: string;
  readonly heldOn: string;
  readonly employment: string;
  readonly mobility: string;
  readonly housing: string;
  readonly health: string;
  readonly budget: string;
  readonly socialTies: string;
  readonly satisfaction: string;
  readonly withoutSupport: string;
  readonly newProject: boolean;
  readonly recordedAt: string;
}

export function emptyLoan(tenantId: string, loanId: string, at: string): LoanFact {
  return {
    tenantId,
    loanId,
    applicationId: null,
    product: null,
    purposeCategory: null,
    status: 'received',
    receivedAt: null,
    requestedCents: null,
    approvedAt: null,
    approvedCents: null,
    termMonths: null,
    refusedAt: null,
    refusalCategory: null,
    disbursedAt: null,
    disbursedCents: null,
    outstandingCents: 0,
    missedInstalments: 0,
    incidentWarnings: 0,
    reschedulings: 0,
    defaultedAt: null,
    defaultedOutstandingCents: null,
    recoveredCents: 0,
    repaidAt: null,
    writtenOffCents: 0,
    guaranteedCents: 0,
    guaranteeExposureCents: 0,
    guaranteeClaimCents: 0,
    guaranteeClaimPaidCents: 0,
    guarantorRecoveredCents: 0,
    guaranteeLossCents: 0,
    interestRefundedCents: 0,
    updatedAt: at,
  };
}
