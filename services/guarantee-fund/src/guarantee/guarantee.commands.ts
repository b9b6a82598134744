import type { Actor } from '@tremplin/event-sourcing';
import type { ProductCode } from '../product-coverage/coverage.commands';
import type { CoverageVersion } from '../product-coverage/coverage.decider';

/** The guarantor's envelope as read under its lock: none is needed for a guarantor without one (the FCS). */
export type EnvelopeHeadroom = { readonly limited: false } | { readonly limited: true; readonly headroomCents: number };

interface Issued {
  readonly now: string;
  readonly actor: Actor;
}

/** The offer was signed: lending asks for the guarantee. Coverage and headroom are read in the same transaction. */
export interface RequestGuarantee extends Issued {
  readonly type: 'RequestGuarantee';
  readonly loanId: string;
  readonly bankPartnerId: string;
  readonly product: ProductCode;
  readonly principalCents: number;
  readonly coverage: CoverageVersion | undefined;
  readonly envelope: EnvelopeHeadroom;
}

/** After a refusal (e.g. the board raised the envelope), the CCAS or the guarantor decides again. */
export interface ReconsiderGuarantee extends Issued {
  readonly type: 'ReconsiderGuarantee';
  readonly coverage: CoverageVersion | undefined;
  readonly envelope: EnvelopeHeadroom;
}

export interface ActivateGuarantee extends Issued {
  readonly type: 'ActivateGuarantee';
  readonly principalCents: number;
  readonly disbursedAt: string;
}

export interface ReduceExposure extends Issued {
  readonly type: 'ReduceExposure';
  readonly outstandingPrincipalCents: number;
  readonly paidOn: string;
}

export interface ReleaseGuarantee extends Issued {
  readonly type: 'ReleaseGuarantee';
  /** When lending says the loan was repaid: the release is dated by the fact, not by when the fund heard of it. */
  readonly repaidAt: string;
}

export interface CallGuarantee extends Issued {
  readonly type: 'CallGuarantee';
  readonly outstandingPrincipalCents: number;
  readonly defaultedAt: string;
}

export interface PayClaim extends Issued {
  readonly type: 'PayClaim';
  readonly paidOn: string;
}

export interface ShareRecovery extends Issued {
  readonly type: 'ShareRecovery';
  readonly recoveryCents: number;
  readonly receivedAt: string;
}

/** The signed offer was withdrawn before disbursement: the guarantee has nothing left to cover. */
export interface WithdrawGuarantee extends Issued {
  readonly type: 'WithdrawGuarantee';
  readonly withdrawnAt: string;
}

export interface WriteOffGuarantee extends Issued {
  readonly type: 'WriteOffGuarantee';
  readonly writtenOffAt: string;
}

export type GuaranteeCommand =
  | RequestGuarantee
  | ReconsiderGuarantee
  | ActivateGuarantee
  | ReduceExposure
  | ReleaseGuarantee
  | CallGuarantee
  | PayClaim
  | ShareRecovery
  | WithdrawGuarantee
  | WriteOffGuarantee;
