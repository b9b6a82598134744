import type { ScheduleLine } from '@tremplin/finance';
import type { GuarantorKind, HolidayInterest, ProductCode } from '../product/product.terms';
import type { EarlyRepaymentChoice, PurposeCategory, RefusalCategory, ReschedulingRequest } from './loan.commands';

// Amounts are integer cents; instants are ISO UTC; `...On` fields are calendar dates (YYYY-MM-DD).
// Schedule lines use @tremplin/finance's shape: { number, dueDate, instalment, interest, principal, outstandingAfter } in cents.

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type LoanApplicationReceived = Event<
  'LoanApplicationReceived',
  {
    readonly loanId: string;
    readonly applicationId: string;
    readonly bankPartnerId: string;
    readonly product: ProductCode;
    readonly purposeCategory: PurposeCategory;
    readonly requestedAmountCents: number;
    readonly requestedTermMonths: number;
    readonly channel: 'intake' | 'bank';
    readonly commissionDecisionId?: string;
    readonly receivedAt: string;
  }
>;

export type LoanApproved = Event<
  'LoanApproved',
  {
    readonly amountCents: number;
    readonly termMonths: number;
    readonly nominalRateBps: number;
    readonly feesCents: number;
    /** Monthly flows at standard months: the offer fixes the dates, this is what the borrower is told now. */
    readonly indicativeTaegBps: number;
    readonly exceptionJustification?: string;
    readonly approvedAt: string;
    readonly approvedBy: string;
    /** Set when this approval amends an earlier one (before any offer): the approvedAt it replaces. */
    readonly amends?: string;
  }
>;

/** An offer not yet disbursed is withdrawn (or replaced by a new one): the loan is approved again. */
export type LoanOfferWithdrawn = Event<
  'LoanOfferWithdrawn',
  { readonly reasonCode: string; readonly wasSigned: boolean; readonly withdrawnAt: string; readonly withdrawnBy: string }
>;

export type LoanRefused = Event<'LoanRefused', { readonly reasonCode: string; readonly reasonCategory: RefusalCategory; readonly refusedAt: string; readonly refusedBy: string }>;

export interface OfferedSchedule {
  readonly firstDueDate: string;
  readonly instalmentCents: number;
  readonly lines: readonly ScheduleLine[];
  readonly endDate: string;
  readonly totalInterestCents: number;
  readonly totalRepaidCents: number;
}

export type LoanOfferIssued = Event<
  'LoanOfferIssued',
  {
    readonly offeredAt: string;
    readonly product: ProductCode;
    readonly productVersion: number;
    readonly productVersionEffectiveFrom: string;
    readonly guarantorKind: GuarantorKind;
    readonly guaranteedShareBps: number;
    readonly holidayInterest: HolidayInterest;
    readonly amountCents: number;
    readonly termMonths: number;
    readonly nominalRateBps: number;
    readonly feesCents: number;
    /** On the dates of this offer's schedule, assuming the funds are paid out on taegAssumption.disbursementDate. */
    readonly taegBps: number;
    /** Absent on offers issued before the first period was charged by its days (they assumed one standard month). */
    readonly taegAssumption?: { readonly disbursementDate: string; readonly dayCount: 'annexI' };
    readonly usuryCapBps: number;
    readonly usuryCapEffectiveFrom: string;
    readonly exception: boolean;
    readonly schedule: OfferedSchedule;
  }
>;

export type LoanOfferSigned = Event<'LoanOfferSigned', { readonly signedAt: string; readonly socialWorkerPresent: boolean; readonly socialWorkerId?: string }>;

export type AgreementNoticeIssued = Event<'AgreementNoticeIssued', { readonly noticeId: string; readonly sellerId: string; readonly amountCents: number; readonly issuedAt: string }>;

export type FundsDisbursed = Event<
  'FundsDisbursed',
  {
    readonly amountCents: number;
    readonly disbursedAt: string;
    /** The offer's schedule with line 1 charged from this day; absent on older events (the offer's lines stand). */
    readonly schedule?: OfferedSchedule;
    /** The TAEG on the actual dates, from this day. */
    readonly taegBps?: number;
  }
>;

export interface PaymentAllocationLine {
  readonly number: number;
  readonly interestCents: number;
  readonly principalCents: number;
}

export type InstalmentPaid = Event<
  'InstalmentPaid',
  {
    readonly amountCents: number;
    readonly paidOn: string;
    readonly allocations: readonly PaymentAllocationLine[];
    /** True when something due on paidOn is still unpaid afterwards. */
    readonly partial: boolean;
    readonly recordedAt: string;
  }
>;

/**
 * An early repayment (L312-34): `lines` replace the lines not yet due — first the settlement line dated on the
 * repayment day (the principal repaid and the interest accrued on it), then for a partial repayment the new
 * lines of the borrower's choice. The money itself is the InstalmentPaid that follows.
 */
