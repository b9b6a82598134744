import type { Actor } from '@tremplin/event-sourcing';

export const PLAN_KINDS = ['budget', 'social', 'administrative'] as const;
export type PlanKind = (typeof PLAN_KINDS)[number];
// none: offered, not taken; checkIns: periodic calls for a fragile borrower; regular: planned meetings;
// mandatory: the product requires it (restructuring loans), not necessarily regular.
export const INTENSITIES = ['none', 'checkIns', 'regular', 'mandatory'] as const;
export type Intensity = (typeof INTENSITIES)[number];
export const CONTACT_CHANNELS = ['phone', 'visit', 'email', 'threePartyMeeting', 'collectiveSession'] as const;
export type ContactChannel = (typeof CONTACT_CHANNELS)[number];
export const CONTACT_TOPICS = ['budget', 'debt', 'repayment', 'employment', 'housing', 'health', 'mobility', 'family', 'administrative', 'other'] as const;
export type ContactTopic = (typeof CONTACT_TOPICS)[number];
export const CHECK_IN_REASONS = ['midTerm', 'fragility', 'afterRemedy', 'other'] as const;
export type CheckInReason = (typeof CHECK_IN_REASONS)[number];
export const CHARTER_PARTIES = ['twoParty', 'threeParty'] as const;
export type CharterParties = (typeof CHARTER_PARTIES)[number];
export const BANK_CONTACT_OUTCOMES = ['reached', 'noAnswer', 'promiseToPay', 'difficultyReported'] as const;
export type BankContactOutcome = (typeof BANK_CONTACT_OUTCOMES)[number];
export const DIFFICULTY_TOPICS = ['jobLoss', 'bereavement', 'moving', 'health', 'separation', 'incomeDrop', 'unexpectedExpense', 'other'] as const;
export type DifficultyTopic = (typeof DIFFICULTY_TOPICS)[number];
export const SUPPORT_KINDS = ['emergencyAid', 'socialGrocery', 'referral'] as const;
export const REFERRAL_PARTNERS = ['departement', 'association', 'mdph', 'caf', 'other'] as const;
export type ReferralPartner = (typeof REFERRAL_PARTNERS)[number];
export const ESCALATION_OUTCOMES = ['resolved', 'rescheduled', 'supported', 'referred', 'unreachable', 'loanEnded'] as const;
export type EscalationOutcome = (typeof ESCALATION_OUTCOMES)[number];
export const PRODUCTS = ['classic', 'restructuring', 'autonomyHealth'] as const;
export type Product = (typeof PRODUCTS)[number];

/** A note encrypted under the person's key before it reaches the decider ({ $pii: … }); never read here. */
export type SealedNote = Readonly<Record<string, unknown>>;

export type Support =
  | { readonly kind: 'emergencyAid'; readonly amountCents: number }
  | { readonly kind: 'socialGrocery'; readonly months: number }
  | { readonly kind: 'referral'; readonly partner: ReferralPartner };

export type Rescheduling =
  | { readonly kind: 'holiday'; readonly months: number }
  | { readonly kind: 'termExtension'; readonly additionalMonths: number }
  | { readonly kind: 'instalmentRevision'; readonly instalmentCents: number };

interface Issued {
  /** The service's clock, an ISO instant. */
  readonly now: string;
  readonly actor: Actor;
}

/** lending.loan-disbursed.v1: every disbursed loan gets a plan; a restructuring loan's is mandatory. */
export interface OpenPlan extends Issued {
  readonly type: 'OpenPlan';
  readonly loanId: string;
  readonly applicationId: string;
  readonly product: Product;
  readonly amountCents: number;
  readonly termMonths: number;
  readonly firstDueDate: string;
  readonly disbursedAt: string;
  /** What intake told about the file (read in the same transaction): the person and the accompaniment assessed. */
  readonly intake?: { readonly beneficiaryId?: string; readonly accompanimentLevel?: Intensity };
}

