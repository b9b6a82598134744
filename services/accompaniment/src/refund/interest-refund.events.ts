import type { RefundRule } from './refund-policy.commands';
import type { Sealed } from './interest-refund.commands';

export interface InstalmentPaymentNoted {
  readonly type: 'InstalmentPaymentNoted';
  readonly data: { readonly interestPaidCents: number; readonly paidOn: string };
}

export interface LateInstalmentNoted {
  readonly type: 'LateInstalmentNoted';
  readonly data: { readonly instalmentNumber: number; readonly dueDate: string };
}

export interface ReschedulingNoted {
  readonly type: 'ReschedulingNoted';
  readonly data: { readonly kind: 'holiday' | 'termExtension' | 'instalmentRevision' };
}

/** Eligible: the interest the borrower paid (lending's total of the interest parts of every payment) is owed back. */
export interface InterestRefundOwed {
  readonly type: 'InterestRefundOwed';
  readonly data: {
    readonly amountCents: number;
    /** The sum of the payments this service heard of: equal to the amount unless it started after the loan did. */
    readonly interestNotedCents: number;
    readonly policyVersion: number;
    readonly rule: RefundRule;
    readonly late: boolean;
    readonly repaidAt: string;
  };
}

export type NotOwedReason = 'NO_POLICY_IN_FORCE' | 'POLICY_REFUNDS_NONE' | 'LATE_INSTALMENT' | 'NO_INTEREST_PAID';

export interface InterestRefundNotOwed {
  readonly type: 'InterestRefundNotOwed';
  readonly data: {
    readonly reason: NotOwedReason;
    readonly interestPaidCents: number;
    readonly policyVersion?: number;
    readonly rule?: RefundRule;
    readonly late: boolean;
    readonly repaidAt: string;
  };
}

export interface RefundBankDetailsRecorded {
  readonly type: 'RefundBankDetailsRecorded';
  readonly data: { readonly personId: string; readonly iban: Sealed; readonly holder: Sealed; readonly recordedBy: string };
}

export interface InterestRefundProposed {
  readonly type: 'InterestRefundProposed';
  readonly data: { readonly amountCents: number; readonly proposedBy: string; readonly proposedAt: string };
}

export interface InterestRefundApproved {
  readonly type: 'InterestRefundApproved';
  readonly data: { readonly amountCents: number; readonly decisionReference: string; readonly approvedBy: string; readonly approvedAt: string };
}

export interface InterestRefundDeclined {
  readonly type: 'InterestRefundDeclined';
  readonly data: { readonly reasonCode: string; readonly decisionReference: string; readonly declinedBy: string; readonly declinedAt: string };
}

export interface InterestRefundPaid {
  readonly type: 'InterestRefundPaid';
  readonly data: { readonly amountCents: number; readonly paidOn: string; readonly paymentReference: string; readonly recordedBy: string; readonly recordedAt: string };
}

export type InterestRefundEvent =
  | InstalmentPaymentNoted
  | LateInstalmentNoted
  | ReschedulingNoted
  | InterestRefundOwed
  | InterestRefundNotOwed
  | RefundBankDetailsRecorded
  | InterestRefundProposed
  | InterestRefundApproved
  | InterestRefundDeclined
  | InterestRefundPaid;

/** One refund per loan within a CCAS (the tenant). */
export const interestRefundStreamId = (loanId: string) => `refund-${loanId}`;
