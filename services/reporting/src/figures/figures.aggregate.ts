import { evaluationOutcomes, satisfactionLevels, withoutSupportAnswers } from '@tremplin/contracts';
import type { ApplicationFact, EnvelopeFact, EscalationFact, EvaluationFact, FileFact, LoanActivity, LoanFact } from '../facts/facts';
import { daysBetween, distribution, meanCents, medianCents, percentile, sum, type Bucket } from './statistics';

/** A half-open range of days [from, to), e.g. a month, a quarter or a year. */
export interface Period {
  readonly from: string;
  readonly to: string;
}

export type GroupBy = 'none' | 'tenant' | 'federation' | 'product';

/** A loan as the figures read it (only what they use), with its file's transmission instant when the query joined it. */
export type ReportedLoan = Pick<
  LoanFact,
  'tenantId' | 'loanId' | 'applicationId' | 'product' | 'purposeCategory' | 'receivedAt' | 'approvedAt' | 'refusedAt' | 'disbursedAt' | 'disbursedCents' | 'outstandingCents'
> &
  Partial<Pick<LoanFact, 'guaranteedCents' | 'guaranteeExposureCents' | 'guaranteeLossCents'>> & {
    readonly transmittedAt?: string | null;
    /** The file's opening and commission (intake), when the query joined them. */
    readonly openedAt?: string | null;
    readonly commissionDecidedAt?: string | null;
  };

/** An escalation or an evaluation with its loan's product (joined from the loan), to filter and group by product. */
export type ReportedEscalation = EscalationFact & { readonly product?: string | null };
export type ReportedEvaluation = EvaluationFact & { readonly product?: string | null };

export interface FactSet {
  readonly applications: readonly ApplicationFact[];
  readonly loans: readonly ReportedLoan[];
  readonly activity: readonly LoanActivity[];
  readonly envelopes: readonly EnvelopeFact[];
  readonly escalations?: readonly ReportedEscalation[];
  readonly evaluations?: readonly ReportedEvaluation[];
  /** Files by id, when the loans do not carry their opening and commission (facts folded in memory). */
  readonly files?: readonly FileFact[];
}

/** What an end-of-loan evaluation codes, in the order the dashboard shows it. */
export const EVALUATION_DIMENSIONS = ['employment', 'mobility', 'housing', 'health', 'budget', 'socialTies', 'satisfaction', 'withoutSupport'] as const;
export type EvaluationDimension = (typeof EVALUATION_DIMENSIONS)[number];
const CODES_OF: Record<EvaluationDimension, readonly string[]> = {
  employment: evaluationOutcomes,
  mobility: evaluationOutcomes,
  housing: evaluationOutcomes,
  health: evaluationOutcomes,
  budget: evaluationOutcomes,
  socialTies: evaluationOutcomes,
  satisfaction: satisfactionLevels,
  withoutSupport: withoutSupportAnswers,
};

/**
 * What each figure counts people by. A cell is suppressed on shared views when its basis counts fewer than
 * five people (one loan = one borrower; a file = one applicant).
 */
export const BASES = [
  'applications',
  'approved',
  'refused',
  'decided',
  'granted',
  'missed',
  'warned',
  'rescheduled',
  'defaulted',
  'recovered',
  'writtenOff',
  'timed',
  'envelopes',
  'escalated',
  'contacted',
  'deadlineDue',
  'supported',
  'refunded',
  'guaranteed',
  'claimed',
  'claimPaid',
  'guarantorRecovered',
  'guaranteeLost',
  'grantedLost',
  'exposed',
  'evaluated',
] as const;
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
  daysOpeningToCommissionMedian: 'timed',
  daysOpeningToCommissionP90: 'timed',
  daysCommissionToDecisionMedian: 'timed',
  daysCommissionToDecisionP90: 'timed',
  daysOpeningToDisbursementMedian: 'timed',
  daysOpeningToDisbursementP90: 'timed',
  escalationsOpened: 'escalated',
  escalationsFromMissedInstalment: 'escalated',
  firstContactDelayDaysMedian: 'contacted',
  firstContactDelayDaysP90: 'contacted',
  firstContactWorkingDaysMedian: 'contacted',
  firstContactWithinDeadlinePercent: 'deadlineDue',
  supportMeasures: 'supported',
  supportEmergencyAid: 'supported',
  supportSocialGrocery: 'supported',
  supportReferral: 'supported',
  supportAidCents: 'supported',
  interestRefunds: 'refunded',
  interestRefundedCents: 'refunded',
  guaranteesActivated: 'guaranteed',
  guaranteedCents: 'guaranteed',
  guaranteeExposureCents: 'exposed',
  guaranteeClaims: 'claimed',
  guaranteeClaimCents: 'claimed',
  guaranteeClaimsPaidCents: 'claimPaid',
  guarantorRecoveredCents: 'guarantorRecovered',
  guaranteeLossCents: 'guaranteeLost',
  guaranteeLossRatePercent: 'granted',
  evaluationsRecorded: 'evaluated',
  newProjects: 'evaluated',
  envelopeCapacityCents: 'envelopes',
  envelopeHeadroomCents: 'envelopes',
} as const satisfies Record<string, Basis>;
export type Measure = keyof typeof MEASURES;
/** A figure computed from two counts is hidden when either is: a rate and one visible count give the other. */
// The cohort loss rate (losses of the loans granted in the period over what the fund covered of them) would give
// one borrower's loss when few of those loans lost anything.
export const ALSO_HIDDEN_WITH: Partial<Record<Measure, readonly Basis[]>> = { approvalRatePercent: ['approved', 'refused'], guaranteeLossRatePercent: ['grantedLost'] };
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
  /** End-of-loan outcomes of the evaluations held in the period: per dimension, the evaluations per code. */
  readonly outcomes: ReadonlyArray<{ readonly dimension: EvaluationDimension; readonly codes: ReadonlyArray<{ readonly code: string; readonly count: number }> }>;
}

