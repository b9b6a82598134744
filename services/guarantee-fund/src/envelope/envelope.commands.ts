import type { Actor } from '@tremplin/event-sourcing';

/** A CCAS board or the FCS votes the capacity of a guarantor's envelope for the CCAS (the tenant). */
export interface VoteEnvelopeCapacity {
  readonly type: 'VoteEnvelopeCapacity';
  readonly guarantorId: string;
  readonly capacityCents: number;
  /** The day the board decided (YYYY-MM-DD). */
  readonly decisionDate: string;
  /** The board's own reference of the decision (deliberation number), a code, never prose. */
  readonly decisionReference: string;
  /** The service's today (YYYY-MM-DD, UTC): a decision cannot be dated after it. */
  readonly today: string;
  readonly actor: Actor;
}

/**
 * What a guarantee does to its guarantor's envelope, decided by the guarantee (one per loan) and applied here
 * under the envelope's lock: a grant reserves, repaid principal releases, a paid claim turns the reservation
 * into consumption, a recovery replenishes.
 */
export interface ReserveForGuarantee {
  readonly type: 'ReserveForGuarantee';
  readonly loanId: string;
  readonly amountCents: number;
}

export interface ReleaseReservation {
  readonly type: 'ReleaseReservation';
  readonly loanId: string;
  readonly amountCents: number;
}

export interface ConsumeForClaim {
  readonly type: 'ConsumeForClaim';
  readonly loanId: string;
  /** What the loan still had reserved, freed. */
  readonly releasedCents: number;
  /** The claim paid out of the envelope. */
  readonly consumedCents: number;
}

export interface ReplenishFromRecovery {
  readonly type: 'ReplenishFromRecovery';
  readonly loanId: string;
  readonly amountCents: number;
}

export type EnvelopeMovement = ReserveForGuarantee | ReleaseReservation | ConsumeForClaim | ReplenishFromRecovery;

export type EnvelopeCommand = VoteEnvelopeCapacity | EnvelopeMovement;
