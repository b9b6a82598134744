import { journeyCalendar } from './calendar';

describe('journeyCalendar', () => {
  it('keeps the written dates while they are still ahead', () => {
    const calendar = journeyCalendar('2026-12-01T09:00:00.000Z', new Date('2026-11-28T12:00:00.000Z'));
    expect(calendar.years).toBe(0);
    expect(calendar.date('2027-01-05')).toBe('2027-01-05');
  });

  it('moves every date by the fewest whole years that put the first instant after now', () => {
    const calendar = journeyCalendar('2026-12-01T09:00:00.000Z', new Date('2026-12-07T01:37:15.722Z'));
    expect(calendar.years).toBe(1);
    expect(calendar.date('2026-12-01T09:00:00.000Z')).toBe('2027-12-01T09:00:00.000Z');
    expect(calendar.date('2027-06-04')).toBe('2028-06-04');
    expect(journeyCalendar('2026-12-01T09:00:00.000Z', new Date('2029-12-01T09:00:00.000Z')).years).toBe(4);
  });

  it('refuses what it cannot move', () => {
    const calendar = journeyCalendar('2026-12-01T09:00:00.000Z', new Date('2026-12-07T00:00:00.000Z'));
    expect(() => calendar.date('2027-02-29')).toThrow(/29 February/);
    expect(() => calendar.date('5 January')).toThrow(/not a date/);
    expect(() => journeyCalendar('soon')).toThrow(/not an instant/);
  });
});