const inPeriod = (instant: string | null, period: Period) => instant !== null && instant.slice(0, 10) >= period.from && instant.slice(0, 10) < period.to;

const daysOf = (from: string | null | undefined, to: string | null | undefined, into: number[]) => {
  if (from && to) into.push(daysBetween(from, to));
};

/**
 * The figures of one set of facts over a period (facts outside it are ignored). `asOf` (a day) says which CCAS
 * deadlines have passed: an escalation with no contact yet counts as missing its deadline once the day is past.
 */
export function figuresOf(facts: FactSet, period: Period, asOf: string = period.to): Figures {
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

  // The file's whole path for the loans decided in the period: opening → commission → the bank's decision → disbursement.
  const files = new Map((facts.files ?? []).map((file) => [`${file.tenantId}\u0000${file.applicationId}`, file]));
  const fileOf = (loan: ReportedLoan) => (loan.applicationId ? files.get(`${loan.tenantId}\u0000${loan.applicationId}`) : undefined);
  const openedAt = (loan: ReportedLoan) => loan.openedAt ?? fileOf(loan)?.openedAt;
  const openingToCommission: number[] = [];
  const commissionToDecision: number[] = [];
  for (const loan of [...approved, ...refused]) {
    const commissionAt = loan.commissionDecidedAt ?? fileOf(loan)?.commissionDecidedAt;
    daysOf(openedAt(loan), commissionAt, openingToCommission);
    daysOf(commissionAt, loan.approvedAt ?? loan.refusedAt, commissionToDecision);
  }
  const openingToDisbursement: number[] = [];
  for (const loan of granted) daysOf(openedAt(loan), loan.disbursedAt, openingToDisbursement);

  // Escalations opened in the period; the reaction to a missed instalment: the first CCAS contact's delay as
  // accompaniment measured it (from lending's record of the missed instalment), and the share within the CCAS's
  // deadline among those contacted or still waiting past it (one closed without a CCAS contact is neither).
  const escalations = (facts.escalations ?? []).filter((row) => inPeriod(row.openedAt, period));
  const fromMissed = escalations.filter((row) => row.trigger === 'instalmentMissed');
  const contacted = fromMissed.filter((row) => row.delayMinutes !== null);
  const due = fromMissed.filter((row) => row.contactedAt !== null || (row.closedAt === null && row.deadlineDate !== null && row.deadlineDate < asOf));
  const onTime = due.filter((row) => row.contactedAt !== null && row.late === false).length;
  const loansIn = (rows: ReadonlyArray<{ tenantId: string; loanId: string }>) => new Set(rows.map((row) => `${row.tenantId}\u0000${row.loanId}`)).size;
  const delayDays = contacted.map((row) => Math.round(row.delayMinutes! / 144) / 10);

  const supports = of((row) => row.kind.startsWith('support:'));
  const refunds = of((row) => row.kind === 'interestRefundPaid');
  const activated = of((row) => row.kind === 'guaranteeActivated');
  const called = of((row) => row.kind === 'guaranteeCalled');
  const claimsPaid = of((row) => row.kind === 'guaranteeClaimPaid');
  const fundRecoveries = of((row) => row.kind === 'guarantorRecovery');
  const losses = of((row) => row.kind === 'guaranteeLoss');
  const cohortCovered = sum(granted.map((loan) => loan.guaranteedCents ?? 0));
  const cohortLost = granted.filter((loan) => (loan.guaranteeLossCents ?? 0) > 0);
  const evaluations = (facts.evaluations ?? []).filter((row) => row.heldOn >= period.from && row.heldOn < period.to);

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
      escalated: loansIn(escalations),
      contacted: loansIn(contacted),
      deadlineDue: loansIn(due),
      supported: loansOf(supports),
      refunded: loansOf(refunds),
      guaranteed: loansOf(activated),
      claimed: loansOf(called),
      claimPaid: loansOf(claimsPaid),
      guarantorRecovered: loansOf(fundRecoveries),
      guaranteeLost: loansOf(losses),
      grantedLost: cohortLost.length,
      exposed: granted.filter((loan) => (loan.guaranteeExposureCents ?? 0) > 0).length,
      evaluated: evaluations.length,
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
      daysOpeningToCommissionMedian: median(openingToCommission),
      daysOpeningToCommissionP90: percentile(openingToCommission, 90),
      daysCommissionToDecisionMedian: median(commissionToDecision),
      daysCommissionToDecisionP90: percentile(commissionToDecision, 90),
      daysOpeningToDisbursementMedian: median(openingToDisbursement),
      daysOpeningToDisbursementP90: percentile(openingToDisbursement, 90),
      escalationsOpened: escalations.length,
      escalationsFromMissedInstalment: fromMissed.length,
      firstContactDelayDaysMedian: median(delayDays),
      firstContactDelayDaysP90: percentile(delayDays, 90),
      firstContactWorkingDaysMedian: median(contacted.map((row) => row.delayWorkingDays ?? 0)),
      firstContactWithinDeadlinePercent: due.length ? Math.round((1000 * onTime) / due.length) / 10 : null,
      supportMeasures: supports.length,
      supportEmergencyAid: supports.filter((row) => row.kind === 'support:emergencyAid').length,
      supportSocialGrocery: supports.filter((row) => row.kind === 'support:socialGrocery').length,
      supportReferral: supports.filter((row) => row.kind === 'support:referral').length,
      supportAidCents: sum(supports.map((row) => row.cents)),
      interestRefunds: refunds.length,
      interestRefundedCents: sum(refunds.map((row) => row.cents)),
      guaranteesActivated: activated.length,
      guaranteedCents: sum(activated.map((row) => row.cents)),
      guaranteeExposureCents: sum(granted.map((loan) => loan.guaranteeExposureCents ?? 0)),
      guaranteeClaims: called.length,
      guaranteeClaimCents: sum(called.map((row) => row.cents)),
      guaranteeClaimsPaidCents: sum(claimsPaid.map((row) => row.cents)),
      guarantorRecoveredCents: sum(fundRecoveries.map((row) => row.cents)),
      guaranteeLossCents: sum(losses.map((row) => row.cents)),
      guaranteeLossRatePercent: cohortCovered ? Math.round((10_000 * sum(cohortLost.map((loan) => loan.guaranteeLossCents!))) / cohortCovered) / 100 : null,
      evaluationsRecorded: evaluations.length,
      newProjects: evaluations.filter((row) => row.newProject).length,
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
  const groups = new Map<
    string,
    { applications: ApplicationFact[]; loans: ReportedLoan[]; activity: LoanActivity[]; envelopes: EnvelopeFact[]; escalations: ReportedEscalation[]; evaluations: ReportedEvaluation[]; files?: readonly FileFact[] }
  >();
  // Files are looked up by their loans only: every group may share the whole list.
  const group = (key: string) => {
    let found = groups.get(key);
    if (!found) groups.set(key, (found = { applications: [], loans: [], activity: [], envelopes: [], escalations: [], evaluations: [], ...(facts.files ? { files: facts.files } : {}) }));
    return found;
  };
  for (const row of facts.escalations ?? []) group(keyOf(row.tenantId, row.product ?? null)).escalations.push(row);
  for (const row of facts.evaluations ?? []) group(keyOf(row.tenantId, row.product ?? null)).evaluations.push(row);
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
export function reportOf(facts: FactSet, period: Period, groupBy: GroupBy, federationOf: (tenantId: string) => string, asOf: string = period.to): Report {
  const keyOf = (tenantId: string, product: string | null): string =>
    groupBy === 'tenant' ? tenantId : groupBy === 'federation' ? federationOf(tenantId) : groupBy === 'product' ? (product ?? '') : 'all';
  const rows =
    groupBy === 'none'
      ? []
      : [...partition(facts, keyOf).entries()]
          .filter(([key]) => key !== '')
          .map(([key, set]) => ({ key, figures: figuresOf(set, period, asOf) }))
          .sort((a, b) => a.key.localeCompare(b.key));
  const granted = facts.loans.filter((loan) => inPeriod(loan.disbursedAt, period));
  const purposes = new Map<string, number>();
  for (const loan of granted) purposes.set(loan.purposeCategory ?? 'unknown', (purposes.get(loan.purposeCategory ?? 'unknown') ?? 0) + 1);
  const series = seriesOf(facts, period);
  const evaluations = (facts.evaluations ?? []).filter((row) => row.heldOn >= period.from && row.heldOn < period.to);
  const outcomes = EVALUATION_DIMENSIONS.map((dimension) => {
    const counts = new Map<string, number>();
    for (const row of evaluations) counts.set(row[dimension], (counts.get(row[dimension]) ?? 0) + 1);
    return { dimension, codes: CODES_OF[dimension].map((code) => ({ code, count: counts.get(code) ?? 0 })) };
  });
  return {
    period,
    groupBy,
    rows,
    total: figuresOf(facts, period, asOf),
    amounts: distribution(granted.map((loan) => loan.disbursedCents ?? 0)),
    purposes: [...purposes.entries()].map(([key, count]) => ({ key, count })).sort((a, b) => a.key.localeCompare(b.key)),
    series,
    outcomes,
  };
}
