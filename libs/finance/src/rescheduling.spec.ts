import { extendTerm, paymentHoliday, reviseInstalment, type LiveSchedule } from './rescheduling';
import { annuitySchedule, type ScheduleLine } from './schedule';

// The live loan: 3,000 € at 4 % over 36 months, first due 2026-01-31, six instalments paid.
// Balance after line 6 = 3000 − Σ principal(1..6) = 2,524.64 € (Python Decimal cross-check,
// libs/finance/crosscheck/vectors.py, which also gives every figure below).
const original = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-01-31' });
const live: LiveSchedule = { annualRateBasisPoints: 400, anchorDueDate: '2026-01-31', remainingLines: original.lines.slice(6) };

function expectRepays(lines: readonly ScheduleLine[], outstanding: number): void {
  expect(lines.reduce((sum, line) => sum + line.principal, 0)).toBe(outstanding);
  expect(lines[lines.length - 1].outstandingAfter).toBe(0);
  lines.forEach((line) => expect(line.instalment).toBe(line.principal + line.interest));
}

describe('given a 3,000 € loan with 30 instalments left (2,524.64 € outstanding, next due 2026-07-31)', () => {
  it('starts from the right position', () => {
    expect(live.remainingLines[0]).toMatchObject({ number: 7, dueDate: '2026-07-31' });
    expect(live.remainingLines[0].principal + live.remainingLines[0].outstandingAfter).toBe(252_464);
    expect(original.endDate).toBe('2028-12-31');
  });

  describe('when a 3-month payment holiday is granted without interest', () => {
    const result = paymentHoliday(live, { months: 3, interest: 'none' });

    it('then the same amounts fall three months later and the end moves from 2028-12-31 to 2029-03-31', () => {
      expect(result.lines.map(({ dueDate: _, ...amounts }) => amounts)).toEqual(live.remainingLines.map(({ dueDate: _, ...amounts }) => amounts));
      expect(result.lines[0].dueDate).toBe('2026-10-31');
      expect(result.lines[1].dueDate).toBe('2026-11-30');
      expect(result.endDate).toBe('2029-03-31');
      expect(result.instalment).toBe(8857);
      expect(result.capitalisedInterest).toBe(0);
    });

    it('then the three skipped due dates are listed (the days to exclude from days past due)', () => {
      expect(result.deferredDueDates).toEqual(['2026-07-31', '2026-08-31', '2026-09-30']);
    });
  });

  describe('when a 3-month payment holiday is granted with interest capitalised', () => {
    const result = paymentHoliday(live, { months: 3, interest: 'capitalised' });

    it('then each month adds its interest to the principal: 8.42 + 8.44 + 8.47 = 25.33 €, 2,549.97 € to repay', () => {
      // 2524.64 × 0.04/12 = 8.4155 → 8.42; 2533.06 × … = 8.4435 → 8.44; 2541.50 × … = 8.4717 → 8.47
      expect(result.capitalisedInterest).toBe(2533);
      expect(result.outstanding).toBe(254_997);
    });

    it('then the 30 remaining instalments are re-amortised: 89.46 € a month, last 89.52 €, 133.89 € of interest, end 2029-03-31', () => {
      expect(result.instalment).toBe(8946);
      expect(result.lines).toHaveLength(30);
      expect(result.lines[0]).toMatchObject({ number: 7, dueDate: '2026-10-31' });
      expect(result.lines[29]).toMatchObject({ number: 36, instalment: 8952, interest: 30, principal: 8922 });
      expect(result.totalInterest).toBe(13_389);
      expect(result.endDate).toBe('2029-03-31');
      expectRepays(result.lines, 254_997);
    });
  });

  describe('when the term is extended to 42 remaining instalments', () => {
    const result = extendTerm(live, { remainingInstalments: 42 });

    it('then the outstanding is re-spread at the same rate: 64.52 € a month, last 64.30 €, ending 2029-12-31', () => {
      // A = 2524.64 × (0.04/12) / (1 − (1 + 0.04/12)^−42) = 64.5207… → 64.52
      expect(result.instalment).toBe(6452);
      expect(result.lines[0]).toMatchObject({ number: 7, dueDate: '2026-07-31', interest: 842 });
      // One balance on the way is an exact half cent of interest, rounded up: a cross-check computing
      // the monthly rate as an inexact 0.00333… once rounded it down and found 64.29 €; exact is 64.30 €.
      expect(result.lines[41]).toMatchObject({ number: 48, dueDate: '2029-12-31', instalment: 6430, interest: 21, principal: 6409 });
      expect(result.totalInterest).toBe(18_498);
      expect(result.endDate).toBe('2029-12-31');
      expectRepays(result.lines, 252_464);
    });

    it('then an extension that is not longer is refused with TERM_NOT_LONGER', () => {
      expect(() => extendTerm(live, { remainingInstalments: 30 })).toThrow(expect.objectContaining({ code: 'TERM_NOT_LONGER', field: 'remainingInstalments' }));
    });
  });

  describe('when the instalment is revised down to 60.00 €', () => {
    const result = reviseInstalment(live, { instalment: 6000 });

    it('then 46 instalments are needed, the last one 24.77 €, ending 2030-04-30', () => {
      // Month 1: 8.42 € interest, 51.58 € principal; the balance is repaid on the 46th line: 24.69 + 0.08
      expect(result.remainingInstalments).toBe(46);
      expect(result.lines[0]).toMatchObject({ number: 7, dueDate: '2026-07-31', instalment: 6000, interest: 842, principal: 5158 });
      expect(result.lines[45]).toMatchObject({ number: 52, dueDate: '2030-04-30', instalment: 2477, interest: 8, principal: 2469, outstandingAfter: 0 });
      expect(result.totalInterest).toBe(20_013);
      expect(result.endDate).toBe('2030-04-30');
      expectRepays(result.lines, 252_464);
    });

    it('then an instalment that is not lower than 88.57 € is refused with INSTALMENT_NOT_LOWER', () => {
      expect(() => reviseInstalment(live, { instalment: 8857 })).toThrow(expect.objectContaining({ code: 'INSTALMENT_NOT_LOWER' }));
    });

    it('then an instalment that only pays the 8.42 € monthly interest is refused with INSTALMENT_DOES_NOT_COVER_INTEREST', () => {
      expect(() => reviseInstalment(live, { instalment: 842 })).toThrow(expect.objectContaining({ code: 'INSTALMENT_DOES_NOT_COVER_INTEREST', field: 'instalment' }));
      expect(() => reviseInstalment(live, { instalment: 500 })).toThrow(expect.objectContaining({ code: 'INSTALMENT_DOES_NOT_COVER_INTEREST' }));
    });

    it('then an instalment one cent above the interest, which would take centuries, is refused with TERM_TOO_LONG', () => {
      expect(() => reviseInstalment(live, { instalment: 843 })).toThrow(expect.objectContaining({ code: 'TERM_TOO_LONG' }));
    });
  });
});

