import type { ExposurePoint } from './guarantee-book.projection';

export interface BookRow {
  readonly loanId: string;
  readonly guarantorId: string | null;
  readonly product: string;
  readonly guaranteedCents: number;
  readonly claimCents: number | null;
  readonly claimPaidOn: string | null;
  readonly recoveredCents: number;
  readonly exposureHistory: readonly ExposurePoint[];
}

export interface ExposureLine {
  readonly guarantorId: string;
  readonly product: string;
  readonly guarantees: number;
  readonly exposureCents: number;
}

/** The exposure of one guarantee at the end of a date: its last change on or before it (0 before activation). */
export function exposureOn(history: readonly ExposurePoint[], asOf: string): number {
  let exposure = 0;
  for (const point of history) if (point.on <= asOf) exposure = point.exposureCents;
  return exposure;
}

/** Exposure at a date per guarantor and product (the CCAS is the tenant), with its totals. */
export function exposureAt(rows: readonly BookRow[], asOf: string) {
  const lines = new Map<string, ExposureLine>();
  for (const row of rows) {
    const exposureCents = exposureOn(row.exposureHistory, asOf);
    if (!row.guarantorId || exposureCents === 0) continue;
    const key = `${row.guarantorId}\u001f${row.product}`;
    const line = lines.get(key) ?? { guarantorId: row.guarantorId, product: row.product, guarantees: 0, exposureCents: 0 };
    lines.set(key, { ...line, guarantees: line.guarantees + 1, exposureCents: line.exposureCents + exposureCents });
  }
  const byGuarantorAndProduct = [...lines.values()].sort((a, b) => a.guarantorId.localeCompare(b.guarantorId) || a.product.localeCompare(b.product));
  const total = (pick: (line: ExposureLine) => string) => {
    const sums = new Map<string, { guarantees: number; exposureCents: number }>();
    for (const line of byGuarantorAndProduct) {
      const sum = sums.get(pick(line)) ?? { guarantees: 0, exposureCents: 0 };
      sums.set(pick(line), { guarantees: sum.guarantees + line.guarantees, exposureCents: sum.exposureCents + line.exposureCents });
    }
    return [...sums.entries()].map(([key, sum]) => ({ key, ...sum }));
  };
  return {
    asOf,
    exposureCents: byGuarantorAndProduct.reduce((sum, line) => sum + line.exposureCents, 0),
    byGuarantor: total((line) => line.guarantorId).map(({ key, ...sum }) => ({ guarantorId: key, ...sum })),
    byProduct: total((line) => line.product).map(({ key, ...sum }) => ({ product: key, ...sum })),
    byGuarantorAndProduct,
  };
}

/**
 * Loss rate per guarantor and product: (claims paid − the guarantor's recoveries) ÷ what it guaranteed on
 * disbursed loans, in basis points rounded half-up. A guarantee never activated exposed nothing and counts for none.
 */
export function lossRates(rows: readonly BookRow[]) {
  const lines = new Map<string, { guarantorId: string; product: string; guaranteedCents: number; claimsPaidCents: number; recoveredCents: number }>();
  for (const row of rows) {
    if (!row.guarantorId || row.exposureHistory.length === 0) continue;
    const key = `${row.guarantorId}\u001f${row.product}`;
    const line = lines.get(key) ?? { guarantorId: row.guarantorId, product: row.product, guaranteedCents: 0, claimsPaidCents: 0, recoveredCents: 0 };
    lines.set(key, {
      ...line,
      guaranteedCents: line.guaranteedCents + row.guaranteedCents,
      claimsPaidCents: line.claimsPaidCents + (row.claimPaidOn ? (row.claimCents ?? 0) : 0),
      recoveredCents: line.recoveredCents + row.recoveredCents,
    });
  }
  return [...lines.values()]
    .sort((a, b) => a.guarantorId.localeCompare(b.guarantorId) || a.product.localeCompare(b.product))
    .map((line) => {
      const lossCents = line.claimsPaidCents - line.recoveredCents;
      return { ...line, lossCents, lossRateBps: line.guaranteedCents === 0 ? 0 : Math.floor((lossCents * 10_000 * 2 + line.guaranteedCents) / (2 * line.guaranteedCents)) };
    });
}
