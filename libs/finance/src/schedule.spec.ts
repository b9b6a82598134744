import { FinanceError } from './errors';
import { annuityInstalment, annuitySchedule, monthlyInterest, type Schedule } from './schedule';

// Expected values were worked by hand for the first and last lines and cross-checked, line by line and
// for the totals, by an independent Decimal/ROUND_HALF_UP implementation: libs/finance/crosscheck/vectors.py.

function expectWellFormed(schedule: Schedule): void {
  const principal = schedule.lines.reduce((sum, line) => sum + line.principal, 0);
  expect(principal).toBe(schedule.amount);
  expect(schedule.lines[schedule.lines.length - 1].outstandingAfter).toBe(0);
  let balance = schedule.amount;
  schedule.lines.forEach((line, index) => {
    expect(line.number).toBe(index + 1);
    expect(line.instalment).toBe(line.interest + line.principal);
    expect(line.principal).toBeGreaterThanOrEqual(0);
    expect(line.interest).toBeGreaterThanOrEqual(0);
    balance -= line.principal;
    expect(line.outstandingAfter).toBe(balance);
  });
  expect(schedule.totalRepaid).toBe(schedule.amount + schedule.totalInterest);
}

describe('given 1,825 € over 24 months at 3 % (the Tarbes average loan)', () => {
  const schedule = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-15' });

  it('then the instalment is the exact annuity rounded half-up: 78.44 €', () => {
    // r = 0.03 / 12 = 0.0025; 1.0025^24 = 1.061757…; A = 1825 × 0.0025 / (1 − 1/1.061757…) = 4.5625 / 0.058165… = 78.4412… → 78.44
    expect(schedule.instalment).toBe(7844);
  });

  it('then month 1 pays 4.56 € of interest (1825 × 0.0025 = 4.5625) and 73.88 € of principal', () => {
    expect(schedule.lines[0]).toEqual({ number: 1, dueDate: '2026-02-15', instalment: 7844, interest: 456, principal: 7388, outstandingAfter: 175_112 });
  });

  it('then month 2 charges interest on the new balance: 1751.12 × 0.0025 = 4.3778 → 4.38', () => {
    expect(schedule.lines[1]).toEqual({ number: 2, dueDate: '2026-03-15', instalment: 7844, interest: 438, principal: 7406, outstandingAfter: 167_706 });
  });

  it('then the last instalment absorbs the rounding: 78.26 € left + 0.20 € interest (78.26 × 0.0025 = 0.19565) = 78.46 €', () => {
    expect(schedule.lines[23]).toEqual({ number: 24, dueDate: '2028-01-15', instalment: 7846, interest: 20, principal: 7826, outstandingAfter: 0 });
    expect(schedule.endDate).toBe('2028-01-15');
  });

  it('then interest totals 57.58 € and the borrower repays 1,882.58 €', () => {
    expect(schedule.totalInterest).toBe(5758);
    expect(schedule.totalRepaid).toBe(188_258);
    expectWellFormed(schedule);
  });

  it('then every instalment but the last is the regular one', () => {
    expect(schedule.lines.slice(0, -1).every((line) => line.instalment === 7844)).toBe(true);
  });
});

describe('given 3,000 € over 36 months at 4 %', () => {
  const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-01-31' });

  it('then the instalment is 88.57 € and month 1 interest is exactly 10.00 € (3000 × 0.04 / 12)', () => {
    // A = 3000 × (0.04/12) / (1 − (1 + 0.04/12)^−36) = 88.5720… → 88.57
    expect(schedule.instalment).toBe(8857);
    expect(schedule.lines[0]).toMatchObject({ interest: 1000, principal: 7857, outstandingAfter: 292_143 });
  });

  it('then the last line is 88.64 € (88.35 principal + 0.29 interest) and interest totals 188.59 €', () => {
    expect(schedule.lines[35]).toMatchObject({ number: 36, instalment: 8864, interest: 29, principal: 8835, outstandingAfter: 0 });
    expect(schedule.totalInterest).toBe(18_859);
    expect(schedule.totalRepaid).toBe(318_859);
    expectWellFormed(schedule);
  });

  it('then due dates fall on each month end from a 31st anchor, never drifting to the 28th', () => {
    expect(schedule.lines.slice(0, 4).map((line) => line.dueDate)).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
    expect(schedule.lines[25].dueDate).toBe('2028-02-29');
    expect(schedule.endDate).toBe('2028-12-31');
  });
});

