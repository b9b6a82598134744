import { FinanceError } from './errors';
import { addDays, addMonths, assertIsoDate, compareDates, daysBetween, isIsoDate, monthsBetween } from './dates';

describe('ISO dates', () => {
  it('accepts real calendar days only', () => {
    expect(isIsoDate('2028-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(isIsoDate('2026-1-01')).toBe(false);
    expect(isIsoDate('2026-01-01T00:00:00Z')).toBe(false);
    expect(() => assertIsoDate('2026-04-31', 'dueDate')).toThrow(FinanceError);
  });
});

describe('addMonths', () => {
  it('keeps the day of month when it exists', () => {
    expect(addMonths('2026-01-15', 1)).toBe('2026-02-15');
    expect(addMonths('2026-11-15', 3)).toBe('2027-02-15');
  });

  it('clamps to the end of a shorter month (leap years included)', () => {
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2028-01-31', 1)).toBe('2028-02-29');
    expect(addMonths('2026-03-31', 1)).toBe('2026-04-30');
  });

  it('goes backwards across years', () => {
    expect(addMonths('2026-03-31', -1)).toBe('2026-02-28');
    expect(addMonths('2026-01-15', -13)).toBe('2024-12-15');
  });

  it('from one anchor gives back the 31st after a clamped February', () => {
    expect([0, 1, 2, 3].map((k) => addMonths('2026-01-31', k))).toEqual(['2026-01-31', '2026-02-28', '2026-03-31', '2026-04-30']);
  });
});

describe('days and months between dates', () => {
  it('counts calendar days in UTC, across a month end and a leap day', () => {
    expect(daysBetween('2026-01-31', '2026-03-01')).toBe(29);
    expect(daysBetween('2028-02-28', '2028-03-01')).toBe(2);
    expect(daysBetween('2026-03-01', '2026-01-31')).toBe(-29);
    // The last Sunday of March has 23 hours in Paris: UTC days are not fooled by it.
    expect(daysBetween('2026-03-28', '2026-03-30')).toBe(2);
  });

  it('adds days', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2028-03-01', -1)).toBe('2028-02-29');
  });

  it('counts whole months by year-month, inverse of addMonths from an anchor', () => {
    expect(monthsBetween('2026-01-31', '2026-02-28')).toBe(1);
    expect(monthsBetween('2026-01-31', '2028-12-31')).toBe(35);
    expect(monthsBetween('2026-05-01', '2026-02-28')).toBe(-3);
  });

  it('compares dates', () => {
    expect(compareDates('2026-01-01', '2026-01-02')).toBe(-1);
    expect(compareDates('2026-01-02', '2026-01-02')).toBe(0);
    expect(compareDates('2027-01-01', '2026-12-31')).toBe(1);
  });
});
