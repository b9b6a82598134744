import type { ApplicationFact, EnvelopeFact, LoanActivity, LoanFact } from '../facts/facts';
import { daysBetween, distribution, meanCents, medianCents, percentile, sum, type Bucket } from './statistics';

/** A half-open range of days [from, to), e.g. a month, a quarter or a year. */
export interface Period {
  readonly from: string;
  readonly to: string;
}

export type GroupBy = 'none' | 'tenant' | 'federation' | 'product';

/** A loan as the figures read it (only what they use), with its file's transmission instant when the query joined it. */
export type ReportedLoan = Pick<LoanFact, 'tenantId' | 'loanId' | 'applicationId' | 'product' | 'purposeCategory' | 'receivedAt' | 'approvedAt' | 'refusedAt' | 'disbursedAt' | 'disbursedCents' | 'outstandingCents'> & {
  readonly transmittedAt?: string | null;
};

export interface FactSet {
  readonly applications: readonly ApplicationFact[];
  readonly loans: readonly ReportedLoan[];
  readonly activity: readonly LoanActivity[];
  readonly envelopes: readonly EnvelopeFact[];
}

/**
 * What each figure counts people by. A cell is suppressed on shared views when its basis counts fewer than
 * five people (one loan = one borrower; a file = one applicant).
 */
export const BASES = ['applications', 'approved', 'refused', 'decided', 'granted', 'missed', 'warned', 'rescheduled', 'defaulted', 'recovered', 'writtenOff', 'timed', 'envelopes'] as const;
export type Basis = (typeof BASES)[number];

export const MEASURES = {
  applicationsTransmitted: 'applications',
  loansApproved: 'approved',
  loansRefused: 'refused',
  approvalRatePercent: 'decided',
  loansGranted: 'granted',
  amountSumCents: 'granted',
  amountMeanCents: 'granted',
  amountMedianCents: 'granted',
  outstandingCents: 'granted',
  missedInstalments: 'missed',
  loansWithMissedInstalments: 'missed',
  incidentWarnings: 'warned',
  reschedulings: 'rescheduled',
  reschedulingsHoliday: 'rescheduled',
  reschedulingsTermExtension: 'rescheduled',
  reschedulingsInstalmentRevision: 'rescheduled',
  defaults: 'defaulted',
  defaultedCents: 'defaulted',
  recoveries: 'recovered',
  recoveredCents: 'recovered',
  writeOffs: 'writtenOff',
  writtenOffCents: 'writtenOff',
  daysToDecisionMedian: 'timed',
  daysToDecisionP90: 'timed',
  daysToDisbursementMedian: 'timed',
  daysToDisbursementP90: 'timed',
  envelopeCapacityCents: 'envelopes',
  envelopeHeadroomCents: 'envelopes',
} as const satisfies Record<string, Basis>;
export type Measure = keyof typeof MEASURES;
/** A figure computed from two counts is hidden when either is: a rate and one visible count give the other. */
export const ALSO_HIDDEN_WITH: Partial<Record<Measure, readonly Basis[]>> = { approvalRatePercent: ['approved', 'refused'] };
export const MEASURE_NAMES = Object.keys(MEASURES) as Measure[];

export interface Figures {
  readonly people: Record<Basis, number>;
  readonly values: Record<Measure, number | null>;
}

export interface SeriesPoint {
  readonly month: string;
  readonly people: Record<'granted' | 'missed' | 'warned', number>;
  readonly values: Record<'loansGranted' | 'amountSumCents' | 'missedInstalments' | 'incidentWarnings', number | null>;
}

export interface GroupRow {
  readonly key: string;
  readonly figures: Figures;
}

export interface Report {
  readonly period: Period;
  readonly groupBy: GroupBy;
  readonly rows: readonly GroupRow[];
  readonly total: Figures;
  readonly amounts: readonly Bucket[];
  readonly purposes: ReadonlyArray<{ readonly key: string; readonly count: number }>;
  readonly series: readonly SeriesPoint[];
}

const inPeriod = (instant: string | null, period: Period) => instant !== null && instant.slice(0, 10) >= period.from && instant.slice(0, 10) < period.to;