describe('given 5,000 € over 48 months at 3.5 % (the classic product by exception)', () => {
  const schedule = annuitySchedule({ amount: 500_000, annualRateBasisPoints: 350, termMonths: 48, firstDueDate: '2026-03-05' });

  it('then the instalment is 111.78 € and month 1 interest is 14.58 € (5000 × 0.035 / 12 = 14.5833)', () => {
    expect(schedule.instalment).toBe(11_178);
    expect(schedule.lines[0]).toMatchObject({ interest: 1458, principal: 9720 });
  });

  it('then the last line is one cent lower, 111.77 € (111.44 + 0.33), because the rounded-up instalment overpaid', () => {
    expect(schedule.lines[47]).toMatchObject({ instalment: 11_177, interest: 33, principal: 11_144, dueDate: '2030-02-05' });
    expect(schedule.totalInterest).toBe(36_543);
    expectWellFormed(schedule);
  });
});

describe('given a zero-rate loan of 300 € over 6 months', () => {
  it('then principal is split evenly, 50 € a month, without interest', () => {
    const schedule = annuitySchedule({ amount: 30_000, annualRateBasisPoints: 0, termMonths: 6, firstDueDate: '2026-02-01' });
    expect(schedule.lines.map((line) => line.instalment)).toEqual([5000, 5000, 5000, 5000, 5000, 5000]);
    expect(schedule.totalInterest).toBe(0);
    expect(schedule.totalRepaid).toBe(30_000);
    expect(schedule.endDate).toBe('2026-07-01');
    expectWellFormed(schedule);
  });

  it('then a remainder that does not divide evenly goes on the last line (100 € / 7 = 7 × 14.28 + 0.04)', () => {
    const schedule = annuitySchedule({ amount: 10_000, annualRateBasisPoints: 0, termMonths: 7, firstDueDate: '2026-02-01' });
    expect(schedule.lines.map((line) => line.principal)).toEqual([1428, 1428, 1428, 1428, 1428, 1428, 1432]);
    expectWellFormed(schedule);
  });
});

describe('given 1,234.56 € over 84 months at 4.99 % (the legal maximum term)', () => {
  it('then the Decimal cross-check agrees: 17.44 € a month, last 17.76 €, interest 230.72 €', () => {
    const schedule = annuitySchedule({ amount: 123_456, annualRateBasisPoints: 499, termMonths: 84, firstDueDate: '2026-02-10' });
    expect(schedule.instalment).toBe(1744);
    expect(schedule.lines[0]).toMatchObject({ interest: 513, principal: 1231 });
    expect(schedule.lines[83]).toMatchObject({ instalment: 1776, interest: 7, principal: 1769 });
    expect(schedule.totalInterest).toBe(23_072);
    expectWellFormed(schedule);
  });
});

describe('invariants over a grid of amounts, rates and terms', () => {
  const amounts = [1, 99, 5_000, 30_000, 123_457, 182_500, 300_000, 500_000, 800_000];
  const rates = [0, 1, 150, 300, 400, 999, 2349];
  const terms = [1, 2, 6, 24, 36, 48, 84];

  it('then principal always sums to the amount, balances never rise and end at zero', () => {
    for (const amount of amounts)
      for (const annualRateBasisPoints of rates)
        for (const termMonths of terms) expectWellFormed(annuitySchedule({ amount, annualRateBasisPoints, termMonths, firstDueDate: '2026-01-31' }));
  });

  it('then the bigint annuity agrees with the float formula to within half a cent', () => {
    for (const amount of amounts)
      for (const rate of rates.filter((value) => value > 0))
        for (const term of terms) {
          const r = rate / 120_000;
          const float = (amount * r) / (1 - Math.pow(1 + r, -term));
          expect(Math.abs(annuityInstalment(amount, rate, term) - float)).toBeLessThanOrEqual(0.5 + 1e-6);
        }
  });

  it('then a one-month loan repays amount plus one month of interest', () => {
    const schedule = annuitySchedule({ amount: 100_000, annualRateBasisPoints: 300, termMonths: 1, firstDueDate: '2026-01-31' });
    expect(schedule.lines).toEqual([{ number: 1, dueDate: '2026-01-31', instalment: 100_250, interest: 250, principal: 100_000, outstandingAfter: 0 }]);
  });
});

