// Pure statistics over integer cents and durations. Rounding: half away from zero, to the cent (or the tenth
// of a day), written down here and tested.

export function sum(values: readonly number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

/** Mean in whole cents, rounded half up (values are non-negative cents). */
export function meanCents(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return Math.round(sum(values) / values.length);
}

/** Median in whole cents: the middle value, or the mean of the two middle ones rounded half up. */
export function medianCents(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : Math.round((sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** The p-th percentile by the nearest-rank method (p90 of 10 values is the 9th smallest). */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

// Parsing instants was the figures' largest cost (a CPU profile of the benchmark: a year over 300 CCAS parses each
// loan's instants for its group and for the total, request after request): each instant is parsed once, kept a while.
const EPOCHS = new Map<string, number>();
function epochOf(instant: string): number {
  let ms = EPOCHS.get(instant);
  if (ms === undefined) {
    if (EPOCHS.size >= 500_000) EPOCHS.clear();
    ms = Date.parse(instant);
    EPOCHS.set(instant, ms);
  }
  return ms;
}

/** Days between two instants, to the tenth of a day. */
export function daysBetween(from: string, to: string): number {
  return Math.round((epochOf(to) - epochOf(from)) / 8_640_000) / 10;
}

export interface Bucket {
  readonly label: string;
  /** Inclusive lower bound, exclusive upper bound (null: no upper bound). */
  readonly fromCents: number;
  readonly toCents: number | null;
  readonly count: number;
}

// Personal microcredit ranges from a few hundred euros to the 5,000 € of the usual cap (8,000 € by exception).
export const AMOUNT_BOUNDS_CENTS = [0, 50_000, 100_000, 150_000, 200_000, 300_000, 500_000] as const;

export function distribution(values: readonly number[], bounds: readonly number[] = AMOUNT_BOUNDS_CENTS): Bucket[] {
  return bounds.map((fromCents, i) => {
    const toCents = i + 1 < bounds.length ? bounds[i + 1]! : null;
    const count = values.filter((value) => value >= fromCents && (toCents === null || value < toCents)).length;
    return { label: toCents === null ? `${fromCents / 100}+` : `${fromCents / 100}-${toCents / 100}`, fromCents, toCents, count };
  });
}