/** The figures of one set of facts over a period (facts outside it are ignored). */
export function figuresOf(facts: FactSet, period: Period): Figures {
  const applications = facts.applications.filter((application) => inPeriod(application.transmittedAt, period));
  const approved = facts.loans.filter((loan) => inPeriod(loan.approvedAt, period));
  const refused = facts.loans.filter((loan) => inPeriod(loan.refusedAt, period));
  const granted = facts.loans.filter((loan) => inPeriod(loan.disbursedAt, period));
  const amounts = granted.map((loan) => loan.disbursedCents ?? 0);
  const activity = facts.activity.filter((row) => row.occurredOn >= period.from && row.occurredOn < period.to);
  const of = (predicate: (row: LoanActivity) => boolean) => activity.filter(predicate);
  const loansOf = (rows: readonly LoanActivity[]) => new Set(rows.map((row) => `${row.tenantId}\u0000${row.loanId}`)).size;
  const missed = of((row) => row.kind === 'instalmentMissed');
  const warned = of((row) => row.kind === 'incidentWarning');
  const rescheduled = of((row) => row.kind.startsWith('rescheduled:'));
  const defaulted = of((row) => row.kind === 'defaulted');
  const recovered = of((row) => row.kind === 'recovery');
  const writtenOff = of((row) => row.kind === 'writtenOff');

  // Processing times of the loans decided in the period: from the file's transmission (or, for a file the bank
  // received directly, its receipt) to the bank's decision, and from the decision to the disbursement.
  const transmitted = new Map(facts.applications.map((application) => [`${application.tenantId}\u0000${application.applicationId}`, application.transmittedAt]));
  const toDecision: number[] = [];
  for (const loan of [...approved, ...refused]) {
    const decidedAt = loan.approvedAt ?? loan.refusedAt;
    const start = loan.transmittedAt ?? (loan.applicationId && transmitted.get(`${loan.tenantId}\u0000${loan.applicationId}`)) ?? loan.receivedAt;
    if (start && decidedAt) toDecision.push(daysBetween(start, decidedAt));
  }
  const toDisbursement = granted.filter((loan) => loan.approvedAt).map((loan) => daysBetween(loan.approvedAt!, loan.disbursedAt!));
  const decided = approved.length + refused.length;
  const envelopes = facts.envelopes;

  return {
    people: {
      applications: applications.length,
      approved: approved.length,
      refused: refused.length,
      decided,
      granted: granted.length,
      missed: loansOf(missed),
      warned: loansOf(warned),
      rescheduled: loansOf(rescheduled),
      defaulted: loansOf(defaulted),
      recovered: loansOf(recovered),
      writtenOff: loansOf(writtenOff),
      timed: toDecision.length,
      // Envelopes are voted by boards about guarantors, not people: never suppressed.
      envelopes: Number.POSITIVE_INFINITY,
    },
    values: {
      applicationsTransmitted: applications.length,
      loansApproved: approved.length,
      loansRefused: refused.length,
      approvalRatePercent: decided ? Math.round((1000 * approved.length) / decided) / 10 : null,
      loansGranted: granted.length,
      amountSumCents: sum(amounts),
      amountMeanCents: meanCents(amounts),
      amountMedianCents: medianCents(amounts),
      outstandingCents: sum(granted.map((loan) => loan.outstandingCents)),
      missedInstalments: missed.length,
      loansWithMissedInstalments: loansOf(missed),
      incidentWarnings: warned.length,
      reschedulings: rescheduled.length,
      reschedulingsHoliday: rescheduled.filter((row) => row.kind === 'rescheduled:holiday').length,
      reschedulingsTermExtension: rescheduled.filter((row) => row.kind === 'rescheduled:termExtension').length,
      reschedulingsInstalmentRevision: rescheduled.filter((row) => row.kind === 'rescheduled:instalmentRevision').length,
      defaults: defaulted.length,
      defaultedCents: sum(defaulted.map((row) => row.cents)),
      recoveries: recovered.length,
      recoveredCents: sum(recovered.map((row) => row.cents)),
      writeOffs: writtenOff.length,
      writtenOffCents: sum(writtenOff.map((row) => row.cents)),
      daysToDecisionMedian: median(toDecision),
      daysToDecisionP90: percentile(toDecision, 90),
      daysToDisbursementMedian: median(toDisbursement),
      daysToDisbursementP90: percentile(toDisbursement, 90),
      envelopeCapacityCents: sum(envelopes.map((envelope) => envelope.capacityCents)),
      envelopeHeadroomCents: sum(envelopes.map((envelope) => envelope.headroomCents)),
    },
  };
}

function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle]! : Math.round(((sorted[middle - 1]! + sorted[middle]!) / 2) * 10) / 10;
}