describe('monthly interest', () => {
  it('is the balance times rate / 12, rounded half-up to the cent', () => {
    expect(monthlyInterest(182_500, 300)).toBe(456); // 456.25
    expect(monthlyInterest(20_000, 300)).toBe(50); // exactly 50
    expect(monthlyInterest(200, 300)).toBe(1); // 0.5 → 1
    expect(monthlyInterest(199, 300)).toBe(0); // 0.4975 → 0
  });
});

describe('refusals', () => {
  const valid = { amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-15' };
  const codeOf = (request: typeof valid) => {
    try {
      annuitySchedule(request);
    } catch (error) {
      return (error as FinanceError).code;
    }
    return undefined;
  };

  it('refuses a non-integer, zero or negative amount', () => {
    expect(codeOf({ ...valid, amount: 1825.5 })).toBe('AMOUNT_NOT_INTEGER_CENTS');
    expect(codeOf({ ...valid, amount: 0 })).toBe('AMOUNT_NOT_POSITIVE');
    expect(codeOf({ ...valid, amount: -1 })).toBe('AMOUNT_NOT_POSITIVE');
  });

  it('refuses a fractional or negative rate, and one above 100 %', () => {
    expect(codeOf({ ...valid, annualRateBasisPoints: 2.5 })).toBe('RATE_INVALID');
    expect(codeOf({ ...valid, annualRateBasisPoints: -1 })).toBe('RATE_INVALID');
    expect(codeOf({ ...valid, annualRateBasisPoints: 10_001 })).toBe('RATE_INVALID');
  });

  it('refuses a term of zero, a fraction of a month or beyond 1200 months', () => {
    expect(codeOf({ ...valid, termMonths: 0 })).toBe('TERM_INVALID');
    expect(codeOf({ ...valid, termMonths: 12.5 })).toBe('TERM_INVALID');
    expect(codeOf({ ...valid, termMonths: 1201 })).toBe('TERM_INVALID');
  });

  it('refuses a first due date that is not a calendar date', () => {
    expect(codeOf({ ...valid, firstDueDate: '2026-02-30' })).toBe('DATE_INVALID');
  });
});

describe('given 3,000 € over 36 months at 4 % with the first period charged by its actual length', () => {
  const standard = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15' });

  it('when disbursed 7 days before the first due date, then line 1 charges 7 days: 3000 × 0.04 × 7/365 = 2.30 € instead of 10.00 €', () => {
    const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-02-08' });
    expect(schedule.lines[0]).toEqual({ number: 1, dueDate: '2026-02-15', instalment: 8087, interest: 230, principal: 7857, outstandingAfter: 292_143 });
    expect(schedule.disbursementDate).toBe('2026-02-08');
    // Python: totalInterest 180.89 = 188.59 − (10.00 − 2.30)
    expect(schedule.totalInterest).toBe(18_089);
    expectWellFormed(schedule);
  });

  it('when disbursed 3 months before the first due date, then line 1 charges 3/12 of a year: 30.00 €, and the instalment carries it', () => {
    const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-04-15', disbursementDate: '2026-01-15' });
    expect(schedule.lines[0]).toEqual({ number: 1, dueDate: '2026-04-15', instalment: 10_857, interest: 3000, principal: 7857, outstandingAfter: 292_143 });
    expect(schedule.totalInterest).toBe(20_859);
    expectWellFormed(schedule);
  });

  it('then only line 1 changes: the principal column and every later line are the standard ones', () => {
    const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-02-08' });
    expect(schedule.lines.map((line) => line.principal)).toEqual(standard.lines.map((line) => line.principal));
    expect(schedule.lines.slice(1)).toEqual(standard.lines.slice(1));
    expect(schedule.instalment).toBe(standard.instalment);
  });

  it('when disbursed exactly one month before, then the schedule is the standard one', () => {
    const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-01-15' });
    expect(schedule.lines).toEqual(standard.lines);
  });

  it('refuses a first due date on or before the disbursement', () => {
    expect(() => annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-02-15' })).toThrow(
      expect.objectContaining({ code: 'DATE_RANGE_INVERTED', field: 'firstDueDate' }),
    );
  });
});
