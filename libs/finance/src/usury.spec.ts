import { annuitySchedule } from './schedule';
import { taegOfSchedule } from './taeg';
import { checkUsury, usuryBandFor, usuryCapFor, type UsuryCapTable } from './usury';

describe('usury bands (Banque de France wording)', () => {
  it('puts exactly 3,000 € in "inférieur ou égal à 3 000 €" and one cent more in the next band', () => {
    expect(usuryBandFor(300_000)).toBe('upTo3000');
    expect(usuryBandFor(300_001)).toBe('from3000To6000');
  });

  it('puts exactly 6,000 € in "supérieur à 3 000 € et inférieur ou égal à 6 000 €" and one cent more above', () => {
    expect(usuryBandFor(600_000)).toBe('from3000To6000');
    expect(usuryBandFor(600_001)).toBe('over6000');
  });
});

describe('usuryCapFor picks the table in force on the offer date', () => {
  it('Q4 2025: 23.49 % / 15.71 % / 8.73 %', () => {
    expect(usuryCapFor(182_500, '2025-11-10')).toEqual({ band: 'upTo3000', capBasisPoints: 2349, cap: '23.49', effectiveFrom: '2025-10-01' });
    expect(usuryCapFor(500_000, '2025-11-10').capBasisPoints).toBe(1571);
    expect(usuryCapFor(800_000, '2025-11-10').capBasisPoints).toBe(873);
  });

  it('switches on the first day of the quarter, not the day after', () => {
    expect(usuryCapFor(182_500, '2025-09-30').capBasisPoints).toBe(2339);
    expect(usuryCapFor(182_500, '2025-10-01').capBasisPoints).toBe(2349);
    expect(usuryCapFor(500_000, '2026-01-01').capBasisPoints).toBe(1587);
  });

  it('refuses a date with no table in force, before the first or after the last published quarter', () => {
    expect(() => usuryCapFor(182_500, '2024-09-30')).toThrow(expect.objectContaining({ code: 'USURY_TABLE_MISSING', field: 'offerDate' }));
    expect(() => usuryCapFor(182_500, '2026-04-01')).toThrow(expect.objectContaining({ code: 'USURY_TABLE_MISSING' }));
  });

  it('accepts a table supplied by configuration for later quarters', () => {
    const tables: UsuryCapTable[] = [{ effectiveFrom: '2026-04-01', effectiveUntil: '2026-06-30', caps: { upTo3000: 2300, from3000To6000: 1500, over6000: 800 } }];
    expect(usuryCapFor(300_001, '2026-05-01', tables)).toMatchObject({ band: 'from3000To6000', capBasisPoints: 1500, effectiveFrom: '2026-04-01' });
  });
});

describe('checkUsury', () => {
  it('accepts a TAEG equal to the cap (only a TAEG that exceeds it is usurious)', () => {
    expect(checkUsury(2349, 300_000, '2025-11-10')).toMatchObject({ ok: true, cap: { capBasisPoints: 2349 } });
  });

  it('refuses a TAEG one basis point above the cap', () => {
    expect(checkUsury(2350, 300_000, '2025-11-10')).toMatchObject({ ok: false, exceeded: true, taegBasisPoints: 2350, cap: { capBasisPoints: 2349 } });
  });

  it('accepts a typical microcredit: 3,000 € at 4 % over 36 months, TAEG 4.07 %', () => {
    const schedule = annuitySchedule({ amount: 300_000, annualRateBasisPoints: 400, termMonths: 36, firstDueDate: '2025-12-10' });
    const taeg = taegOfSchedule({ amount: 300_000, lines: schedule.lines });
    expect(checkUsury(taeg.basisPoints, 300_000, '2025-11-10').ok).toBe(true);
  });

  it('given 3,500 € at 4 % over 6 months with 150 € of fees, when offered on 2025-11-10, then its 21.09 % TAEG exceeds the 15.71 % cap', () => {
    // Python bisection on the same flows: 0.210851503… → 21.09 %; 3,500 € is in the 3,000–6,000 € band
    const schedule = annuitySchedule({ amount: 350_000, annualRateBasisPoints: 400, termMonths: 6, firstDueDate: '2025-12-10' });
    const taeg = taegOfSchedule({ amount: 350_000, lines: schedule.lines, upfrontFees: 15_000 });
    expect(taeg.percent).toBe('21.09');
    expect(checkUsury(taeg.basisPoints, 350_000, '2025-11-10')).toEqual({
      ok: false,
      exceeded: true,
      taegBasisPoints: 2109,
      cap: { band: 'from3000To6000', capBasisPoints: 1571, cap: '15.71', effectiveFrom: '2025-10-01' },
    });
  });

  it('accepts a negative TAEG (a loan repaid below its amount is not usurious)', () => {
    expect(checkUsury(-10, 30_000, '2025-11-10').ok).toBe(true);
  });

  it('refuses a TAEG that is not whole basis points', () => {
    expect(() => checkUsury(4.07, 300_000, '2025-11-10')).toThrow(expect.objectContaining({ code: 'RATE_INVALID' }));
  });
});
