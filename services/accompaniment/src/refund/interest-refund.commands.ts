import type { Actor } from '@tremplin/event-sourcing';
import type { IbanProblem } from '@tremplin/finance';
import type { RefundPolicyVersion } from './refund-policy.decider';

/** A personal field already encrypted under the person's key (libs/privacy): deciders never see the plaintext. */
export interface Sealed {
  readonly $pii: { readonly k: string; readonly iv: string; readonly ct: string; readonly tag: string };
}

// Lending's facts, as its contracts tell them (the consumer turns each into one of these).
export interface NoteInstalmentPaid {
  readonly type: 'NoteInstalmentPaid';
  readonly interestPaidCents: number;
  readonly paidOn: string;
}

export interface NoteInstalmentMissed {
  readonly type: 'NoteInstalmentMissed';
  readonly instalmentNumber: number;
  readonly dueDate: string;
}

export interface NoteLoanRescheduled {
  readonly type: 'NoteLoanRescheduled';
  readonly kind: 'holiday' | 'termExtension' | 'instalmentRevision';
}

/** The loan is repaid: eligibility under the policy version in force on the day it ended (read by the handler). */
export interface AssessInterestRefund {
  readonly type: 'AssessInterestRefund';
  readonly interestPaidTotalCents: number;
  readonly everLate: boolean;
  readonly repaidAt: string;
  readonly policy: RefundPolicyVersion | undefined;
}

export interface RecordRefundBankDetails {
  readonly type: 'RecordRefundBankDetails';
  readonly personId: string;
  /** The IBAN and the account holder, sealed under the person's key; the IBAN was checked before sealing. */
  readonly bankDetails: { readonly iban: Sealed; readonly holder: Sealed };
  readonly ibanProblem: IbanProblem | undefined;
  readonly actor: Actor;
}

export interface ProposeInterestRefund {
  readonly type: 'ProposeInterestRefund';
  readonly now: string;
  readonly actor: Actor;
}

export interface ApproveInterestRefund {
  readonly type: 'ApproveInterestRefund';
  readonly decisionReference: string;
  readonly now: string;
  readonly actor: Actor;
}

export interface DeclineInterestRefund {
  readonly type: 'DeclineInterestRefund';
  readonly reasonCode: string;
  readonly decisionReference: string;
  readonly now: string;
  readonly actor: Actor;
}

export interface RecordRefundPayment {
  readonly type: 'RecordRefundPayment';
  readonly paidOn: string;
  readonly paymentReference: string;
  readonly now: string;
  readonly actor: Actor;
}

export type InterestRefundCommand =
  | NoteInstalmentPaid
  | NoteInstalmentMissed
  | NoteLoanRescheduled
  | AssessInterestRefund
  | RecordRefundBankDetails
  | ProposeInterestRefund
  | ApproveInterestRefund
  | DeclineInterestRefund
  | RecordRefundPayment;
