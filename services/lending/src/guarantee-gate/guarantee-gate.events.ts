export interface GuaranteeGrantNoted {
  readonly type: 'GuaranteeGrantNoted';
  readonly data: { readonly guarantorId: string; readonly guaranteedCents: number; readonly grantedAt: string };
}

export interface GuaranteeRefusalNoted {
  readonly type: 'GuaranteeRefusalNoted';
  readonly data: { readonly reasonCode: string; readonly refusedAt: string };
}

export type GuaranteeGateEvent = GuaranteeGrantNoted | GuaranteeRefusalNoted;

/** One gate per loan: what the guarantee fund answered about its guarantee. */
export const guaranteeGateStreamId = (loanId: string) => `guarantee-gate-${loanId}`;
