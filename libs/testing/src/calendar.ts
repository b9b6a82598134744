/**
 * A journey written with the dates of one year, run on clocks that only move forward from the real now: every
 * date is moved by the same whole number of years, the fewest that put the journey's first instant after `now`.
 * Written dates stay readable in the test (a loan signed on 2 December, its first instalment on 5 January); figures
 * that depend on day counts must then be computed from what the services answer, not written down, since a shift
 * may bring a 29 February into the journey.
 */
export interface JourneyCalendar {
  /** The whole number of years every date is moved by. */
  readonly years: number;
  /** `YYYY-MM-DD` or an ISO instant, moved by `years`. */
  readonly date: (written: string) => string;
}

export function journeyCalendar(firstInstant: string, now: Date = new Date()): JourneyCalendar {
  const first = new Date(firstInstant);
  if (Number.isNaN(first.getTime())) throw new Error(`journeyCalendar: ${firstInstant} is not an instant`);
  let years = 0;
  while (addYears(first, years).getTime() <= now.getTime()) years += 1;
  const date = (written: string): string => {
    const match = /^(\d{4})(-\d{2}-\d{2}.*)$/.exec(written);
    if (!match) throw new Error(`journeyCalendar: ${written} is not a date`);
    if (match[2]!.startsWith('-02-29')) throw new Error('journeyCalendar: 29 February cannot be moved by whole years');
    return `${Number(match[1]) + years}${match[2]}`;
  };
  return { years, date };
}

function addYears(instant: Date, years: number): Date {
  const moved = new Date(instant);
  moved.setUTCFullYear(instant.getUTCFullYear() + years);
  return moved;
}