export type EarlyRepaymentRecorded = Event<
  'EarlyRepaymentRecorded',
  {
    readonly kind: 'full' | 'partial';
    readonly choice?: EarlyRepaymentChoice;
    readonly repaidOn: string;
    readonly principalRepaidCents: number;
    readonly accruedInterestCents: number;
    /** Interest accrues from this date (the last due date, or the disbursement) to repaidOn… */
    readonly accruedFrom: string;
    /** …counted as annex I counts time: whole months, then days over the year's length. */
    readonly accruedTime: { readonly months: number; readonly days: number; readonly daysInYear: 365 | 366 };
    /** The scheduled interest of the replaced lines that is not owed. */
    readonly interestNotOwedCents: number;
    /** Already paid towards the replaced lines: deducted from what is paid now. */
    readonly paidAheadCents: number;
    /** What the borrower pays on repaidOn (before deducting paidAheadCents). */
    readonly amountDueCents: number;
    readonly lines: readonly ScheduleLine[];
    readonly newEndDate: string;
    /** The new regular instalment after a partial repayment; 0 after a full one. */
    readonly instalmentCents: number;
    readonly recordedAt: string;
  }
>;

export type InstalmentMissed = Event<
  'InstalmentMissed',
  {
    readonly instalmentNumber: number;
    readonly dueDate: string;
    readonly unpaidCount: number;
    readonly daysPastDue: number;
    readonly arrearsCents: number;
    readonly recordedAt: string;
  }
>;

export type BorrowerContacted = Event<'BorrowerContacted', { readonly channel: string; readonly outcome: string; readonly daysPastDue: number; readonly contactedAt: string }>;

export type IncidentWarningIssued = Event<
  'IncidentWarningIssued',
  {
    readonly issuedOn: string;
    /** Nothing may be declared to the Banque de France before this date (30 days to pay). */
    readonly declarableFrom: string;
    readonly unpaidCount: number;
    readonly arrearsCents: number;
    /** Arrears under 150 € on a loan not called in need not be declared. */
    readonly declarationRequired: boolean;
  }
>;

export type IncidentWarningCleared = Event<'IncidentWarningCleared', { readonly clearedOn: string }>;

export type IncidentDeclared = Event<'IncidentDeclared', { readonly declaredOn: string; readonly arrearsCents: number; readonly unpaidCount: number }>;

export type ReschedulingRequested = Event<
  'ReschedulingRequested',
  { readonly requestId: string; readonly request: ReschedulingRequest; readonly requestedBy: string; readonly requestedAt: string }
>;

interface Rescheduled {
  readonly requestId: string;
  readonly requestedBy: string;
  readonly approvedBy: string;
  readonly approvedAt: string;
  /** The lines not yet due, replaced; lines already due (paid or in arrears) are never re-spread. */
  readonly lines: readonly ScheduleLine[];
  readonly newEndDate: string;
  readonly instalmentCents: number;
}

export type PaymentHolidayGranted = Event<
  'PaymentHolidayGranted',
  Rescheduled & {
    readonly months: number;
    readonly deferredDueDates: readonly string[];
    readonly capitalisedInterestCents: number;
    /** Days excluded from days past due. */
    readonly pause: { readonly from: string; readonly to: string };
  }
>;

export type TermExtended = Event<'TermExtended', Rescheduled & { readonly additionalMonths: number }>;

export type InstalmentRevised = Event<'InstalmentRevised', Rescheduled>;

export type ReschedulingWithdrawn = Event<'ReschedulingWithdrawn', { readonly requestId: string; readonly withdrawnBy: string; readonly withdrawnAt: string }>;

export type ReschedulingDeclined = Event<'ReschedulingDeclined', { readonly requestId: string; readonly reasonCode: string; readonly declinedBy: string; readonly declinedAt: string }>;

export type LoanRepaid = Event<'LoanRepaid', { readonly repaidOn: string; readonly interestPaidTotalCents: number; readonly everLate: boolean }>;

export type LoanDefaulted = Event<
  'LoanDefaulted',
  { readonly defaultedAt: string; readonly outstandingPrincipalCents: number; readonly unpaidInterestCents: number; readonly daysPastDue: number }
>;

export type RecoveryReceived = Event<
  'RecoveryReceived',
  { readonly amountCents: number; readonly receivedOn: string; readonly recoveredTotalCents: number; readonly remainingClaimCents: number }
>;

export type WriteOffRequested = Event<'WriteOffRequested', { readonly requestId: string; readonly reasonCode: string; readonly requestedBy: string; readonly requestedAt: string }>;

export type LoanWrittenOff = Event<
  'LoanWrittenOff',
  { readonly requestId: string; readonly requestedBy: string; readonly approvedBy: string; readonly writtenOffCents: number; readonly writtenOffAt: string }
>;

export type LoanEvent =
  | LoanApplicationReceived
  | LoanApproved
  | LoanRefused
  | LoanOfferIssued
  | LoanOfferWithdrawn
  | LoanOfferSigned
  | AgreementNoticeIssued
  | FundsDisbursed
  | InstalmentPaid
  | EarlyRepaymentRecorded
  | InstalmentMissed
  | BorrowerContacted
  | IncidentWarningIssued
  | IncidentWarningCleared
  | IncidentDeclared
  | ReschedulingRequested
  | PaymentHolidayGranted
  | TermExtended
  | InstalmentRevised
  | ReschedulingDeclined
  | ReschedulingWithdrawn
  | LoanRepaid
  | LoanDefaulted
  | RecoveryReceived
  | WriteOffRequested
  | LoanWrittenOff;

export type LoanEventType = LoanEvent['type'];

export const loanStreamId = (loanId: string) => `loan-${loanId}`;
