// Pure statistics over integer cents and durations. Rounding: half away from zero, to the cent (or the tenth
// of a day), written down here and tested.

export function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i]!;
  return total;
}

/** Mean in whole cents, rounded half up (values are non-negative cents). */
export function meanCents(values: ArrayLike<number>): number | null {
  if (values.length === 0) return null;
  return Math.round(sum(values) / values.length);
}

/**
 * The k-th smallest (from 0) of `values`, which it reorders so that every value before index k is no larger
 * (quickselect with Hoare's partition: linear time on average, where sorting a year's 33,000 amounts was the figures'
 * largest cost).
 */
export function kthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const swap = values[i]!;
        values[i] = values[j]!;
        values[j] = swap;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}

/** The middle value, or the two middle ones combined by `meanOf`. */
function middleOf(values: ArrayLike<number>, meanOf: (lower: number, upper: number) => number): number | null {
  if (values.length === 0) return null;
  const scratch = new Float64Array(values);
  const middle = scratch.length >> 1;
  const upper = kthSmallest(scratch, middle);
  if (scratch.length % 2) return upper;
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < middle; i++) if (scratch[i]! > lower) lower = scratch[i]!;
  return meanOf(lower, upper);
}

/** Median in whole cents: the middle value, or the mean of the two middle ones rounded half up. */
export function medianCents(values: ArrayLike<number>): number | null {
  return middleOf(values, (lower, upper) => Math.round((lower + upper) / 2));
}

/** Median to the tenth (of a day): the middle value, or the mean of the two middle ones rounded half up to the tenth. */
export function medianTenths(values: ArrayLike<number>): number | null {
  return middleOf(values, (lower, upper) => Math.round(((lower + upper) / 2) * 10) / 10);
}

/** The p-th percentile by the nearest-rank method (p90 of 10 values is the 9th smallest). */
export function percentile(values: ArrayLike<number>, p: number): number | null {
  if (values.length === 0) return null;
  const scratch = new Float64Array(values);
  return kthSmallest(scratch, Math.max(1, Math.ceil((p / 100) * scratch.length)) - 1);
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

export function distribution(values: ArrayLike<number>, bounds: readonly number[] = AMOUNT_BOUNDS_CENTS): Bucket[] {
  const counts = bounds.map(() => 0);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    // The last bound at or below the value (values below the first bound are in no bucket).
    for (let b = bounds.length - 1; b >= 0; b--) {
      if (value >= bounds[b]!) {
        counts[b]! += 1;
        break;
      }
    }
  }
  return bounds.map((fromCents, i) => {
    const toCents = i + 1 < bounds.length ? bounds[i + 1]! : null;
    return { label: toCents === null ? `${fromCents / 100}+` : `${fromCents / 100}-${toCents / 100}`, fromCents, toCents, count: counts[i]! };
  });
}
