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

export type EnvelopeCommand = VoteEnvelopeCapacity;
