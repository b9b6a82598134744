import { FinanceError } from './errors';
import { annuitySchedule } from './schedule';
import { annexITime, atMonths, solveTaeg, taegOfSchedule } from './taeg';

// Expected TAEGs come from an independent bisection on Python Decimals over the same cash flows
// (libs/finance/crosscheck/vectors.py), and where possible from a closed form worked by hand.

const loan3000 = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15' });

describe('given 3,000 € at 4 % over 36 months without fees', () => {
  it('then the TAEG is 4.07 %, the nominal rate compounded monthly: (1 + 0.04/12)^12 − 1 = 4.0742 %', () => {
    // Python bisection on the rounded instalments: 0.040740597… → 4.07
    expect(taegOfSchedule({ amount: 300_000, lines: loan3000.lines })).toEqual({ basisPoints: 407, percent: '4.07' });
  });
});

describe('given 3,000 € at 4 % over 36 months with 50 € of fees paid at signature', () => {
  it('then the TAEG is 5.24 % (Python: 0.052407925…)', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: loan3000.lines, upfrontFees: 5000 })).toEqual({ basisPoints: 524, percent: '5.24' });
  });

  it('then fees deducted from the amount paid out give the same TAEG as fees paid at t0', () => {
    const deducted = solveTaeg({
      drawdowns: [{ amount: 295_000, at: atMonths(0) }],
      payments: loan3000.lines.map((line) => ({ amount: line.instalment, at: atMonths(line.number) })),
    });
    expect(deducted.basisPoints).toBe(524);
  });

  it('then, disbursed on the same day of month as the due dates, dated flows give the standard-month result', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: loan3000.lines, upfrontFees: 5000, disbursementDate: '2026-01-15' }).basisPoints).toBe(524);
  });

  it('then, disbursed 10 days earlier, each flow is k months + 10/365 years away and the TAEG falls to 5.14 % (Python: 0.051446474…)', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: loan3000.lines, upfrontFees: 5000, disbursementDate: '2026-01-05' }).basisPoints).toBe(514);
  });
});

describe('given 1,825 € at 3 % over 24 months without fees', () => {
  it('then the TAEG is 3.04 % ((1.0025)^12 − 1 = 3.0416 %; Python on rounded instalments: 0.030417201…)', () => {
    const schedule = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-15' });
    expect(taegOfSchedule({ amount: 182_500, lines: schedule.lines }).percent).toBe('3.04');
  });
});

describe('given a zero-rate 300 € loan over 6 months', () => {
  const schedule = annuitySchedule({ amount: 30_000, annualRateBasisPoints: 0, termMonths: 6, firstDueDate: '2026-02-01' });

  it('then without fees the TAEG is exactly 0.00 %', () => {
    expect(taegOfSchedule({ amount: 30_000, lines: schedule.lines })).toEqual({ basisPoints: 0, percent: '0.00' });
  });

  it('then 10 € of fees alone make a 12.38 % TAEG on such a short loan (Python: 0.123789898…)', () => {
    expect(taegOfSchedule({ amount: 30_000, lines: schedule.lines, upfrontFees: 1000 }).basisPoints).toBe(1238);
  });
});

describe('solveTaeg on hand-made cash flows', () => {
  it('finds 10.00 % for 1,000 € lent and 1,100 € repaid one year later', () => {
    expect(solveTaeg({ drawdowns: [{ amount: 100_000, at: atMonths(0) }], payments: [{ amount: 110_000, at: atMonths(12) }] })).toEqual({ basisPoints: 1000, percent: '10.00' });
  });

  it('finds 21.00 % for 1,000 € repaid with 1,464.10 € after two years (1000 × 1.21² = 1464.10)', () => {
    expect(solveTaeg({ drawdowns: [{ amount: 100_000, at: atMonths(0) }], payments: [{ amount: 146_410, at: atMonths(24) }] }).basisPoints).toBe(2100);
  });

  it('handles several drawdowns: 500 € now, 500 € in a year and 1,100 € repaid in a year is 20.00 %', () => {
    // 500 × 1.2 = 600 = 1100 − 500 at t = 1
    expect(
      solveTaeg({
        drawdowns: [
          { amount: 50_000, at: atMonths(0) },
          { amount: 50_000, at: atMonths(12) },
        ],
        payments: [{ amount: 110_000, at: atMonths(12) }],
      }).basisPoints,
    ).toBe(2000);
  });

  it('reports a negative TAEG when less is repaid than was lent', () => {
    expect(solveTaeg({ drawdowns: [{ amount: 100_000, at: atMonths(0) }], payments: [{ amount: 90_000, at: atMonths(12) }] })).toEqual({ basisPoints: -1000, percent: '-10.00' });
  });

  it('refuses cash flows with no solution (nothing repaid) with TAEG_NO_SOLUTION', () => {
    expect(() => solveTaeg({ drawdowns: [{ amount: 100_000, at: atMonths(0) }], payments: [] })).toThrow(expect.objectContaining({ code: 'TAEG_NO_SOLUTION' }));
    expect(() => solveTaeg({ drawdowns: [], payments: [{ amount: 1, at: atMonths(1) }] })).toThrow(expect.objectContaining({ code: 'TAEG_NO_SOLUTION' }));
  });

  it('refuses fees that take the whole amount lent', () => {
    expect(() => taegOfSchedule({ amount: 30_000, lines: [], upfrontFees: 30_000 })).toThrow(expect.objectContaining({ code: 'TAEG_NET_AMOUNT_NOT_POSITIVE' }));
  });

  it('refuses float amounts and malformed times', () => {
    expect(() => solveTaeg({ drawdowns: [{ amount: 1000.5, at: atMonths(0) }], payments: [] })).toThrow(FinanceError);
    expect(() => solveTaeg({ drawdowns: [{ amount: 1000, at: { months: 0.5, days: 0, daysInYear: 365 } }], payments: [] })).toThrow(
      expect.objectContaining({ code: 'COUNT_INVALID' }),
    );
  });
});

