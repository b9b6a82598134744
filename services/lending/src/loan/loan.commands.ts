import type { UsuryCapTable } from '@tremplin/finance';
import type { Actor } from '@tremplin/event-sourcing';
import type { ProductCode, ProductVersion } from '../product/product.terms';

// Every command carries the instant it is decided at (`now`, ISO UTC) and who issues it: the decider reads
// no clock and no token.
interface Issued {
  readonly now: string;
  readonly actor: Actor;
  /** Set when the actor works for a bank: that bank's loans are the only ones it can see or act on. */
  readonly bankScope?: string;
}

export const PURPOSE_CATEGORIES = ['mobility', 'housing', 'healthEquipment', 'employmentTraining', 'debtRestructuring', 'other'] as const;
export type PurposeCategory = (typeof PURPOSE_CATEGORIES)[number];

export const REFUSAL_CATEGORIES = ['eligibility', 'repaymentCapacity', 'incompleteFile', 'bankPolicy', 'withdrawn', 'other'] as const;
export type RefusalCategory = (typeof REFUSAL_CATEGORIES)[number];

export const CONTACT_CHANNELS = ['phone', 'letter', 'email', 'sms', 'meeting'] as const;
export const CONTACT_OUTCOMES = ['reached', 'noAnswer', 'promiseToPay', 'difficultyReported'] as const;

export interface ReceiveApplication extends Issued {
  readonly type: 'ReceiveApplication';
  readonly loanId: string;
  readonly applicationId: string;
  readonly bankPartnerId: string;
  readonly product: ProductCode;
  readonly purposeCategory: PurposeCategory;
  readonly requestedAmountCents: number;
  readonly requestedTermMonths: number;
  /** intake: from the intake.application-transmitted.v1 contract; bank: a file the bank received another way. */
  readonly channel: 'intake' | 'bank';
  readonly commissionDecisionId?: string;
  /** The product version in force at `now`, resolved by the handler: the request must fit its minimum. */
  readonly productVersion: ProductVersion;
}

interface Decision extends Issued {
  readonly amountCents: number;
  readonly termMonths: number;
  readonly nominalRateBps: number;
  readonly feesCents: number;
  /** Required when the amount or term uses the product's exception range. */
  readonly exceptionJustification?: string;
  /** The product version in force at `now`, resolved by the handler: the decision must fit it. */
  readonly productVersion: ProductVersion;
}

export interface ApproveLoan extends Decision {
  readonly type: 'ApproveLoan';
}

/** The bank changes its approval before any offer exists (or after withdrawing the offer). */
export interface AmendApproval extends Decision {
  readonly type: 'AmendApproval';
}

/** The bank withdraws an offer not yet disbursed (signed or not): the loan is approved again, awaiting a new offer. */
export interface WithdrawOffer extends Issued {
  readonly type: 'WithdrawOffer';
  readonly reasonCode: string;
}

export interface RefuseLoan extends Issued {
  readonly type: 'RefuseLoan';
  readonly reasonCode: string;
  readonly reasonCategory: RefusalCategory;
}

export interface IssueOffer extends Issued {
  readonly type: 'IssueOffer';
  readonly firstDueDate: string;
  /** The product version in force at `now`, resolved by the handler from the CCAS's catalogue. */
  readonly productVersion: ProductVersion;
  readonly usuryTables: readonly UsuryCapTable[];
}

export interface SignOffer extends Issued {
  readonly type: 'SignOffer';
  readonly socialWorkerPresent: boolean;
  readonly socialWorkerId?: string;
}

export interface IssueAgreementNotice extends Issued {
  readonly type: 'IssueAgreementNotice';
  readonly noticeId: string;
  /** The seller's id (a business: a garage, a shop), never a person. */
  readonly sellerId: string;
  readonly amountCents: number;
}

export interface DisburseFunds extends Issued {
  readonly type: 'DisburseFunds';
}

export interface RecordPayment extends Issued {
  readonly type: 'RecordPayment';
  readonly amountCents: number;
  /** Value date of the payment; not after today. */
  readonly paidOn: string;
}

export const EARLY_REPAYMENT_CHOICES = ['reduceTerm', 'reduceInstalment'] as const;
export type EarlyRepaymentChoice = (typeof EARLY_REPAYMENT_CHOICES)[number];

/** The borrower repays early: everything, or some principal with their choice of a shorter term or a lower instalment. */
export type RepayEarly = Issued & { readonly type: 'RepayEarly'; readonly repaidOn: string } & (
    | { readonly kind: 'full' }
    | { readonly kind: 'partial'; readonly principalCents: number; readonly choice: EarlyRepaymentChoice }
  );

export interface RecordMissedInstalment extends Issued {
  readonly type: 'RecordMissedInstalment';
  readonly instalmentNumber: number;
}

export interface RecordBorrowerContact extends Issued {
  readonly type: 'RecordBorrowerContact';
  readonly channel: (typeof CONTACT_CHANNELS)[number];
  readonly outcome: (typeof CONTACT_OUTCOMES)[number];
}

export interface DeclareIncident extends Issued {
  readonly type: 'DeclareIncident';
}

export type ReschedulingRequest =
  | { readonly kind: 'holiday'; readonly months: number }
  | { readonly kind: 'termExtension'; readonly additionalMonths: number }
  | { readonly kind: 'instalmentRevision'; readonly instalmentCents: number };

export interface RequestRescheduling extends Issued {
  readonly type: 'RequestRescheduling';
  readonly requestId: string;
  readonly request: ReschedulingRequest;
}

export interface ApproveRescheduling extends Issued {
  readonly type: 'ApproveRescheduling';
  readonly requestId: string;
}

export interface DeclineRescheduling extends Issued {
  readonly type: 'DeclineRescheduling';
  readonly requestId: string;
  readonly reasonCode: string;
}

/** Its requester withdraws a rescheduling request still awaiting a decision. */
export interface WithdrawRescheduling extends Issued {
  readonly type: 'WithdrawRescheduling';
  readonly requestId: string;
}

export interface DeclareDefault extends Issued {
  readonly type: 'DeclareDefault';
}

export interface RecordRecovery extends Issued {
  readonly type: 'RecordRecovery';
  readonly amountCents: number;
  readonly receivedOn: string;
}

export interface RequestWriteOff extends Issued {
  readonly type: 'RequestWriteOff';
  readonly requestId: string;
  readonly reasonCode: string;
}

export interface ApproveWriteOff extends Issued {
  readonly type: 'ApproveWriteOff';
  readonly requestId: string;
}

export type LoanCommand =
  | ReceiveApplication
  | ApproveLoan
  | AmendApproval
  | RefuseLoan
  | IssueOffer
  | WithdrawOffer
  | SignOffer
  | IssueAgreementNotice
  | DisburseFunds
  | RecordPayment
  | RepayEarly
  | RecordMissedInstalment
  | RecordBorrowerContact
  | DeclareIncident
  | RequestRescheduling
  | ApproveRescheduling
  | DeclineRescheduling
  | WithdrawRescheduling
  | DeclareDefault
  | RecordRecovery
  | RequestWriteOff
  | ApproveWriteOff;
