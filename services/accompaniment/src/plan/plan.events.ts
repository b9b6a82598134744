import type {
  BankContactOutcome,
  CharterParties,
  CheckInReason,
  ContactChannel,
  ContactTopic,
  DifficultyTopic,
  EscalationOutcome,
  Intensity,
  PlanKind,
  Product,
  Rescheduling,
  SealedNote,
  Support,
} from './plan.commands';

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type PlanOpened = Event<
  'PlanOpened',
  {
    readonly loanId: string;
    readonly applicationId: string;
    readonly product: Product;
    readonly amountCents: number;
    readonly termMonths: number;
    readonly firstDueDate: string;
    readonly intensity: Intensity;
    readonly kinds: readonly PlanKind[];
    /** The person, when intake told it before the disbursement. */
    readonly beneficiaryId?: string;
    readonly openedAt: string;
  }
>;
export type PlanDefined = Event<'PlanDefined', { readonly kinds: readonly PlanKind[]; readonly intensity: Intensity; readonly referentId: string; readonly beneficiaryId: string; readonly definedBy: string; readonly definedAt: string }>;
export type CharterSigned = Event<'CharterSigned', { readonly parties: CharterParties; readonly signedOn: string; readonly bankPartnerId?: string; readonly recordedBy: string }>;
export type ContactRecorded = Event<
  'ContactRecorded',
  {
    readonly contactId: string;
    readonly channel: ContactChannel;
    readonly topics: readonly ContactTopic[];
    readonly reached: boolean;
    readonly contactedAt: string;
    readonly note?: SealedNote;
    readonly checkInId?: string;
    readonly recordedBy: string;
  }
>;
export type CheckInScheduled = Event<'CheckInScheduled', { readonly checkInId: string; readonly dueOn: string; readonly reason: CheckInReason; readonly scheduledBy: string }>;
export type CheckInCompleted = Event<'CheckInCompleted', { readonly checkInId: string; readonly contactId: string; readonly completedAt: string }>;

export type EscalationTrigger = 'instalmentMissed' | 'borrowerDifficulty';
export type EscalationOpened = Event<
  'EscalationOpened',
  {
    readonly escalationId: string;
    readonly trigger: EscalationTrigger;
    readonly instalmentNumber?: number;
    readonly dueDate?: string;
    readonly difficulty?: DifficultyTopic;
    /** The delay to the first CCAS contact runs from here (lending's record of the miss, or the difficulty raised). */
    readonly startedAt: string;
    /** Working days run from this date. */
    readonly startDate: string;
    readonly deadlineWorkingDays: number;
    readonly deadlineDate: string;
    readonly openedAt: string;
  }
>;
export type InstalmentMissedAgain = Event<'InstalmentMissedAgain', { readonly escalationId: string; readonly instalmentNumber: number; readonly dueDate: string; readonly missedAt: string }>;
export type BankContactRecorded = Event<'BankContactRecorded', { readonly escalationId: string; readonly outcome: BankContactOutcome; readonly reached: boolean; readonly contactedAt: string }>;
export type CcasAlerted = Event<'CcasAlerted', { readonly escalationId: string; readonly alertedBy: 'bankContact' | 'recorded'; readonly alertedAt: string }>;
export type FirstCcasContactMade = Event<
  'FirstCcasContactMade',
  {
    readonly escalationId: string;
    readonly contactId: string;
    readonly channel: ContactChannel;
    readonly contactedAt: string;
    readonly delayMinutes: number;
    readonly delayWorkingDays: number;
    readonly late: boolean;
  }
>;
export type ThreePartyMeetingHeld = Event<'ThreePartyMeetingHeld', { readonly escalationId: string; readonly contactId: string; readonly heldAt: string }>;
export type SupportGranted = Event<'SupportGranted', { readonly supportId: string; readonly escalationId?: string; readonly support: Support; readonly grantedOn: string; readonly grantedBy: string; readonly grantedAt: string }>;
export type ReschedulingRequested = Event<'ReschedulingRequested', { readonly requestId: string; readonly escalationId?: string; readonly rescheduling: Rescheduling; readonly requestedBy: string; readonly requestedAt: string }>;
export type ReschedulingApplied = Event<'ReschedulingApplied', { readonly requestId: string; readonly kind: Rescheduling['kind']; readonly newEndDate: string; readonly appliedAt: string }>;
export type PlanEnded = Event<'PlanEnded', { readonly reason: 'repaid' | 'writtenOff'; readonly endedAt: string; readonly checkInsCancelled: readonly string[] }>;
export type EscalationClosed = Event<'EscalationClosed', { readonly escalationId: string; readonly outcome: EscalationOutcome; readonly closedBy: string; readonly closedAt: string }>;

export type PlanEvent =
  | PlanOpened
  | PlanDefined
  | CharterSigned
  | ContactRecorded
  | CheckInScheduled
  | CheckInCompleted
  | EscalationOpened
  | InstalmentMissedAgain
  | BankContactRecorded
  | CcasAlerted
  | FirstCcasContactMade
  | ThreePartyMeetingHeld
  | SupportGranted
  | ReschedulingRequested
  | ReschedulingApplied
  | EscalationClosed
  | PlanEnded;

/** One accompaniment plan per loan within a CCAS (the tenant). */
export const planStreamId = (loanId: string) => `plan-${loanId}`;
