import { BASES, MEASURES, MEASURE_NAMES, ALSO_HIDDEN_WITH, type Basis, type Figures, type Measure, type Report } from './figures.aggregate';

export const SMALL_NUMBER_THRESHOLD = 5;

/**
 * Which cells of one column to hide, given the people each counts and the column's total: any cell of 1 to 4
 * people (primary), and when exactly one is hidden while the total shows, the smallest other non-empty cell too
 * (complementary), so the hidden one cannot be recomputed by subtraction. An empty cell reveals no one.
 */
export function suppressColumn(people: readonly number[], total: number, threshold = SMALL_NUMBER_THRESHOLD): { hidden: Set<number>; totalHidden: boolean } {
  const small = (n: number) => n > 0 && n < threshold;
  const hidden = new Set(people.flatMap((n, i) => (small(n) ? [i] : [])));
  let totalHidden = small(total);
  if (hidden.size === 1 && !totalHidden) {
    const candidates = people.map((n, i) => ({ n, i })).filter(({ n, i }) => n > 0 && !hidden.has(i));
    if (candidates.length === 0) totalHidden = true;
    else hidden.add(candidates.reduce((min, candidate) => (candidate.n < min.n ? candidate : min)).i);
  }
  return { hidden, totalHidden };
}

export interface ShownFigures {
  readonly values: Record<Measure, number | null>;
  /** The measures hidden to protect small numbers (their value is null). */
  readonly suppressed: readonly Measure[];
}

export interface ShownReport {
  readonly period: Report['period'];
  readonly groupBy: Report['groupBy'];
  readonly suppression: 'none' | 'smallNumbers';
  readonly rows: ReadonlyArray<{ readonly key: string } & ShownFigures>;
  readonly total: ShownFigures;
  readonly amounts: ReadonlyArray<{ readonly label: string; readonly fromCents: number; readonly toCents: number | null; readonly count: number | null }>;
  readonly purposes: ReadonlyArray<{ readonly key: string; readonly count: number | null }>;
  readonly series: ReadonlyArray<{ readonly month: string; readonly values: Record<string, number | null>; readonly suppressed: readonly string[] }>;
  readonly outcomes: ReadonlyArray<{ readonly dimension: string; readonly codes: ReadonlyArray<{ readonly code: string; readonly count: number | null }> }>;
}

function shown(figures: Figures, hiddenBases: ReadonlySet<Basis>): ShownFigures {
  const suppressed = MEASURE_NAMES.filter((measure) => hiddenBases.has(MEASURES[measure]) || (ALSO_HIDDEN_WITH[measure] ?? []).some((basis) => hiddenBases.has(basis)));
  const values = { ...figures.values };
  for (const measure of suppressed) values[measure] = null;
  return { values, suppressed };
}

/** A report as its viewer sees it: unchanged for a CCAS on its own figures, small numbers hidden on shared views. */
export function showReport(report: Report, suppress: boolean, threshold = SMALL_NUMBER_THRESHOLD): ShownReport {
  if (!suppress) {
    return {
      period: report.period,
      groupBy: report.groupBy,
      suppression: 'none',
      rows: report.rows.map((row) => ({ key: row.key, ...shown(row.figures, new Set()) })),
      total: shown(report.total, new Set()),
      amounts: report.amounts,
      purposes: report.purposes,
      series: report.series.map((point) => ({ month: point.month, values: point.values, suppressed: [] })),
      outcomes: report.outcomes,
    };
  }
  const rowHidden = report.rows.map(() => new Set<Basis>());
  const totalHidden = new Set<Basis>();
  for (const basis of BASES) {
    const column = suppressColumn(report.rows.map((row) => row.figures.people[basis]), report.total.people[basis], threshold);
    column.hidden.forEach((i) => rowHidden[i]!.add(basis));
    if (column.totalHidden) totalHidden.add(basis);
  }
  const total = shown(report.total, totalHidden);
  const grantedHidden = totalHidden.has('granted');
  const buckets = suppressColumn(report.amounts.map((bucket) => bucket.count), report.total.people.granted, threshold);
  const purposes = suppressColumn(report.purposes.map((purpose) => purpose.count), report.total.people.granted, threshold);
  const seriesBases = ['granted', 'missed', 'warned'] as const;
  const seriesMeasures = { granted: ['loansGranted', 'amountSumCents'], missed: ['missedInstalments'], warned: ['incidentWarnings'] } as const;
  const seriesHidden = report.series.map(() => new Set<string>());
  for (const basis of seriesBases) {
    const column = suppressColumn(report.series.map((point) => point.people[basis]), report.total.people[basis], threshold);
    const all = column.totalHidden || totalHidden.has(basis);
    report.series.forEach((_, i) => {
      if (all || column.hidden.has(i)) seriesMeasures[basis].forEach((measure) => seriesHidden[i]!.add(measure));
    });
  }
  return {
    period: report.period,
    groupBy: report.groupBy,
    suppression: 'smallNumbers',
    rows: report.rows.map((row, i) => ({ key: row.key, ...shown(row.figures, rowHidden[i]!) })),
    total,
    amounts: report.amounts.map((bucket, i) => ({ ...bucket, count: grantedHidden || buckets.totalHidden || buckets.hidden.has(i) ? null : bucket.count })),
    purposes: report.purposes.map((purpose, i) => ({ key: purpose.key, count: grantedHidden || purposes.totalHidden || purposes.hidden.has(i) ? null : purpose.count })),
    series: report.series.map((point, i) => {
      const values: Record<string, number | null> = { ...point.values };
      for (const measure of seriesHidden[i]!) values[measure] = null;
      return { month: point.month, values, suppressed: [...seriesHidden[i]!] };
    }),
    // Each dimension of the evaluations is a column over the same people: its small codes hidden, and a complement.
    outcomes: report.outcomes.map(({ dimension, codes }) => {
      const evaluated = report.total.people.evaluated;
      const column = suppressColumn(
        codes.map((code) => code.count),
        evaluated,
        threshold,
      );
      const all = totalHidden.has('evaluated') || column.totalHidden;
      return { dimension, codes: codes.map((code, i) => ({ code: code.code, count: all || column.hidden.has(i) ? null : code.count })) };
    }),
  };
}
