import type { Period } from './figures.aggregate';

export const PERIOD_PATTERN = /^(\d{4})(?:-(Q[1-4]|0[1-9]|1[0-2]))?$/;

/** `2026` (year), `2026-Q2` (quarter) or `2026-03` (month) → the half-open range of its days. */
export function periodOf(text: string): Period {
  const match = PERIOD_PATTERN.exec(text);
  if (!match) throw new Error(`not a period: ${text}`);
  const year = Number(match[1]);
  const part = match[2];
  const day = (y: number, m: number) => `${y + Math.floor((m - 1) / 12)}-${String(((m - 1) % 12) + 1).padStart(2, '0')}-01`;
  if (!part) return { from: day(year, 1), to: day(year + 1, 1) };
  if (part.startsWith('Q')) {
    const first = (Number(part[1]) - 1) * 3 + 1;
    return { from: day(year, first), to: day(year, first + 3) };
  }
  return { from: day(year, Number(part)), to: day(year, Number(part) + 1) };
}
