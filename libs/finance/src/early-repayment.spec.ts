import { earlyRepaymentIndemnityCap, fullEarlyRepayment, partialEarlyRepayment } from './early-repayment';
import { paymentHoliday, type LiveSchedule } from './rescheduling';
import { annuitySchedule, type ScheduleLine } from './schedule';

// Every loan figure below is also printed by libs/finance/crosscheck/vectors.py (issue_17_vectors), an
// independent Decimal implementation of the same rules; the bare indemnity cases are worked by hand. Day counts are annex I's: whole months back from the later date,
// then days / 365 (366 when the year ending on them has a 29 February).

const paid = (lines: readonly ScheduleLine[], count: number) => lines.slice(0, count).reduce((sum, line) => sum + line.instalment, 0);

describe('given 1,000 € over 12 months at 4 %, disbursed 2026-01-15, first due 2026-02-15 (85.15 € a month, 21.80 € of interest in all)', () => {
  const schedule = annuitySchedule({ amount: 100_000, annualRateBasisPoints: 400, termMonths: 12, firstDueDate: '2026-02-15', disbursementDate: '2026-01-15' });
  const loan = { annualRateBasisPoints: 400, disbursementDate: '2026-01-15', lines: schedule.lines };

  it('starts from the schedule the issue describes', () => {
    expect(schedule.instalment).toBe(8515);
    expect(schedule.totalInterest).toBe(2180);
    expect(schedule.lines[0]).toMatchObject({ interest: 333, principal: 8182, outstandingAfter: 91_818 });
  });

  describe('when repaid in full on the day of disbursement', () => {
    const quote = fullEarlyRepayment({ ...loan, paidToDate: 0, repaymentDate: '2026-01-15' });

    it('then the borrower owes 1,000.00 € and no interest: 0 days have run', () => {
      expect(quote).toMatchObject({ outstandingPrincipal: 100_000, accruedInterest: 0, accruedTime: { months: 0, days: 0 }, total: 100_000, unpaidDue: 0, paidAhead: 0 });
    });

    it('then the 21.80 € of scheduled interest is not owed', () => {
      expect(quote.interestNotOwed).toBe(2180);
      expect(quote.maxIndemnity).toBe(0);
    });
  });

  describe('when repaid in full 45 days after disbursement (2026-03-01), the first instalment paid on time', () => {
    const quote = fullEarlyRepayment({ ...loan, paidToDate: 8515, repaymentDate: '2026-03-01' });

    it('then interest accrues from the last due date 2026-02-15: 14 days on 918.18 € = 918.18 × 0.04 × 14 / 365 = 1.40869… → 1.41 €', () => {
      expect(quote.accruedFrom).toBe('2026-02-15');
      expect(quote.accruedTime).toEqual({ months: 0, days: 14, daysInYear: 365 });
      expect(quote.accruedInterest).toBe(141);
    });

    it('then the borrower owes 918.18 + 1.41 = 919.59 €, and 17.06 € of scheduled interest is not owed', () => {
      expect(quote).toMatchObject({ outstandingPrincipal: 91_818, total: 91_959, unpaidDue: 0, interestNotOwed: 1706, maxIndemnity: 0 });
    });
  });

  describe('when repaid on 2026-03-01 with the first instalment still unpaid', () => {
    it('then the arrears are owed in full on top: 85.15 + 919.59 = 1,004.74 €', () => {
      expect(fullEarlyRepayment({ ...loan, paidToDate: 0, repaymentDate: '2026-03-01' })).toMatchObject({ unpaidDue: 8515, total: 100_474 });
    });
  });

  describe('when repaid on a due date (2026-03-15) with line 1 paid', () => {
    it('then line 2 is due in full and nothing more accrues: 85.15 + 836.09 = 921.24 €', () => {
      const quote = fullEarlyRepayment({ ...loan, paidToDate: 8515, repaymentDate: '2026-03-15' });
      expect(quote).toMatchObject({ unpaidDue: 8515, outstandingPrincipal: 83_609, accruedInterest: 0, total: 92_124, interestNotOwed: 1541 });
    });
  });

  describe('when more was paid than is due', () => {
    it('then the surplus is deducted: 2 instalments paid by 2026-03-01 leave 919.59 − 85.15 = 834.44 €', () => {
      expect(fullEarlyRepayment({ ...loan, paidToDate: 17_030, repaymentDate: '2026-03-01' })).toMatchObject({ paidAhead: 8515, total: 83_444 });
    });
  });

  it('refuses a repayment before the disbursement and a schedule that does not add up', () => {
    expect(() => fullEarlyRepayment({ ...loan, paidToDate: 0, repaymentDate: '2026-01-14' })).toThrow(expect.objectContaining({ code: 'EARLY_REPAYMENT_DATE_INVALID' }));
    const broken = schedule.lines.map((line, index) => (index === 3 ? { ...line, principal: line.principal + 1 } : line));
    expect(() => fullEarlyRepayment({ ...loan, lines: broken, paidToDate: 0, repaymentDate: '2026-03-01' })).toThrow(expect.objectContaining({ code: 'SCHEDULE_INCONSISTENT' }));
    expect(() => fullEarlyRepayment({ ...loan, paidToDate: 10.5, repaymentDate: '2026-03-01' })).toThrow(expect.objectContaining({ code: 'AMOUNT_NOT_INTEGER_CENTS' }));
  });
});

