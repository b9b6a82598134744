import { FinanceError } from './errors';
import { assertCents, assertPositiveCents, divideFloor, divideRoundHalfUp, formatBasisPoints, formatCents, percentToBasisPoints, sumCents } from './money';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    if (error instanceof FinanceError) return error.code;
    throw error;
  }
  return undefined;
}

describe('amounts in cents', () => {
  it('accepts integers and rejects fractions of a cent with AMOUNT_NOT_INTEGER_CENTS', () => {
    expect(assertCents(182_500, 'amount')).toBe(182_500);
    expect(codeOf(() => assertCents(1825.5, 'amount'))).toBe('AMOUNT_NOT_INTEGER_CENTS');
    expect(codeOf(() => assertCents(Number.NaN, 'amount'))).toBe('AMOUNT_NOT_INTEGER_CENTS');
    expect(codeOf(() => assertCents(Number.POSITIVE_INFINITY, 'amount'))).toBe('AMOUNT_NOT_INTEGER_CENTS');
  });

  it('rejects integers beyond Number.MAX_SAFE_INTEGER with AMOUNT_UNSAFE', () => {
    expect(codeOf(() => assertCents(2 ** 53, 'amount'))).toBe('AMOUNT_UNSAFE');
  });

  it('names the field in the error so a 400 can point at it', () => {
    try {
      assertPositiveCents(0, 'offer.amount');
      throw new Error('expected a FinanceError');
    } catch (error) {
      expect(error).toBeInstanceOf(FinanceError);
      expect((error as FinanceError).field).toBe('offer.amount');
      expect((error as FinanceError).code).toBe('AMOUNT_NOT_POSITIVE');
    }
  });

  it('sums exactly and refuses a total that would leave the safe range', () => {
    expect(sumCents([1, 2, 3], 'xs')).toBe(6);
    expect(codeOf(() => sumCents([Number.MAX_SAFE_INTEGER, 1], 'xs'))).toBe('AMOUNT_UNSAFE');
  });
});

describe('rounding', () => {
  it('rounds half away from zero on exact fractions', () => {
    // 1,825 € at 3 % for a month: 182 500 × 300 / 120 000 = 456.25 cents → 456
    expect(divideRoundHalfUp(182_500n * 300n, 120_000n)).toBe(456n);
    // exactly half a cent goes up: 5 / 2 = 2.5 → 3, and 2.4999 stays down
    expect(divideRoundHalfUp(5n, 2n)).toBe(3n);
    expect(divideRoundHalfUp(24_999n, 10_000n)).toBe(2n);
    expect(divideRoundHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideRoundHalfUp(5n, -2n)).toBe(-3n);
  });

  it('floors towards minus infinity when asked to', () => {
    expect(divideFloor(7n, 2n)).toBe(3n);
    expect(divideFloor(-7n, 2n)).toBe(-4n);
    expect(divideFloor(-6n, 2n)).toBe(-3n);
  });
});

describe('rates in basis points', () => {
  it('parses percentages from their digits, never through a float', () => {
    expect(percentToBasisPoints('3')).toBe(300);
    expect(percentToBasisPoints('3.5')).toBe(350);
    expect(percentToBasisPoints('23,49')).toBe(2349);
    expect(percentToBasisPoints('0.07')).toBe(7);
  });

  it('refuses more than two decimals, signs and garbage with RATE_INVALID', () => {
    expect(codeOf(() => percentToBasisPoints('3.125'))).toBe('RATE_INVALID');
    expect(codeOf(() => percentToBasisPoints('-1'))).toBe('RATE_INVALID');
    expect(codeOf(() => percentToBasisPoints('abc'))).toBe('RATE_INVALID');
    expect(codeOf(() => percentToBasisPoints('101'))).toBe('RATE_INVALID');
  });

  it('formats basis points and cents as two-decimal strings', () => {
    expect(formatBasisPoints(2349)).toBe('23.49');
    expect(formatBasisPoints(5)).toBe('0.05');
    expect(formatBasisPoints(-5)).toBe('-0.05');
    expect(formatCents(188_259)).toBe('1882.59');
    expect(formatCents(-7)).toBe('-0.07');
  });
});
