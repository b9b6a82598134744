import { annuitySchedule } from '@tremplin/finance';
import { disbursementDate, dueDate, planDemoYear, scheduledInterest, TARBES_LAVAL_TARGETS } from './demo-plan';

describe('the demo year plan', () => {
  const years = [2027, 2028, 2031];

  it.each(years)('plans Tarbes in %i: 92 files, 30 loans whose amounts average exactly 1,825 €, one missed instalment', (year) => {
    const plan = planDemoYear(year);
    const loans = plan.tarbes.files.flatMap((file) => (file.loan ? [file.loan] : []));
    expect(plan.tarbes.files).toHaveLength(92);
    expect(loans).toHaveLength(30);
    expect(loans.reduce((sum, loan) => sum + loan.amountCents, 0)).toBe(30 * 182_500);
    expect(loans.filter((loan) => loan.missedInstalment !== undefined)).toHaveLength(1);
    for (const loan of loans) {
      expect(loan.amountCents).toBeGreaterThanOrEqual(30_000);
      expect(loan.amountCents).toBeLessThanOrEqual(300_000);
      expect(loan.nominalRateBps).toBeLessThanOrEqual(400);
    }
    expect(plan.tarbes.files.every((file) => file.month >= 1 && file.month <= 10)).toBe(true);
  });

  it.each(years)('in %i, refunds five January loans that end within the year, whose schedules charge exactly 301.60 € of interest', (year) => {
    const plan = planDemoYear(year);
    const refunded = plan.tarbes.files.filter((file) => file.loan?.refunded);
    expect(refunded).toHaveLength(5);
    let interest = 0;
    for (const file of refunded) {
      expect(file.month).toBe(1);
      const schedule = annuitySchedule({ amount: file.loan!.amountCents, annualRateBasisPoints: file.loan!.nominalRateBps, termMonths: file.loan!.termMonths, firstDueDate: dueDate(year, 1), disbursementDate: disbursementDate(year, 1) });
      expect(schedule.endDate <= `${year}-12-31`).toBe(true);
      interest += schedule.totalInterest;
    }
    expect(interest).toBe(TARBES_LAVAL_TARGETS.refundedInterestCents);
    expect(plan.refundedInterestCents).toBe(interest);
  });

  it('ends no other Tarbes loan within the year (only the five are repaid, so only they are refunded)', () => {
    const plan = planDemoYear(2027);
    for (const file of plan.tarbes.files) {
      if (!file.loan || file.loan.refunded) continue;
      expect(file.month + file.loan.termMonths - 1).toBeGreaterThan(12);
    }
  });

  it('plans Laval: 70 files, 24 loans, one restructuring loan left unpaid from its second instalment', () => {
    const plan = planDemoYear(2027);
    const loans = plan.laval.files.flatMap((file) => (file.loan ? [file.loan] : []));
    expect(plan.laval.files).toHaveLength(70);
    expect(loans).toHaveLength(24);
    expect(loans.filter((loan) => loan.product === 'restructuring')).toEqual([expect.objectContaining({ unpaidFrom: 2, amountCents: 180_000 })]);
  });

  it('computes a loan’s interest with libs/finance from its disbursement and first due dates', () => {
    const loan = { amountCents: 182_500, termMonths: 24, nominalRateBps: 300 };
    expect(scheduledInterest(2027, 1, loan)).toBe(annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2027-01-28', disbursementDate: '2027-01-08' }).totalInterest);
  });

  it('refuses targets it cannot plan', () => {
    expect(() => planDemoYear(2027, { ...TARBES_LAVAL_TARGETS, refunds: 0 })).toThrow('between 1 and 5');
    expect(() => planDemoYear(2027, { ...TARBES_LAVAL_TARGETS, refundedInterestCents: 90_000 })).toThrow('no 12-month classic loan');
  });
});