describe('given a zero-rate loan of 300 € with 4 of 6 instalments left', () => {
  const zero = annuitySchedule({ amount: 30_000, annualRateBasisPoints: 0, termMonths: 6, firstDueDate: '2026-02-01' });
  const zeroLive: LiveSchedule = { annualRateBasisPoints: 0, anchorDueDate: '2026-02-01', remainingLines: zero.lines.slice(2) };

  it('then a capitalised holiday costs nothing and keeps 50 € instalments', () => {
    const result = paymentHoliday(zeroLive, { months: 2, interest: 'capitalised' });
    expect(result.capitalisedInterest).toBe(0);
    expect(result.lines.map((line) => line.instalment)).toEqual([5000, 5000, 5000, 5000]);
    expect(result.endDate).toBe('2026-09-01');
  });

  it('then revising to 30 € gives ceil(200 / 30) = 7 instalments, the last 20 €', () => {
    const result = reviseInstalment(zeroLive, { instalment: 3000 });
    expect(result.lines.map((line) => line.instalment)).toEqual([3000, 3000, 3000, 3000, 3000, 3000, 2000]);
  });

  it('then extending to 8 instalments splits 200 € evenly: 25 € each', () => {
    expect(extendTerm(zeroLive, { remainingInstalments: 8 }).lines.map((line) => line.instalment)).toEqual(Array(8).fill(2500));
  });
});