describe('given 3,000 € over 36 months at 4 %, disbursed 2026-01-15, six instalments paid (2,524.64 € outstanding after 2026-07-15)', () => {
  const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-01-15' });
  const live: LiveSchedule = { annualRateBasisPoints: 400, anchorDueDate: '2026-02-15', remainingLines: schedule.lines.slice(6) };

  describe('when the borrower repays 500 € of principal on 2026-08-01 and keeps the instalment (reduce the term)', () => {
    const result = partialEarlyRepayment(live, { repaymentDate: '2026-08-01', principal: 50_000, choice: 'reduceTerm' });

    it('then they pay 500 € plus 17 days of interest on it: 500 × 0.04 × 17 / 365 = 0.93 €, 500.93 € in all', () => {
      expect(result).toMatchObject({ accruedFrom: '2026-07-15', accruedTime: { months: 0, days: 17 }, accruedInterest: 93, amountDue: 50_093, outstanding: 202_464 });
    });

    it('then the next line still charges its whole month on the 2,024.64 € left (6.75 €) and 88.57 € a month ends after 24 lines, on 2028-07-15', () => {
      expect(result.lines[0]).toEqual({ number: 7, dueDate: '2026-08-15', instalment: 8857, interest: 675, principal: 8182, outstandingAfter: 194_282 });
      expect(result.lines[result.lines.length - 1]).toEqual({ number: 30, dueDate: '2028-07-15', instalment: 7237, interest: 24, principal: 7213, outstandingAfter: 0 });
      expect(result).toMatchObject({ instalment: 8857, remainingInstalments: 24, endDate: '2028-07-15', totalInterest: 8484, interestSaved: 4676, maxIndemnity: 0 });
    });
  });

  describe('when the borrower repays the same 500 € and keeps the term (reduce the instalment)', () => {
    const result = partialEarlyRepayment(live, { repaymentDate: '2026-08-01', principal: 50_000, choice: 'reduceInstalment' });

    it('then the 30 remaining lines fall 88.57 € → 71.03 € and the loan still ends on 2029-01-15', () => {
      expect(result).toMatchObject({ amountDue: 50_093, instalment: 7103, remainingInstalments: 30, endDate: '2029-01-15', totalInterest: 10_627, interestSaved: 2533 });
      expect(result.lines[0]).toEqual({ number: 7, dueDate: '2026-08-15', instalment: 7103, interest: 675, principal: 6428, outstandingAfter: 196_036 });
      expect(result.lines[29]).toMatchObject({ number: 36, instalment: 7104, interest: 24, principal: 7080, outstandingAfter: 0 });
    });
  });

  it('then either way the new lines repay exactly what is left', () => {
    for (const choice of ['reduceTerm', 'reduceInstalment'] as const) {
      const result = partialEarlyRepayment(live, { repaymentDate: '2026-08-01', principal: 50_000, choice });
      expect(result.lines.reduce((sum, line) => sum + line.principal, 0)).toBe(202_464);
    }
  });

  it('refuses a date outside the current period, a repayment of everything, and a missing disbursement date while line 1 is to come', () => {
    expect(() => partialEarlyRepayment(live, { repaymentDate: '2026-08-15', principal: 50_000, choice: 'reduceTerm' })).toThrow(expect.objectContaining({ code: 'EARLY_REPAYMENT_DATE_INVALID' }));
    expect(() => partialEarlyRepayment(live, { repaymentDate: '2026-07-14', principal: 50_000, choice: 'reduceTerm' })).toThrow(expect.objectContaining({ code: 'EARLY_REPAYMENT_DATE_INVALID' }));
    expect(() => partialEarlyRepayment(live, { repaymentDate: '2026-08-01', principal: 252_464, choice: 'reduceTerm' })).toThrow(expect.objectContaining({ code: 'EARLY_REPAYMENT_NOT_PARTIAL' }));
    const fresh: LiveSchedule = { ...live, remainingLines: schedule.lines };
    expect(() => partialEarlyRepayment(fresh, { repaymentDate: '2026-02-01', principal: 50_000, choice: 'reduceTerm' })).toThrow(expect.objectContaining({ code: 'DATE_INVALID', field: 'disbursementDate' }));
  });

  describe('when 500 € is repaid before the first instalment, 7 days after a disbursement on 2026-01-15', () => {
    const fresh: LiveSchedule = { ...live, remainingLines: schedule.lines };
    const result = partialEarlyRepayment(fresh, { repaymentDate: '2026-01-22', principal: 50_000, choice: 'reduceInstalment', disbursementDate: '2026-01-15' });

    it('then the accrual runs from the disbursement (500 × 0.04 × 7 / 365 = 0.38 €) and line 1 charges its month on 2,500 € (8.33 €)', () => {
      expect(result).toMatchObject({ accruedFrom: '2026-01-15', accruedInterest: 38, amountDue: 50_038, outstanding: 250_000 });
      expect(result.lines[0]).toMatchObject({ number: 1, dueDate: '2026-02-15', instalment: 7381, interest: 833, principal: 6548 });
      expect(result).toMatchObject({ instalment: 7381, remainingInstalments: 36, totalInterest: 15_718, interestSaved: 3103 });
    });
  });
});

