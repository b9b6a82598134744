/** The first vote opens the envelope; each later one sets a new capacity. */
export interface EnvelopeCapacityVoted {
  readonly type: 'EnvelopeCapacityVoted';
  readonly data: {
    readonly guarantorId: string;
    readonly capacityCents: number;
    /** 0 when this vote opened the envelope. */
    readonly previousCapacityCents: number;
    readonly decisionDate: string;
    readonly decisionReference: string;
    readonly votedBy: string;
  };
}

export interface EnvelopeReserved {
  readonly type: 'EnvelopeReserved';
  readonly data: { readonly loanId: string; readonly amountCents: number };
}

export interface EnvelopeReleased {
  readonly type: 'EnvelopeReleased';
  readonly data: { readonly loanId: string; readonly amountCents: number };
}

export interface EnvelopeConsumed {
  readonly type: 'EnvelopeConsumed';
  readonly data: { readonly loanId: string; readonly releasedCents: number; readonly consumedCents: number };
}

export interface EnvelopeReplenished {
  readonly type: 'EnvelopeReplenished';
  readonly data: { readonly loanId: string; readonly amountCents: number };
}

export type EnvelopeEvent = EnvelopeCapacityVoted | EnvelopeReserved | EnvelopeReleased | EnvelopeConsumed | EnvelopeReplenished;

/** One envelope per guarantor within a CCAS (the tenant). */
export const envelopeStreamId = (guarantorId: string) => `envelope-${guarantorId}`;
