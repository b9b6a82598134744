import { addWorkingDays, easterSunday, frenchPublicHolidays, isFrenchPublicHoliday, isWorkingDay, workingDaysBetween } from './working-days';

describe('French working days', () => {
  it('finds Easter Sunday', () => {
    expect(easterSunday(2024)).toBe('2024-03-31');
    expect(easterSunday(2025)).toBe('2025-04-20');
    expect(easterSunday(2026)).toBe('2026-04-05');
    expect(easterSunday(2027)).toBe('2027-03-28');
    expect(easterSunday(2038)).toBe('2038-04-25');
  });
  it('lists the eleven national public holidays, the movable ones from Easter', () => {
    expect(frenchPublicHolidays(2026)).toEqual([
      '2026-01-01',
      '2026-04-06',
      '2026-05-01',
      '2026-05-08',
      '2026-05-14',
      '2026-05-25',
      '2026-07-14',
      '2026-08-15',
      '2026-11-01',
      '2026-11-11',
      '2026-12-25',
    ]);
    expect(isFrenchPublicHoliday('2027-05-06')).toBe(true); // Ascension 2027
    expect(isFrenchPublicHoliday('2026-12-26')).toBe(false);
  });
  it('counts Monday to Friday outside public holidays', () => {
    expect(isWorkingDay('2026-12-07')).toBe(true); // Monday
    expect(isWorkingDay('2026-12-05')).toBe(false); // Saturday
    expect(isWorkingDay('2026-12-06')).toBe(false); // Sunday
    expect(isWorkingDay('2026-12-25')).toBe(false); // Christmas, a Friday
  });
  it('adds working days, skipping weekends and holidays', () => {
    expect(addWorkingDays('2026-12-07', 0)).toBe('2026-12-07');
    expect(addWorkingDays('2026-12-07', 5)).toBe('2026-12-14');
    // Thursday 24 December 2026 + 2: Friday 25 is Christmas, then the weekend → Tuesday 29.
    expect(addWorkingDays('2026-12-24', 2)).toBe('2026-12-29');
    // Over Easter 2026: Friday 3 April + 1 → Tuesday 7 (Monday 6 is Easter Monday).
    expect(addWorkingDays('2026-04-03', 1)).toBe('2026-04-07');
    expect(() => addWorkingDays('2026-04-03', -1)).toThrow(/working days/);
  });
  it('counts the working days after one date up to another', () => {
    expect(workingDaysBetween('2026-12-04', '2026-12-07')).toBe(1); // Friday → Monday
    expect(workingDaysBetween('2026-12-07', '2026-12-07')).toBe(0);
    expect(workingDaysBetween('2026-12-08', '2026-12-07')).toBe(0);
    expect(workingDaysBetween('2026-12-24', '2026-12-29')).toBe(2);
    for (const [from, count] of [['2026-12-07', 5], ['2026-12-24', 2], ['2026-04-03', 7]] as const) expect(workingDaysBetween(from, addWorkingDays(from, count))).toBe(count);
  });
});