describe('the early repayment indemnity cap (L312-34, D312-15)', () => {
  const base = { repaymentDate: '2026-08-01', contractEndDate: '2029-01-15', interestUntilEnd: 50_000 };

  it('is nothing while the early repayments of twelve months total 10,000 € or less (every microcredit: ≤ 8,000 €)', () => {
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 800_000 })).toBe(0);
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 600_000, earlyRepaidInPrevious12Months: 400_000 })).toBe(0);
  });

  it('is 1 % of the amount repaid when more than a year remains: 10,098.48 € → 100.98 € (rounded down)', () => {
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 1_009_848 })).toBe(10_098);
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 600_000, earlyRepaidInPrevious12Months: 400_001 })).toBe(6000);
  });

  it('is 0.5 % when a year or less remains, exactly one year included', () => {
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 1_200_000, contractEndDate: '2027-08-01' })).toBe(6000);
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 1_200_000, contractEndDate: '2027-08-02' })).toBe(12_000);
  });

  it('never exceeds the interest the repayment saves', () => {
    expect(earlyRepaymentIndemnityCap({ ...base, repaidPrincipal: 1_200_000, interestUntilEnd: 2068 })).toBe(2068);
  });

  describe('given 12,000 € over 36 months at 4 % (beyond microcredit, to exercise the rule)', () => {
    const big = annuitySchedule({ amount: 1_200_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-01-15' });
    const loan = { annualRateBasisPoints: 400, disbursementDate: '2026-01-15', lines: big.lines };

    it('when repaid in full on 2026-08-01 after six instalments, then 10,117.29 € clears it and the lender may ask at most 100.98 €', () => {
      expect(fullEarlyRepayment({ ...loan, paidToDate: paid(big.lines, 6), repaymentDate: '2026-08-01' })).toMatchObject({
        outstandingPrincipal: 1_009_848,
        accruedInterest: 1881,
        total: 1_011_729,
        interestNotOwed: 51_134,
        maxIndemnity: 10_098,
      });
    });

    it('when repaid in full on 2028-08-01 after 30 instalments with 9,000 € repaid early in the year before, then 0.5 % (10.50 €) of 2,101.09 €, 17 days over 366', () => {
      expect(fullEarlyRepayment({ ...loan, paidToDate: paid(big.lines, 30), repaymentDate: '2028-08-01', earlyRepaidInPrevious12Months: 900_000 })).toMatchObject({
        outstandingPrincipal: 210_109,
        accruedTime: { months: 0, days: 17, daysInYear: 366 },
        accruedInterest: 390,
        total: 210_499,
        interestNotOwed: 2068,
        maxIndemnity: 1050,
      });
    });
  });
});

