import { consumptionUnitsTenths, resteAVivre } from './reste-a-vivre';

describe('consumption units (modified OECD scale)', () => {
  it('counts 1 for the applicant, 0.5 per other person aged 14+, 0.3 per child under 14', () => {
    expect(consumptionUnitsTenths({ personsAged14OrMore: 1, childrenUnder14: 0 })).toBe(10);
    expect(consumptionUnitsTenths({ personsAged14OrMore: 2, childrenUnder14: 2 })).toBe(21); // 1 + 0.5 + 2 × 0.3
    expect(consumptionUnitsTenths({ personsAged14OrMore: 1, childrenUnder14: 3 })).toBe(19); // 1 + 3 × 0.3
    expect(consumptionUnitsTenths({ personsAged14OrMore: 3, childrenUnder14: 0 })).toBe(20); // 1 + 2 × 0.5
  });

  it('refuses a household without an adult, or with fractional people', () => {
    expect(() => consumptionUnitsTenths({ personsAged14OrMore: 0, childrenUnder14: 2 })).toThrow(expect.objectContaining({ code: 'HOUSEHOLD_INVALID' }));
    expect(() => consumptionUnitsTenths({ personsAged14OrMore: 1.5, childrenUnder14: 0 })).toThrow(expect.objectContaining({ code: 'HOUSEHOLD_INVALID' }));
    expect(() => consumptionUnitsTenths({ personsAged14OrMore: 1, childrenUnder14: -1 })).toThrow(expect.objectContaining({ code: 'HOUSEHOLD_INVALID' }));
  });
});

describe('given a couple with two young children, 1,450 € of income and 980 € of fixed charges', () => {
  const result = resteAVivre({
    household: { personsAged14OrMore: 2, childrenUnder14: 2 },
    monthlyIncomes: [120_000, 25_000],
    monthlyFixedCharges: [65_000, 18_000, 15_000],
    instalment: 7844,
  });

  it('then before the loan 470.00 € remain, 223.80 € per unit (470 / 2.1 = 223.8095… rounded down)', () => {
    expect(result.consumptionUnits).toBe('2.1');
    expect(result.before).toEqual({ perMonth: 47_000, perConsumptionUnit: 22_380 });
  });

  it('then after a 78.44 € instalment 391.56 € remain, 186.45 € per unit (391.56 / 2.1 = 186.4571…)', () => {
    expect(result.after).toEqual({ perMonth: 39_156, perConsumptionUnit: 18_645 });
  });
});

describe('given a single parent with three children, 1,200 € of income and 1,100 € of charges', () => {
  it('then 100 € / 1.9 = 52.63 € per unit before, and 11.43 € / 1.9 = 6.01 € after an 88.57 € instalment', () => {
    const result = resteAVivre({ household: { personsAged14OrMore: 1, childrenUnder14: 3 }, monthlyIncomes: [120_000], monthlyFixedCharges: [110_000], instalment: 8857 });
    expect(result.before).toEqual({ perMonth: 10_000, perConsumptionUnit: 5263 });
    expect(result.after).toEqual({ perMonth: 1143, perConsumptionUnit: 601 });
  });
});

describe('when charges exceed incomes', () => {
  it('then the reste à vivre is negative and rounds down, away from zero (−100 € / 1.9 = −52.6315… → −52.64)', () => {
    const result = resteAVivre({ household: { personsAged14OrMore: 1, childrenUnder14: 3 }, monthlyIncomes: [100_000], monthlyFixedCharges: [110_000], instalment: 0 });
    expect(result.before).toEqual({ perMonth: -10_000, perConsumptionUnit: -5264 });
    expect(result.after).toEqual(result.before);
  });
});

describe('refusals', () => {
  it('refuses float amounts and a negative instalment, naming the field', () => {
    const household = { personsAged14OrMore: 1, childrenUnder14: 0 };
    expect(() => resteAVivre({ household, monthlyIncomes: [1200.5], monthlyFixedCharges: [], instalment: 0 })).toThrow(
      expect.objectContaining({ code: 'AMOUNT_NOT_INTEGER_CENTS', field: 'monthlyIncomes[0]' }),
    );
    expect(() => resteAVivre({ household, monthlyIncomes: [], monthlyFixedCharges: [], instalment: -1 })).toThrow(expect.objectContaining({ code: 'AMOUNT_NEGATIVE' }));
  });
});
