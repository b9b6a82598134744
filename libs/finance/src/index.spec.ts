import { addUsuryCapTable, annuitySchedule, checkUsury, formatUsuryCapTables, fullEarlyRepayment, parseUsuryCapTables, parseUsuryCommand, percentToBasisPoints, resteAVivre, taegOfSchedule, USURY_CAP_TABLES } from './index';

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

describe('issue 17 through the public API', () => {
  it('given 1,000 € at 4 % over 12 months disbursed 2026-01-15, when repaid on that day, then 1,000.00 € clears it; a notice added by command is found', () => {
    const schedule = annuitySchedule({ amount: 100_000, annualRateBasisPoints: 400, termMonths: 12, firstDueDate: '2026-02-15', disbursementDate: '2026-01-15' });
    expect(fullEarlyRepayment({ annualRateBasisPoints: 400, disbursementDate: '2026-01-15', lines: schedule.lines, paidToDate: 0, repaymentDate: '2026-01-15' }).total).toBe(100_000);
    // Made-up caps, not the published 2026-Q2 notice.
    const { table } = parseUsuryCommand(['add', '--from', '2026-04-01', '--until', '2026-06-30', '--upTo3000', '20', '--from3000To6000', '15', '--over6000', '8']);
    const { tables } = addUsuryCapTable([], table);
    expect(checkUsury(407, 100_000, '2026-05-01', [...USURY_CAP_TABLES, ...parseUsuryCapTables(formatUsuryCapTables(tables))]).ok).toBe(true);
  });
});
