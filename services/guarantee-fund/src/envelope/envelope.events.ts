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

export type EnvelopeEvent = EnvelopeCapacityVoted;

/** One envelope per guarantor within a CCAS (the tenant). */
export const envelopeStreamId = (guarantorId: string) => `envelope-${guarantorId}`;
