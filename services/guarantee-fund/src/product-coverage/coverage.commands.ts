import type { Actor } from '@tremplin/event-sourcing';

export type ProductCode = 'classic' | 'restructuring' | 'autonomyHealth';
export type GuarantorKind = 'fcs' | 'ccas';

interface Issued {
  readonly product: ProductCode;
  readonly effectiveFrom: string;
  readonly decisionReference: string;
  readonly today: string;
  readonly actor: Actor;
}

/** Who guarantees a product of this CCAS, for what share, from a date: a new version of the configuration. */
export interface ConfigureCoverage extends Issued {
  readonly type: 'ConfigureCoverage';
  readonly guarantorId: string;
  readonly guarantorKind: GuarantorKind;
  /** Who runs the guarantor (the FCS's manager has changed over time); the CCAS itself for its own guarantee. */
  readonly managerId: string;
  readonly shareBps: number;
}

/** From this date the product has no guarantor: guarantees requested then are refused. */
export interface WithdrawCoverage extends Issued {
  readonly type: 'WithdrawCoverage';
}

export type CoverageCommand = ConfigureCoverage | WithdrawCoverage;
