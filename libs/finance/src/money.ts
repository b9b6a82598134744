import { FinanceError } from './errors';

// Money is an integer number of euro cents. A plain `number` keeps call sites simple; every public
// function validates its inputs with the guards below, so a float or an unsafe integer never gets in.
export type Cents = number;

// Rates are integer basis points of a percent: 300 = 3.00 %, 2349 = 23.49 %. Two decimals of a percent
// is the precision of published nominal rates, TAEGs and usury caps, so nothing finer is needed.
export type BasisPoints = number;

export const MAX_RATE_BASIS_POINTS = 10_000;

export function assertCents(value: number, field: string): Cents {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new FinanceError('AMOUNT_NOT_INTEGER_CENTS', field, `expected an integer number of cents, got ${String(value)}`);
  }
  if (!Number.isSafeInteger(value)) {
    throw new FinanceError('AMOUNT_UNSAFE', field, `${value} is outside the safe integer range`);
  }
  return value;
}

export function assertNonNegativeCents(value: number, field: string): Cents {
  assertCents(value, field);
  if (value < 0) throw new FinanceError('AMOUNT_NEGATIVE', field, `must not be negative, got ${value}`);
  return value;
}

export function assertPositiveCents(value: number, field: string): Cents {
  assertCents(value, field);
  if (value <= 0) throw new FinanceError('AMOUNT_NOT_POSITIVE', field, `must be positive, got ${value}`);
  return value;
}

export function assertRate(value: number, field: string): BasisPoints {
  if (!Number.isSafeInteger(value) || value < 0 || value > MAX_RATE_BASIS_POINTS) {
    throw new FinanceError('RATE_INVALID', field, `expected integer basis points in 0..${MAX_RATE_BASIS_POINTS}, got ${String(value)}`);
  }
  return value;
}

export function assertCount(value: number, field: string, min: number, max: number): number {
  if (!Number.isSafeInteger(value) || value < min || value > max) {
    throw new FinanceError('COUNT_INVALID', field, `expected an integer in ${min}..${max}, got ${String(value)}`);
  }
  return value;
}

// Sums through bigint so that a total past Number.MAX_SAFE_INTEGER is reported, not silently rounded.
export function sumCents(values: readonly number[], field: string): Cents {
  let total = 0n;
  values.forEach((value, index) => {
    total += BigInt(assertCents(value, `${field}[${index}]`));
  });
  return toSafeCents(total, field);
}

export function toSafeCents(value: bigint, field: string): Cents {
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new FinanceError('AMOUNT_UNSAFE', field, 'result is outside the safe integer range');
  }
  return Number(value);
}

// Exact rational rounding: numerator / denominator rounded half away from zero ("half-up" on amounts),
// the rounding every amount in this library uses unless its function says otherwise.
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return divideRoundHalfUp(-numerator, -denominator);
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  const rounded = (2n * magnitude + denominator) / (2n * denominator);
  return negative ? -rounded : rounded;
}

// Floor division (towards minus infinity), for the few places that must never overstate an amount.
export function divideFloor(numerator: bigint, denominator: bigint): bigint {
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) return divideFloor(-numerator, -denominator);
  const quotient = numerator / denominator;
  return numerator % denominator !== 0n && numerator < 0n ? quotient - 1n : quotient;
}

const PERCENT_PATTERN = /^(\d{1,3})(?:[.,](\d{1,2}))?$/;

// "3", "3.5", "3,50" → 300, 350, 350: parsed from the digits, never through a float.
export function percentToBasisPoints(percent: string, field = 'rate'): BasisPoints {
  const match = PERCENT_PATTERN.exec(percent.trim());
  if (!match) throw new FinanceError('RATE_INVALID', field, `expected a percentage with at most two decimals, got "${percent}"`);
  const [, units, decimals = ''] = match;
  return assertRate(Number(units) * 100 + Number(decimals.padEnd(2, '0')), field);
}

// 2349 → "23.49"; -5 → "-0.05" (a TAEG can be negative in theory, a cap never).
export function formatBasisPoints(value: BasisPoints): string {
  if (!Number.isSafeInteger(value)) throw new FinanceError('RATE_INVALID', 'rate', `expected integer basis points, got ${String(value)}`);
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`;
}

// 12345 → "123.45" (for messages and documents; the API itself always carries cents).
export function formatCents(value: Cents): string {
  assertCents(value, 'amount');
  const sign = value < 0 ? '-' : '';
  const magnitude = Math.abs(value);
  return `${sign}${Math.floor(magnitude / 100)}.${String(magnitude % 100).padStart(2, '0')}`;
}
