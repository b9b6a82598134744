import { annuitySchedule, checkUsury, percentToBasisPoints, resteAVivre, taegOfSchedule } from './index';

describe('an offer computed through the public API', () => {
  it('given 1,825 € at "3,00" % over 24 months offered on 2025-11-10, then it is lawful and its cost is what the schedule says', () => {
    const annualRateBasisPoints = percentToBasisPoints('3,00');
    const schedule = annuitySchedule({ amount: 182_500, annualRateBasisPoints, termMonths: 24, firstDueDate: '2025-12-10' });
    const taeg = taegOfSchedule({ amount: 182_500, lines: schedule.lines });
    const usury = checkUsury(taeg.basisPoints, 182_500, '2025-11-10');
    const budget = resteAVivre({ household: { personsAged14OrMore: 1, childrenUnder14: 1 }, monthlyIncomes: [130_000], monthlyFixedCharges: [90_000], instalment: schedule.instalment });

    expect(schedule.instalment).toBe(7844);
    expect(schedule.totalRepaid).toBe(188_258);
    expect(taeg.percent).toBe('3.04');
    expect(usury).toMatchObject({ ok: true, cap: { cap: '23.49', band: 'upTo3000' } });
    // (1300 − 900) / 1.3 = 307.69 € before; (400 − 78.44) / 1.3 = 247.35 € after (both rounded down)
    expect(budget.before.perConsumptionUnit).toBe(30_769);
    expect(budget.after.perConsumptionUnit).toBe(24_735);
  });
});
