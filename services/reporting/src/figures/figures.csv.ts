import { MEASURE_NAMES } from './figures.aggregate';
import type { ShownReport } from './suppression';

export const CSV_TABLES = ['groups', 'amounts', 'purposes', 'series', 'outcomes'] as const;
export type CsvTable = (typeof CSV_TABLES)[number];

// Semicolons, as French spreadsheets expect; cents stay integers so a download adds up to the cent.
// A hidden cell is empty: the file never holds what the page hides.
const cell = (value: string | number | null) => {
  if (value === null) return '';
  const text = String(value);
  return /[;"\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
};
const lines = (rows: ReadonlyArray<ReadonlyArray<string | number | null>>) => `${rows.map((row) => row.map(cell).join(';')).join('\r\n')}\r\n`;

export function reportCsv(report: ShownReport, table: CsvTable): string {
  switch (table) {
    case 'groups':
      return lines([
        [report.groupBy === 'none' ? 'scope' : report.groupBy, ...MEASURE_NAMES],
        ...report.rows.map((row) => [row.key, ...MEASURE_NAMES.map((measure) => row.values[measure])]),
        ['total', ...MEASURE_NAMES.map((measure) => report.total.values[measure])],
      ]);
    case 'amounts':
      return lines([['fromCents', 'toCents', 'loans'], ...report.amounts.map((bucket) => [bucket.fromCents, bucket.toCents, bucket.count])]);
    case 'purposes':
      return lines([['purposeCategory', 'loans'], ...report.purposes.map((purpose) => [purpose.key, purpose.count])]);
    case 'series': {
      const measures = ['loansGranted', 'amountSumCents', 'missedInstalments', 'incidentWarnings'];
      return lines([['month', ...measures], ...report.series.map((point) => [point.month, ...measures.map((measure) => point.values[measure] ?? null)])]);
    }
    case 'outcomes':
      return lines([['dimension', 'code', 'evaluations'], ...report.outcomes.flatMap(({ dimension, codes }) => codes.map((code) => [dimension, code.code, code.count]))]);
    default: {
      const never: never = table;
      return never;
    }
  }
}