describe('given the 1,000 € loan with lines 1-2 paid and a 2-month payment holiday from 2026-04-15 (836.09 € left)', () => {
  const schedule = annuitySchedule({ amount: 100_000, annualRateBasisPoints: 400, termMonths: 12, firstDueDate: '2026-02-15', disbursementDate: '2026-01-15' });
  const live: LiveSchedule = { annualRateBasisPoints: 400, anchorDueDate: '2026-02-15', remainingLines: schedule.lines.slice(2) };
  const quote = (interest: 'none' | 'capitalised', repaymentDate: string) =>
    fullEarlyRepayment({
      annualRateBasisPoints: 400,
      disbursementDate: '2026-01-15',
      lines: [...schedule.lines.slice(0, 2), ...paymentHoliday(live, { months: 2, interest }).lines],
      paidToDate: paid(schedule.lines, 2),
      repaymentDate,
    });

  it('when the holiday is free and the loan is repaid during it (2026-05-01), then nothing accrues: 836.09 €', () => {
    expect(quote('none', '2026-05-01')).toMatchObject({ outstandingPrincipal: 83_609, accruedInterest: 0, total: 83_609 });
  });

  it('when the holiday is free and the loan is repaid after it (2026-06-01), then only the current period accrues: 17 days, 1.56 €', () => {
    expect(quote('none', '2026-06-01')).toMatchObject({ accruedFrom: '2026-05-15', accruedTime: { months: 0, days: 17 }, accruedInterest: 156, total: 83_765 });
  });

  it('when interest is capitalised and the loan is repaid during the holiday, then it accrues from the last due date on the balance before capitalisation: 1 month + 17 days, 4.34 €', () => {
    // The 5.59 € capitalised for both holiday months is not owed: the second month has not run.
    expect(quote('capitalised', '2026-05-01')).toMatchObject({ outstandingPrincipal: 83_609, accruedFrom: '2026-03-15', accruedTime: { months: 1, days: 17 }, accruedInterest: 434, total: 84_043 });
  });

  it('when interest is capitalised and the loan is repaid after the holiday, then the capitalised 841.68 € accrues 17 days, 1.57 €', () => {
    expect(quote('capitalised', '2026-06-01')).toMatchObject({ outstandingPrincipal: 84_168, accruedFrom: '2026-05-15', accruedInterest: 157, total: 84_325 });
  });
});