describe('annex I time between the drawdown and a flow', () => {
  it('is whole months when the days of month match', () => {
    expect(annexITime('2026-01-15', '2026-02-15')).toEqual({ months: 1, days: 0, daysInYear: 365 });
    expect(annexITime('2026-01-15', '2029-01-15')).toEqual({ months: 36, days: 0, daysInYear: 365 });
  });

  it('counts whole months back from the flow, then the remaining days from the drawdown', () => {
    // 2026-02-15 − 1 month = 2026-01-15; from 2026-01-10 to 2026-01-15 is 5 days
    expect(annexITime('2026-01-10', '2026-02-15')).toEqual({ months: 1, days: 5, daysInYear: 365 });
    expect(annexITime('2026-01-20', '2026-02-15')).toEqual({ months: 0, days: 26, daysInYear: 365 });
  });

  it('divides leftover days by 366 when the year ending on them has a 29 February', () => {
    // 2028-04-15 − 1 month = 2028-03-15; the year back to 2027-03-15 spans 2028-02-29
    expect(annexITime('2028-03-01', '2028-04-15')).toEqual({ months: 1, days: 14, daysInYear: 366 });
  });

  it('refuses a flow before the drawdown', () => {
    expect(() => annexITime('2026-02-01', '2026-01-31')).toThrow(expect.objectContaining({ code: 'DATE_RANGE_INVERTED' }));
  });
});

// Issue 17: the first period charged by its actual length, and the TAEG placed on the actual dates. Python
// (vectors.py, issue_17_vectors) solves the same flows on Decimals and gives the same four figures each time.
describe('given 3,000 € at 4 % over 36 months, no fees, and a first period of 7 days (disbursed 2026-02-08, first due 2026-02-15)', () => {
  const dated = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-02-08' });
  const monthOfInterest = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15' });

  it('then on the actual dates the TAEG is 4.07 %, the nominal rate compounded monthly, as for a standard first month', () => {
    expect(annexITime('2026-02-08', '2026-02-15')).toEqual({ months: 0, days: 7, daysInYear: 365 });
    expect(taegOfSchedule({ amount: 300_000, lines: dated.lines, disbursementDate: '2026-02-08' }).percent).toBe('4.07');
  });

  it('then assuming standard months understates it at 3.90 %: the 7 days of interest look like a month', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: dated.lines }).percent).toBe('3.90');
  });

  it('then the old schedule, a full month of interest for 7 days, costs 4.26 % on the actual dates (Python 0.042584890)', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: monthOfInterest.lines, disbursementDate: '2026-02-08' }).percent).toBe('4.26');
  });
});

describe('given the same loan with a first period of 3 months (disbursed 2026-01-15, first due 2026-04-15)', () => {
  const dated = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-04-15', disbursementDate: '2026-01-15' });
  const monthOfInterest = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-04-15' });

  it('then on the actual dates the TAEG is still 4.07 %', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: dated.lines, disbursementDate: '2026-01-15' }).percent).toBe('4.07');
  });

  it('then assuming standard months overstates it at 4.53 %: three months of interest look like one', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: dated.lines }).percent).toBe('4.53');
  });

  it('then the old schedule, one month of interest for three, is 3.66 % on the actual dates: it undercharged (Python 0.036625617)', () => {
    expect(taegOfSchedule({ amount: 300_000, lines: monthOfInterest.lines, disbursementDate: '2026-01-15' }).percent).toBe('3.66');
  });
});
