import { ibanProblem, normaliseIban } from './iban';
import { interestPaid, shareInBasisPoints } from './interest-refund';
import { FinanceError } from './errors';
import { annuitySchedule } from './schedule';
import { extendTerm } from './rescheduling';

describe('interest paid', () => {
  it('is the sum of the interest parts of the payments of a classic loan of 1,825 € over 24 months at 3 %', () => {
    const schedule = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-05' });
    const paid = interestPaid(schedule.lines.map((line) => ({ interestCents: line.interest })));
    expect(paid).toBe(schedule.totalInterest);
    expect(paid).toBe(5_758);
  });

  it('is 0 for no payment, and refuses a negative or fractional interest part', () => {
    expect(interestPaid([])).toBe(0);
    expect(() => interestPaid([{ interestCents: 10 }, { interestCents: -1 }])).toThrow(FinanceError);
    expect(() => interestPaid([{ interestCents: 1.5 }])).toThrow(FinanceError);
  });

  it('follows a rescheduled loan: the interest of the payments made, not the original schedule', () => {
    const schedule = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-05' });
    const extended = extendTerm({ annualRateBasisPoints: 300, anchorDueDate: '2026-02-05', remainingLines: schedule.lines.slice(6) }, { remainingInstalments: 30 });
    const payments = [...schedule.lines.slice(0, 6), ...extended.lines].map((line) => ({ interestCents: line.interest }));
    const paid = interestPaid(payments);
    const firstSix = schedule.lines.slice(0, 6).reduce((sum, line) => sum + line.interest, 0);
    expect(paid).toBe(firstSix + extended.totalInterest);
    // Eighteen months stretched over thirty: more interest is paid than the original schedule's.
    expect(paid).toBeGreaterThan(schedule.totalInterest);
  });
});

describe('a share in basis points', () => {
  it('rounds half-up: 301.60 € of refunds out of a 20,106.67 € budget is 1.5 %', () => {
    expect(shareInBasisPoints(30_160, 2_010_667)).toBe(150);
    expect(shareInBasisPoints(1, 20_000)).toBe(1); // 0.5 bp rounds up
    expect(shareInBasisPoints(0, 100)).toBe(0);
  });

  it('needs a positive whole budget', () => {
    expect(() => shareInBasisPoints(100, 0)).toThrow(FinanceError);
    expect(() => shareInBasisPoints(-1, 100)).toThrow(FinanceError);
  });
});

describe('an IBAN', () => {
  it('is accepted when its country length and mod-97 check digits hold, with spaces and lower case', () => {
    expect(ibanProblem('FR76 3000 6000 0112 3456 7890 189')).toBeUndefined();
    expect(ibanProblem('fr7630006000011234567890189')).toBeUndefined();
    expect(ibanProblem('DE89 3704 0044 0532 0130 00')).toBeUndefined();
    expect(ibanProblem('GB82 WEST 1234 5698 7654 32')).toBeUndefined();
    expect(normaliseIban('fr76 3000-6000')).toBe('FR7630006000');
  });

  it('is refused with the reason: a check digit typed wrong, a length, a country, a format', () => {
    expect(ibanProblem('FR76 3000 6000 0112 3456 7890 188')).toBe('IBAN_CHECKSUM');
    expect(ibanProblem('FR67 3000 6000 0112 3456 7890 189')).toBe('IBAN_CHECKSUM');
    expect(ibanProblem('FR76 3000 6000 0112 3456 7890 18')).toBe('IBAN_LENGTH');
    expect(ibanProblem('ZZ76 3000 6000 0112 3456 7890 189')).toBe('IBAN_COUNTRY');
    expect(ibanProblem('not an iban')).toBe('IBAN_FORMAT');
    expect(ibanProblem('')).toBe('IBAN_FORMAT');
  });
});
