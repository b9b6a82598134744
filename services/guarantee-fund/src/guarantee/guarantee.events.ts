import type { GuarantorKind, ProductCode } from '../product-coverage/coverage.commands';

type Event<Type extends string, Data> = { readonly type: Type; readonly data: Data };

export type RefusalReason = 'INSUFFICIENT_HEADROOM' | 'PRODUCT_NOT_COVERED' | 'GUARANTOR_NOT_CONFIGURED';

export type GuaranteeRequested = Event<
  'GuaranteeRequested',
  {
    readonly loanId: string;
    readonly bankPartnerId: string;
    readonly product: ProductCode;
    readonly principalCents: number;
    readonly requestedAt: string;
    /** An offer withdrawn and signed again asks anew: the earlier grant's reservation, freed (absent: none). */
    readonly superseded?: { readonly guarantorId: string; readonly releasedCents: number };
  }
>;

export type GuaranteeGranted = Event<
  'GuaranteeGranted',
  {
    readonly guarantorId: string;
    readonly guarantorKind: GuarantorKind;
    readonly managerId: string;
    readonly coverageVersion: number;
    readonly shareBps: number;
    /** share × principal, half-up to the cent (docs/guarantee-fund.md): reserved in the envelope when it has one. */
    readonly guaranteedCents: number;
    readonly envelopeLimited: boolean;
    readonly grantedAt: string;
  }
>;

export type GuaranteeRefused = Event<
  'GuaranteeRefused',
  { readonly reasonCode: RefusalReason; readonly guarantorId?: string; readonly requiredCents: number; readonly headroomCents: number; readonly refusedAt: string }
>;

export type GuaranteeActivated = Event<'GuaranteeActivated', { readonly principalCents: number; readonly exposureCents: number; readonly activatedAt: string }>;

export type GuaranteeExposureReduced = Event<
  'GuaranteeExposureReduced',
  { readonly outstandingPrincipalCents: number; readonly exposureCents: number; readonly releasedCents: number; readonly reducedOn: string }
>;

export type GuaranteeReleased = Event<'GuaranteeReleased', { readonly releasedCents: number; readonly releasedAt: string }>;

export type GuaranteeCalled = Event<'GuaranteeCalled', { readonly outstandingPrincipalCents: number; readonly claimCents: number; readonly calledAt: string }>;

export type ClaimPaid = Event<
  'ClaimPaid',
  {
    readonly claimCents: number;
    readonly paidOn: string;
    readonly paidBy: string;
    readonly paidAt: string;
    /** The exposure still reserved for the loan, freed as the claim is consumed. */
    readonly releasedCents: number;
  }
>;

export type RecoveryShared = Event<
  'RecoveryShared',
  {
    readonly recoveryCents: number;
    readonly guarantorShareCents: number;
    readonly bankShareCents: number;
    readonly guarantorRecoveredTotalCents: number;
    readonly receivedAt: string;
  }
>;

export type GuaranteeWithdrawn = Event<'GuaranteeWithdrawn', { readonly guarantorId?: string; readonly releasedCents: number; readonly withdrawnAt: string }>;

/** A recovery the bank collected before the guarantor paid the claim: shared when the claim is paid. */
export type RecoveryHeld = Event<'RecoveryHeld', { readonly recoveryCents: number; readonly receivedAt: string }>;

export type GuaranteeWrittenOff = Event<'GuaranteeWrittenOff', { readonly claimPaidCents: number; readonly recoveredCents: number; readonly lossCents: number; readonly writtenOffAt: string }>;

export type GuaranteeEvent =
  | GuaranteeRequested
  | GuaranteeGranted
  | GuaranteeRefused
  | GuaranteeActivated
  | GuaranteeExposureReduced
  | GuaranteeReleased
  | GuaranteeCalled
  | ClaimPaid
  | RecoveryShared
  | RecoveryHeld
  | GuaranteeWithdrawn
  | GuaranteeWrittenOff;

/** One guarantee per loan within a CCAS (the tenant). */
export const guaranteeStreamId = (loanId: string) => `guarantee-${loanId}`;
