import { z } from 'zod';
import { ApiError } from './errors';

/** A day (YYYY-MM-DD, read as its end, UTC) or an ISO instant with its offset. */
export const dayOrInstant = () =>
  z.string().refine((value) => (/^\d{4}-\d{2}-\d{2}$/.test(value) && z.iso.date().safeParse(value).success) || z.iso.datetime({ offset: true }).safeParse(value).success, {
    message: 'must be a date (YYYY-MM-DD) or an ISO instant',
  });

/** `?asOf=` (the state as it stood then) and `?knownAt=` (what was recorded by then): auditors' time travel. */
export const timeTravelQuery = z.strictObject({ asOf: dayOrInstant().optional(), knownAt: dayOrInstant().optional() });
export type TimeTravelQuery = z.infer<typeof timeTravelQuery>;

/** The instant and the day a time-travel parameter stands for; refused in the future (the past is all there is). */
export function instantOf(value: string | undefined, field: string, now: Date): { instant?: string; day?: string } {
  if (value === undefined) return {};
  const instant = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T23:59:59.999Z` : new Date(value).toISOString();
  const day = /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : instant.slice(0, 10);
  if (day > now.toISOString().slice(0, 10)) throw new ApiError(400, 'AS_OF_IN_FUTURE', `${field} is after today: only recorded history can be shown`, field);
  return { instant, day };
}