/** The CCAS sets what the accompaniment covers, how close it is, and who the referent social worker is. */
export interface DefinePlan extends Issued {
  readonly type: 'DefinePlan';
  readonly kinds: readonly PlanKind[];
  readonly intensity: Intensity;
  readonly referentId: string;
  /** The person (intake's beneficiary id): contact notes are encrypted under their key. */
  readonly beneficiaryId: string;
}

export interface SignCharter extends Issued {
  readonly type: 'SignCharter';
  readonly parties: CharterParties;
  readonly signedOn: string;
  /** The bank that signs a three-party charter. */
  readonly bankPartnerId?: string;
}

export interface RecordContact extends Issued {
  readonly type: 'RecordContact';
  readonly contactId: string;
  readonly channel: ContactChannel;
  readonly topics: readonly ContactTopic[];
  /** Whether the person was reached: an unanswered call is recorded too, and is no first contact. */
  readonly reached: boolean;
  readonly contactedAt: string;
  readonly note?: SealedNote;
  /** The scheduled check-in this contact is. */
  readonly checkInId?: string;
}

export interface ScheduleCheckIn extends Issued {
  readonly type: 'ScheduleCheckIn';
  readonly checkInId: string;
  readonly dueOn: string;
  readonly reason: CheckInReason;
}

/** lending.instalment-missed.v1: the first opens an escalation, later ones are added to it. */
export interface RecordMissedInstalment extends Issued {
  readonly type: 'RecordMissedInstalment';
  readonly instalmentNumber: number;
  readonly dueDate: string;
  /** When lending recorded it: the first CCAS contact's delay in minutes runs from here. */
  readonly missedAt: string;
  /** The CCAS's deadline for a first contact, in force today. */
  readonly deadlineWorkingDays: number;
}

/** lending.borrower-contacted.v1: the bank's call or letter; no answer (or a difficulty reported) alerts the CCAS. */
export interface RecordBankContact extends Issued {
  readonly type: 'RecordBankContact';
  readonly outcome: BankContactOutcome;
  readonly contactedAt: string;
}

/** The bank alerted the CCAS some other way (e.g. by phone after an answered call). */
export interface AlertCcas extends Issued {
  readonly type: 'AlertCcas';
}

/** The borrower comes to the CCAS with a difficulty before any payment is missed. */
export interface RaiseDifficulty extends Issued {
  readonly type: 'RaiseDifficulty';
  readonly topic: DifficultyTopic;
  readonly deadlineWorkingDays: number;
}

export interface GrantSupport extends Issued {
  readonly type: 'GrantSupport';
  readonly supportId: string;
  readonly support: Support;
  readonly grantedOn: string;
}

/** The social worker asks lending to reschedule; the bank approves there (four eyes). */
export interface RequestRescheduling extends Issued {
  readonly type: 'RequestRescheduling';
  readonly requestId: string;
  readonly rescheduling: Rescheduling;
}

/** lending.loan-rescheduled.v1: the bank approved a rescheduling (ours or its own). */
export interface RecordRescheduled extends Issued {
  readonly type: 'RecordRescheduled';
  readonly kind: Rescheduling['kind'];
  readonly newEndDate: string;
}

/** lending.loan-repaid.v1 / loan-written-off.v1: the loan ended; an open escalation and check-ins still due go with it. */
export interface RecordLoanEnded extends Issued {
  readonly type: 'RecordLoanEnded';
  readonly reason: 'repaid' | 'writtenOff';
  readonly endedAt: string;
}

export interface CloseEscalation extends Issued {
  readonly type: 'CloseEscalation';
  readonly outcome: EscalationOutcome;
}

export type PlanCommand =
  | OpenPlan
  | DefinePlan
  | SignCharter
  | RecordContact
  | ScheduleCheckIn
  | RecordMissedInstalment
  | RecordBankContact
  | AlertCcas
  | RaiseDifficulty
  | GrantSupport
  | RequestRescheduling
  | RecordRescheduled
  | RecordLoanEnded
  | CloseEscalation;
