import { addDays, assertIsoDate, daysBetween, type IsoDate } from './dates';
import { FinanceError } from './errors';

// Working days in metropolitan France: Monday to Friday, except the eleven national public holidays (Code du
// travail L3133-1). Alsace-Moselle's two extra days (Good Friday, 26 December) are not counted here.

/** Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). */
export function easterSunday(year: number): IsoDate {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The French national public holidays of a year, in date order. */
export function frenchPublicHolidays(year: number): IsoDate[] {
  const easter = easterSunday(year);
  const fixed = (monthDay: string) => `${String(year).padStart(4, '0')}-${monthDay}`;
  return [
    fixed('01-01'),
    addDays(easter, 1), // Easter Monday
    fixed('05-01'),
    fixed('05-08'),
    addDays(easter, 39), // Ascension
    addDays(easter, 50), // Whit Monday
    fixed('07-14'),
    fixed('08-15'),
    fixed('11-01'),
    fixed('11-11'),
    fixed('12-25'),
  ].sort();
}

const holidaysByYear = new Map<number, ReadonlySet<IsoDate>>();
function holidaysOf(year: number): ReadonlySet<IsoDate> {
  let holidays = holidaysByYear.get(year);
  if (!holidays) {
    holidays = new Set(frenchPublicHolidays(year));
    holidaysByYear.set(year, holidays);
  }
  return holidays;
}

export function isFrenchPublicHoliday(date: IsoDate): boolean {
  assertIsoDate(date, 'date');
  return holidaysOf(Number(date.slice(0, 4))).has(date);
}

export function isWorkingDay(date: IsoDate): boolean {
  assertIsoDate(date, 'date');
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !isFrenchPublicHoliday(date);
}

/** The date `count` working days after `date` (count ≥ 0; `date` itself never counts). */
export function addWorkingDays(date: IsoDate, count: number): IsoDate {
  if (!Number.isSafeInteger(count) || count < 0) throw new FinanceError('COUNT_INVALID', 'count', `expected a whole number of working days, 0 or more, got ${String(count)}`);
  let current = assertIsoDate(date, 'date');
  let left = count;
  while (left > 0) {
    current = addDays(current, 1);
    if (isWorkingDay(current)) left -= 1;
  }
  return current;
}

/** Working days d with from < d ≤ to (0 when `to` is not after `from`): a Friday to the next Monday is 1. */
export function workingDaysBetween(from: IsoDate, to: IsoDate): number {
  const span = daysBetween(from, to);
  let count = 0;
  for (let offset = 1; offset <= span; offset += 1) if (isWorkingDay(addDays(from, offset))) count += 1;
  return count;
}
