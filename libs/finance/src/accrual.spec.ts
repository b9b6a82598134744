import { accruedInterest } from './accrual';
import { monthlyInterest } from './schedule';

// Day count for a broken period: whole months back from the end date (1/12 year each), then days / 365 or 366.

describe('accrued interest between two dates', () => {
  it('is nothing on the day itself', () => {
    expect(accruedInterest({ outstanding: 100_000, annualRateBasisPoints: 400, from: '2026-01-15', to: '2026-01-15' })).toEqual({
      interest: 0,
      time: { months: 0, days: 0, daysInYear: 365 },
    });
  });

  it('charges 14 days on 918.18 € at 4 %: 918.18 × 0.04 × 14 / 365 = 1.40869… → 1.41 €', () => {
    expect(accruedInterest({ outstanding: 91_818, annualRateBasisPoints: 400, from: '2026-02-15', to: '2026-03-01' })).toEqual({
      interest: 141,
      time: { months: 0, days: 14, daysInYear: 365 },
    });
  });

  it('charges 7 days on 3,000 € at 4 %: 3000 × 0.04 × 7 / 365 = 2.30137 → 2.30 €', () => {
    expect(accruedInterest({ outstanding: 300_000, annualRateBasisPoints: 400, from: '2026-02-08', to: '2026-02-15' }).interest).toBe(230);
  });

  it('counts a whole month as 1/12 of a year, so it equals monthlyInterest to the cent', () => {
    for (const outstanding of [1, 199, 200, 91_818, 182_500, 300_000, 800_000]) {
      expect(accruedInterest({ outstanding, annualRateBasisPoints: 300, from: '2026-01-15', to: '2026-02-15' }).interest).toBe(monthlyInterest(outstanding, 300));
    }
  });

  it('counts three whole months as 3/12: 3000 × 0.04 / 4 = 30.00 €', () => {
    expect(accruedInterest({ outstanding: 300_000, annualRateBasisPoints: 400, from: '2026-01-15', to: '2026-04-15' })).toEqual({
      interest: 3000,
      time: { months: 3, days: 0, daysInYear: 365 },
    });
  });

  it('divides days by 366 when the year ending on them has a 29 February: 2101.09 × 0.04 × 17 / 366 = 3.9036… → 3.90 €', () => {
    expect(accruedInterest({ outstanding: 210_109, annualRateBasisPoints: 400, from: '2028-07-15', to: '2028-08-01' })).toEqual({
      interest: 390,
      time: { months: 0, days: 17, daysInYear: 366 },
    });
  });

  it('counts 31 January to 28 February as 28 days, not a month: one month back from 28 February is 28 January', () => {
    expect(accruedInterest({ outstanding: 300_000, annualRateBasisPoints: 400, from: '2026-01-31', to: '2026-02-28' })).toEqual({
      interest: 921, // 3000 × 0.04 × 28 / 365 = 9.2055 → 9.21, against 10.00 for a month
      time: { months: 0, days: 28, daysInYear: 365 },
    });
  });

  it('refuses an end before the start, and float amounts', () => {
    expect(() => accruedInterest({ outstanding: 100, annualRateBasisPoints: 400, from: '2026-02-15', to: '2026-02-14' })).toThrow(expect.objectContaining({ code: 'DATE_RANGE_INVERTED' }));
    expect(() => accruedInterest({ outstanding: 100.5, annualRateBasisPoints: 400, from: '2026-02-15', to: '2026-02-16' })).toThrow(
      expect.objectContaining({ code: 'AMOUNT_NOT_INTEGER_CENTS' }),
    );
  });
});
