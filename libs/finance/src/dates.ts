import { FinanceError } from './errors';

// A calendar date as `YYYY-MM-DD`. Due dates are days, not instants, so no time zone enters the maths:
// every computation below is done on UTC midnights.
export type IsoDate = string;

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MS_PER_DAY = 86_400_000;

interface Ymd {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number;
}

export function isIsoDate(value: unknown): value is IsoDate {
  if (typeof value !== 'string') return false;
  const match = ISO_DATE.exec(value);
  if (!match) return false;
  const month = Number(match[2]);
  const day = Number(match[3]);
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(Number(match[1]), month);
}

export function assertIsoDate(value: unknown, field: string): IsoDate {
  if (!isIsoDate(value)) throw new FinanceError('DATE_INVALID', field, `expected a calendar date YYYY-MM-DD, got ${JSON.stringify(value)}`);
  return value;
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function parse(date: IsoDate, field: string): Ymd {
  assertIsoDate(date, field);
  return { year: Number(date.slice(0, 4)), month: Number(date.slice(5, 7)), day: Number(date.slice(8, 10)) };
}

function format({ year, month, day }: Ymd): IsoDate {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function epochDay(date: IsoDate, field: string): number {
  const { year, month, day } = parse(date, field);
  return Date.UTC(year, month - 1, day) / MS_PER_DAY;
}

// Adds calendar months and clamps to the end of the target month: 2026-01-31 + 1 month = 2026-02-28.
// Always compute a series of due dates from one anchor (anchor + k months), never by chaining, or a
// clamped February would drag every later due date to the 28th.
export function addMonths(date: IsoDate, months: number, field = 'date'): IsoDate {
  if (!Number.isSafeInteger(months)) throw new FinanceError('COUNT_INVALID', 'months', `expected an integer, got ${String(months)}`);
  const { year, month, day } = parse(date, field);
  const index = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(index / 12);
  const targetMonth = index - targetYear * 12 + 1;
  return format({ year: targetYear, month: targetMonth, day: Math.min(day, daysInMonth(targetYear, targetMonth)) });
}

export function addDays(date: IsoDate, days: number, field = 'date'): IsoDate {
  if (!Number.isSafeInteger(days)) throw new FinanceError('COUNT_INVALID', 'days', `expected an integer, got ${String(days)}`);
  const shifted = new Date((epochDay(date, field) + days) * MS_PER_DAY);
  return format({ year: shifted.getUTCFullYear(), month: shifted.getUTCMonth() + 1, day: shifted.getUTCDate() });
}

// Calendar days from `from` to `to` (negative when `to` is earlier): 2026-01-31 → 2026-03-01 = 29.
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return epochDay(to, 'to') - epochDay(from, 'from');
}

// Whole calendar months between the year-months of two dates, ignoring the day:
// monthIndex('2026-01-31', '2026-02-28') = 1. Inverse of addMonths for dates built from the same anchor.
export function monthsBetween(from: IsoDate, to: IsoDate): number {
  const a = parse(from, 'from');
  const b = parse(to, 'to');
  return (b.year - a.year) * 12 + (b.month - a.month);
}

export function compareDates(a: IsoDate, b: IsoDate): number {
  const difference = daysBetween(b, a);
  return difference === 0 ? 0 : difference < 0 ? -1 : 1;
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) >= 0 ? a : b;
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return compareDates(a, b) <= 0 ? a : b;
}
