import type { GuarantorKind, ProductCode } from './coverage.commands';

export interface CoverageConfigured {
  readonly type: 'CoverageConfigured';
  readonly data: {
    readonly product: ProductCode;
    readonly version: number;
    readonly guarantorId: string;
    readonly guarantorKind: GuarantorKind;
    readonly managerId: string;
    readonly shareBps: number;
    readonly effectiveFrom: string;
    readonly decisionReference: string;
    readonly configuredBy: string;
  };
}

export interface CoverageWithdrawn {
  readonly type: 'CoverageWithdrawn';
  readonly data: { readonly product: ProductCode; readonly version: number; readonly effectiveFrom: string; readonly decisionReference: string; readonly withdrawnBy: string };
}

export type CoverageEvent = CoverageConfigured | CoverageWithdrawn;

/** One coverage history per product within a CCAS (the tenant). */
export const coverageStreamId = (product: ProductCode) => `coverage-${product}`;