function monthsOf(period: Period): string[] {
  const months: string[] = [];
  let [year, month] = period.from.slice(0, 7).split('-').map(Number) as [number, number];
  for (;;) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (`${key}-01` >= period.to) return months;
    months.push(key);
    month += 1;
    if (month > 12) [year, month] = [year + 1, 1];
  }
}

/** Per month of the period, in one pass: loans granted and their amount, missed instalments and warnings (with the loans concerned). */
function seriesOf(facts: FactSet, period: Period): SeriesPoint[] {
  const months = new Map(monthsOf(period).map((month) => [month, { granted: 0, cents: 0, missed: 0, warned: 0, missedLoans: new Set<string>(), warnedLoans: new Set<string>() }]));
  for (const loan of facts.loans) {
    const point = loan.disbursedAt ? months.get(loan.disbursedAt.slice(0, 7)) : undefined;
    if (point && inPeriod(loan.disbursedAt, period)) {
      point.granted += 1;
      point.cents += loan.disbursedCents ?? 0;
    }
  }
  for (const row of facts.activity) {
    const point = row.occurredOn >= period.from && row.occurredOn < period.to ? months.get(row.occurredOn.slice(0, 7)) : undefined;
    if (!point) continue;
    if (row.kind === 'instalmentMissed') {
      point.missed += 1;
      point.missedLoans.add(`${row.tenantId}\u0000${row.loanId}`);
    } else if (row.kind === 'incidentWarning') {
      point.warned += 1;
      point.warnedLoans.add(`${row.tenantId}\u0000${row.loanId}`);
    }
  }
  return [...months.entries()].map(([month, point]) => ({
    month,
    people: { granted: point.granted, missed: point.missedLoans.size, warned: point.warnedLoans.size },
    values: { loansGranted: point.granted, amountSumCents: point.cents, missedInstalments: point.missed, incidentWarnings: point.warned },
  }));
}

function partition(facts: FactSet, keyOf: (tenantId: string, product: string | null) => string): Map<string, FactSet> {
  const groups = new Map<string, { applications: ApplicationFact[]; loans: ReportedLoan[]; activity: LoanActivity[]; envelopes: EnvelopeFact[] }>();
  const group = (key: string) => {
    let found = groups.get(key);
    if (!found) groups.set(key, (found = { applications: [], loans: [], activity: [], envelopes: [] }));
    return found;
  };
  for (const application of facts.applications) group(keyOf(application.tenantId, application.product)).applications.push(application);
  for (const loan of facts.loans) group(keyOf(loan.tenantId, loan.product)).loans.push(loan);
  for (const row of facts.activity) group(keyOf(row.tenantId, row.product)).activity.push(row);
  // An envelope belongs to a CCAS, not a product: by product it is counted in the total only.
  for (const envelope of facts.envelopes) {
    const key = keyOf(envelope.tenantId, null);
    if (key !== '') group(key).envelopes.push(envelope);
  }
  return groups;
}

/** The report of a viewer's facts: one row per group, the total, the amounts' distribution, purposes and a monthly series. */
export function reportOf(facts: FactSet, period: Period, groupBy: GroupBy, federationOf: (tenantId: string) => string): Report {
  const keyOf = (tenantId: string, product: string | null): string =>
    groupBy === 'tenant' ? tenantId : groupBy === 'federation' ? federationOf(tenantId) : groupBy === 'product' ? (product ?? '') : 'all';
  const rows =
    groupBy === 'none'
      ? []
      : [...partition(facts, keyOf).entries()]
          .filter(([key]) => key !== '')
          .map(([key, set]) => ({ key, figures: figuresOf(set, period) }))
          .sort((a, b) => a.key.localeCompare(b.key));
  const granted = facts.loans.filter((loan) => inPeriod(loan.disbursedAt, period));
  const purposes = new Map<string, number>();
  for (const loan of granted) purposes.set(loan.purposeCategory ?? 'unknown', (purposes.get(loan.purposeCategory ?? 'unknown') ?? 0) + 1);
  const series = seriesOf(facts, period);
  return {
    period,
    groupBy,
    rows,
    total: figuresOf(facts, period),
    amounts: distribution(granted.map((loan) => loan.disbursedCents ?? 0)),
    purposes: [...purposes.entries()].map(([key, count]) => ({ key, count })).sort((a, b) => a.key.localeCompare(b.key)),
    series,
  };
}