describe('refusals on the live schedule itself', () => {
  it('refuses an empty schedule (nothing left to reschedule) with SCHEDULE_EMPTY', () => {
    expect(() => paymentHoliday({ ...live, remainingLines: [] }, { months: 1, interest: 'none' })).toThrow(expect.objectContaining({ code: 'SCHEDULE_EMPTY' }));
  });

  it('refuses lines whose amounts do not add up with SCHEDULE_INCONSISTENT', () => {
    const tampered = live.remainingLines.map((line, index) => (index === 3 ? { ...line, principal: line.principal + 1 } : line));
    expect(() => extendTerm({ ...live, remainingLines: tampered }, { remainingInstalments: 40 })).toThrow(expect.objectContaining({ code: 'SCHEDULE_INCONSISTENT', field: 'remainingLines[3]' }));
  });

  it('refuses a holiday of zero or a fractional number of months', () => {
    expect(() => paymentHoliday(live, { months: 0, interest: 'none' })).toThrow(expect.objectContaining({ code: 'COUNT_INVALID' }));
    expect(() => paymentHoliday(live, { months: 1.5, interest: 'none' })).toThrow(expect.objectContaining({ code: 'COUNT_INVALID' }));
  });
});

// Python cross-check: check_issue_17_against_spec in libs/finance/crosscheck/vectors.py.
describe('given 3,000 € at 4 % over 36 months disbursed 2026-02-08 with a 7-day first period, nothing due yet', () => {
  const dated = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2026-02-15', disbursementDate: '2026-02-08' });
  const fresh: LiveSchedule = { annualRateBasisPoints: 400, anchorDueDate: '2026-02-15', remainingLines: dated.lines, disbursementDate: '2026-02-08' };

  it('when the term is extended to 48 months, then line 1 still charges its 7 days (2.30 €), not a month (10.00 €)', () => {
    const result = extendTerm(fresh, { remainingInstalments: 48 });
    expect(result.instalment).toBe(6774);
    expect(result.lines[0]).toEqual({ number: 1, dueDate: '2026-02-15', instalment: 6004, interest: 230, principal: 5774, outstandingAfter: 294_226 });
    expect(result.lines[47]).toMatchObject({ instalment: 6761, interest: 22, principal: 6739 });
    expect(result.totalInterest).toBe(24_369);
    expectRepays(result.lines, 300_000);
  });

  it('without the disbursement date, the same extension would charge line 1 a full month', () => {
    expect(extendTerm({ ...fresh, disbursementDate: undefined }, { remainingInstalments: 48 }).lines[0].interest).toBe(1000);
  });

  it('when the instalment is revised to 80.00 €, then it is compared with the level 88.57 €, not line 1 (80.87 €), and line 1 charges 7 days', () => {
    const result = reviseInstalment(fresh, { instalment: 8000 });
    expect(result.remainingInstalments).toBe(41);
    expect(result.lines[0]).toEqual({ number: 1, dueDate: '2026-02-15', instalment: 7230, interest: 230, principal: 7000, outstandingAfter: 293_000 });
    expect(result.lines[40]).toMatchObject({ dueDate: '2029-06-15', instalment: 1008, interest: 3, principal: 1005 });
    expect(result.totalInterest).toBe(20_238);
  });

  it('when two months are deferred with interest capitalised, then the first deferred period is the 7 days: 2.30 + 10.01 = 12.31 €', () => {
    const result = paymentHoliday(fresh, { months: 2, interest: 'capitalised' });
    expect(result).toMatchObject({ capitalisedInterest: 1231, outstanding: 301_231, instalment: 8894, totalInterest: 18_936, deferredDueDates: ['2026-02-15', '2026-03-15'] });
    expect(result.lines[0]).toEqual({ number: 1, dueDate: '2026-04-15', instalment: 8894, interest: 1004, principal: 7890, outstandingAfter: 293_341 });
  });
});
