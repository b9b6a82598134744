import { evaluationOutcomes, satisfactionLevels, withoutSupportAnswers } from '@tremplin/contracts';
import type { ApplicationFact, EnvelopeFact, EscalationFact, EvaluationFact, FileFact, LoanActivity, LoanFact } from '../facts/facts';
import { daysBetween, distribution, meanCents, medianCents, medianTenths, percentile, sum, type Bucket } from './statistics';

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

const inPeriod = (instant: string | null | undefined, period: Period) => !!instant && instant.slice(0, 10) >= period.from && instant.slice(0, 10) < period.to;

/** One month of the series: loans granted and their amount, missed instalments and warnings with the loans concerned. */
interface MonthTally {
  granted: number;
  cents: number;
  missed: number;
  warned: number;
  missedLoans: Set<string>;
  warnedLoans: Set<string>;
}

/**
 * What the figures of one CCAS and product over a period are made of, before any median is taken: counts and sums
 * add up, values (amounts, durations) are kept to take medians from, the loans behind each count of people are kept as
 * a set. So the tallies of several CCAS or products merge into exactly the tally of their union — the figures of a
 * federation, a product or the whole scope are computed from kept tallies without reading the facts again.
 */
export interface Tally {
  applications: number;
  approved: number;
  refused: number;
  outstandingCents: number;
  missed: number;
  warned: number;
  rescheduledHoliday: number;
  rescheduledTermExtension: number;
  rescheduledInstalmentRevision: number;
  defaulted: number;
  defaultedCents: number;
  recovered: number;
  recoveredCents: number;
  writtenOff: number;
  writtenOffCents: number;
  escalations: number;
  fromMissed: number;
  due: number;
  onTime: number;
  supportEmergencyAid: number;
  supportSocialGrocery: number;
  supportReferral: number;
  supportCents: number;
  refunds: number;
  refundedCents: number;
  activated: number;
  activatedCents: number;
  called: number;
  calledCents: number;
  claimsPaidCents: number;
  guarantorRecoveredCents: number;
  lossCents: number;
  cohortCoveredCents: number;
  cohortLostCents: number;
  grantedLost: number;
  exposed: number;
  exposureCents: number;
  evaluations: number;
  newProjects: number;
  envelopeCapacityCents: number;
  envelopeHeadroomCents: number;
  amounts: number[];
  toDecision: number[];
  toDisbursement: number[];
  openingToCommission: number[];
  commissionToDecision: number[];
  openingToDisbursement: number[];
  delayDays: number[];
  workingDays: number[];
  missedLoans: Set<string>;
  warnedLoans: Set<string>;
  rescheduledLoans: Set<string>;
  defaultedLoans: Set<string>;
  recoveredLoans: Set<string>;
  writtenOffLoans: Set<string>;
  escalatedLoans: Set<string>;
  contactedLoans: Set<string>;
  dueLoans: Set<string>;
  supportedLoans: Set<string>;
  refundedLoans: Set<string>;
  guaranteedLoans: Set<string>;
  claimedLoans: Set<string>;
  claimPaidLoans: Set<string>;
  guarantorRecoveredLoans: Set<string>;
  lostLoans: Set<string>;
  purposes: Map<string, number>;
  /** `dimension\u0000code` → evaluations. */
  outcomes: Map<string, number>;
  months: Map<string, MonthTally>;
}

export function emptyTally(): Tally {
  const tally: Record<string, unknown> = {};
  for (const key of TALLY_COUNTS) tally[key] = 0;
  for (const key of TALLY_VALUES) tally[key] = [];
  for (const key of TALLY_LOANS) tally[key] = new Set<string>();
  tally['purposes'] = new Map();
  tally['outcomes'] = new Map();
  tally['months'] = new Map();
  return tally as unknown as Tally;
}

type KeysOf<V> = { [K in keyof Tally]: Tally[K] extends V ? K : never }[keyof Tally];
const TALLY_VALUES = ['amounts', 'toDecision', 'toDisbursement', 'openingToCommission', 'commissionToDecision', 'openingToDisbursement', 'delayDays', 'workingDays'] as const satisfies ReadonlyArray<KeysOf<number[]>>;
const TALLY_LOANS = [
  'missedLoans',
  'warnedLoans',
  'rescheduledLoans',
  'defaultedLoans',
  'recoveredLoans',
  'writtenOffLoans',
  'escalatedLoans',
  'contactedLoans',
  'dueLoans',
  'supportedLoans',
  'refundedLoans',
  'guaranteedLoans',
  'claimedLoans',
  'claimPaidLoans',
  'guarantorRecoveredLoans',
  'lostLoans',
] as const satisfies ReadonlyArray<KeysOf<Set<string>>>;
const TALLY_COUNTS = (Object.keys({
  applications: 0, approved: 0, refused: 0, outstandingCents: 0, missed: 0, warned: 0, rescheduledHoliday: 0, rescheduledTermExtension: 0, rescheduledInstalmentRevision: 0,
  defaulted: 0, defaultedCents: 0, recovered: 0, recoveredCents: 0, writtenOff: 0, writtenOffCents: 0, escalations: 0, fromMissed: 0, due: 0, onTime: 0,
  supportEmergencyAid: 0, supportSocialGrocery: 0, supportReferral: 0, supportCents: 0, refunds: 0, refundedCents: 0, activated: 0, activatedCents: 0, called: 0, calledCents: 0,
  claimsPaidCents: 0, guarantorRecoveredCents: 0, lossCents: 0, cohortCoveredCents: 0, cohortLostCents: 0, grantedLost: 0, exposed: 0, exposureCents: 0, evaluations: 0,
  newProjects: 0, envelopeCapacityCents: 0, envelopeHeadroomCents: 0,
} satisfies Record<KeysOf<number>, 0>) as Array<KeysOf<number>>);

const addCount = <K>(into: Map<K, number>, key: K, n = 1) => into.set(key, (into.get(key) ?? 0) + n);

/** Adds `from` into `into` (counts added, values appended, sets of loans united); `from` is left as it was. */
export function mergeTally(into: Tally, from: Tally): Tally {
  for (const key of TALLY_COUNTS) into[key] += from[key];
  for (const key of TALLY_VALUES) for (const value of from[key]) into[key].push(value);
  for (const key of TALLY_LOANS) for (const loan of from[key]) into[key].add(loan);
  for (const [key, n] of from.purposes) addCount(into.purposes, key, n);
  for (const [key, n] of from.outcomes) addCount(into.outcomes, key, n);
  for (const [month, point] of from.months) {
    const target = monthOf(into, month);
    target.granted += point.granted;
    target.cents += point.cents;
    target.missed += point.missed;
    target.warned += point.warned;
    for (const loan of point.missedLoans) target.missedLoans.add(loan);
    for (const loan of point.warnedLoans) target.warnedLoans.add(loan);
  }
  return into;
}

export function mergedTally(tallies: Iterable<Tally>): Tally {
  const merged = emptyTally();
  for (const tally of tallies) mergeTally(merged, tally);
  return merged;
}

function monthOf(tally: Tally, month: string): MonthTally {
  let point = tally.months.get(month);
  if (!point) tally.months.set(month, (point = { granted: 0, cents: 0, missed: 0, warned: 0, missedLoans: new Set(), warnedLoans: new Set() }));
  return point;
}

/** Where each dated fact about a loan counts: how many, their cents, the loans concerned (approvals, disbursements,
 * refusals and repayments are counted from the loans themselves). */
const ACTIVITY_TALLY: Partial<Record<LoanActivity['kind'], { readonly count?: CountKey; readonly cents?: CountKey; readonly loans: LoanKey }>> = {
  instalmentMissed: { count: 'missed', loans: 'missedLoans' },
  incidentWarning: { count: 'warned', loans: 'warnedLoans' },
  'rescheduled:holiday': { count: 'rescheduledHoliday', loans: 'rescheduledLoans' },
  'rescheduled:termExtension': { count: 'rescheduledTermExtension', loans: 'rescheduledLoans' },
  'rescheduled:instalmentRevision': { count: 'rescheduledInstalmentRevision', loans: 'rescheduledLoans' },
  defaulted: { count: 'defaulted', cents: 'defaultedCents', loans: 'defaultedLoans' },
  recovery: { count: 'recovered', cents: 'recoveredCents', loans: 'recoveredLoans' },
  writtenOff: { count: 'writtenOff', cents: 'writtenOffCents', loans: 'writtenOffLoans' },
  'support:emergencyAid': { count: 'supportEmergencyAid', cents: 'supportCents', loans: 'supportedLoans' },
  'support:socialGrocery': { count: 'supportSocialGrocery', cents: 'supportCents', loans: 'supportedLoans' },
  'support:referral': { count: 'supportReferral', cents: 'supportCents', loans: 'supportedLoans' },
  interestRefundPaid: { count: 'refunds', cents: 'refundedCents', loans: 'refundedLoans' },
  guaranteeActivated: { count: 'activated', cents: 'activatedCents', loans: 'guaranteedLoans' },
  guaranteeCalled: { count: 'called', cents: 'calledCents', loans: 'claimedLoans' },
  guaranteeClaimPaid: { cents: 'claimsPaidCents', loans: 'claimPaidLoans' },
  guarantorRecovery: { cents: 'guarantorRecoveredCents', loans: 'guarantorRecoveredLoans' },
  guaranteeLoss: { cents: 'lossCents', loans: 'lostLoans' },
};

/** A tally of one CCAS and product (null: facts without a product, e.g. an envelope). */
export interface KeyedTally {
  readonly tenantId: string;
  readonly product: string | null;
  readonly tally: Tally;
}

/**
 * The tallies of a set of facts over a period, one per CCAS and product (facts outside the period are ignored).
 * `asOf` (a day) says which CCAS deadlines have passed: an escalation with no contact yet misses its deadline once the
 * day is past.
 */
export function talliesOf(facts: FactSet, period: Period, asOf: string = period.to): KeyedTally[] {
  const tallies = new Map<string, KeyedTally>();
  const tallyOf = (tenantId: string, product: string | null | undefined): Tally => {
    const key = `${tenantId}\u0000${product ?? ''}`;
    let found = tallies.get(key);
    if (!found) tallies.set(key, (found = { tenantId, product: product ?? null, tally: emptyTally() }));
    return found.tally;
  };
  const loanKey = (row: { readonly tenantId: string; readonly loanId: string }) => `${row.tenantId}\u0000${row.loanId}`;

  for (const application of facts.applications) if (inPeriod(application.transmittedAt, period)) tallyOf(application.tenantId, application.product).applications += 1;

  // Processing times of the loans decided in the period: from the file's transmission (or, for a file the bank
  // received directly, its receipt) to the bank's decision, and from the decision to the disbursement; and the file's
  // whole path: opening → commission → the bank's decision → disbursement.
  const transmitted = new Map(facts.applications.map((application) => [`${application.tenantId}\u0000${application.applicationId}`, application.transmittedAt]));
  const files = new Map((facts.files ?? []).map((file) => [`${file.tenantId}\u0000${file.applicationId}`, file]));
  const fileOf = (loan: ReportedLoan) => (loan.applicationId ? files.get(`${loan.tenantId}\u0000${loan.applicationId}`) : undefined);
  for (const loan of facts.loans) {
    const tally = tallyOf(loan.tenantId, loan.product);
    const approved = inPeriod(loan.approvedAt, period);
    const refused = inPeriod(loan.refusedAt, period);
    const openedAt = loan.openedAt ?? fileOf(loan)?.openedAt;
    if (approved) tally.approved += 1;
    if (refused) tally.refused += 1;
    if (approved || refused) {
      const decidedAt = loan.approvedAt ?? loan.refusedAt;
      const start = loan.transmittedAt ?? (loan.applicationId && transmitted.get(`${loan.tenantId}\u0000${loan.applicationId}`)) ?? loan.receivedAt;
      // One entry per decision in the period (a loan approved and refused in it would count twice, as before).
      for (let n = Number(approved) + Number(refused); n > 0; n--) {
        if (start && decidedAt) tally.toDecision.push(daysBetween(start, decidedAt));
        const commissionAt = loan.commissionDecidedAt ?? fileOf(loan)?.commissionDecidedAt;
        if (openedAt && commissionAt) tally.openingToCommission.push(daysBetween(openedAt, commissionAt));
        if (commissionAt && decidedAt) tally.commissionToDecision.push(daysBetween(commissionAt, decidedAt));
      }
    }
    if (inPeriod(loan.disbursedAt, period)) {
      const cents = loan.disbursedCents ?? 0;
      tally.amounts.push(cents);
      tally.outstandingCents += loan.outstandingCents;
      if (loan.approvedAt) tally.toDisbursement.push(daysBetween(loan.approvedAt, loan.disbursedAt!));
      if (openedAt) tally.openingToDisbursement.push(daysBetween(openedAt, loan.disbursedAt!));
      tally.cohortCoveredCents += loan.guaranteedCents ?? 0;
      if ((loan.guaranteeLossCents ?? 0) > 0) {
        tally.grantedLost += 1;
        tally.cohortLostCents += loan.guaranteeLossCents!;
      }
      if ((loan.guaranteeExposureCents ?? 0) > 0) tally.exposed += 1;
      tally.exposureCents += loan.guaranteeExposureCents ?? 0;
      addCount(tally.purposes, loan.purposeCategory ?? 'unknown');
      const point = monthOf(tally, loan.disbursedAt!.slice(0, 7));
      point.granted += 1;
      point.cents += cents;
    }
  }

  for (const row of facts.activity) {
    if (!(row.occurredOn >= period.from && row.occurredOn < period.to)) continue;
    const counts = ACTIVITY_TALLY[row.kind];
    if (!counts) continue;
    const tally = tallyOf(row.tenantId, row.product);
    const loan = loanKey(row);
    if (counts.count) tally[counts.count] += 1;
    if (counts.cents) tally[counts.cents] += row.cents;
    tally[counts.loans].add(loan);
    // Missed instalments and warnings are also drawn month by month.
    if (row.kind === 'instalmentMissed' || row.kind === 'incidentWarning') {
      const point = monthOf(tally, row.occurredOn.slice(0, 7));
      if (row.kind === 'instalmentMissed') {
        point.missed += 1;
        point.missedLoans.add(loan);
      } else {
        point.warned += 1;
        point.warnedLoans.add(loan);
      }
    }
  }

  // Escalations opened in the period; the reaction to a missed instalment: the first CCAS contact's delay as
  // accompaniment measured it (from lending's record of the missed instalment), and the share within the CCAS's
  // deadline among those contacted or still waiting past it (one closed without a CCAS contact is neither).
  for (const row of facts.escalations ?? []) {
    if (!inPeriod(row.openedAt, period)) continue;
    const tally = tallyOf(row.tenantId, row.product);
    const loan = loanKey(row);
    tally.escalations += 1;
    tally.escalatedLoans.add(loan);
    if (row.trigger !== 'instalmentMissed') continue;
    tally.fromMissed += 1;
    if (row.delayMinutes !== null) {
      tally.contactedLoans.add(loan);
      tally.delayDays.push(Math.round(row.delayMinutes / 144) / 10);
      tally.workingDays.push(row.delayWorkingDays ?? 0);
    }
    if (row.contactedAt !== null || (row.closedAt === null && row.deadlineDate !== null && row.deadlineDate < asOf)) {
      tally.due += 1;
      tally.dueLoans.add(loan);
      if (row.contactedAt !== null && row.late === false) tally.onTime += 1;
    }
  }

  for (const row of facts.evaluations ?? []) {
    if (!(row.heldOn >= period.from && row.heldOn < period.to)) continue;
    const tally = tallyOf(row.tenantId, row.product);
    tally.evaluations += 1;
    if (row.newProject) tally.newProjects += 1;
    for (const dimension of EVALUATION_DIMENSIONS) addCount(tally.outcomes, `${dimension}\u0000${row[dimension]}`);
  }

  // An envelope belongs to a CCAS, not a product.
  for (const envelope of facts.envelopes) {
    const tally = tallyOf(envelope.tenantId, null);
    tally.envelopeCapacityCents += envelope.capacityCents;
    tally.envelopeHeadroomCents += envelope.headroomCents;
  }
  return [...tallies.values()];
}

type CountKey = KeysOf<number>;
type ValueKey = (typeof TALLY_VALUES)[number];
type LoanKey = (typeof TALLY_LOANS)[number];

/** What figures are computed from: one tally, or the tallies of distinct CCAS seen as one (`summaryOfDistinct`). */
export type TallySummary = Pick<Tally, CountKey> & Record<ValueKey, ArrayLike<number>> & Record<LoanKey, { readonly size: number }>;

/**
 * Tallies of distinct CCAS seen as one without copying their sets of loans: a loan belongs to one CCAS, so the people
 * of distinct CCAS add up; counts add up; values are concatenated (one typed array per list).
 */
export function summaryOfDistinct(tallies: readonly Tally[]): TallySummary {
  if (tallies.length === 1) return tallies[0]!;
  const summary: Record<string, unknown> = {};
  for (const key of TALLY_COUNTS) {
    let n = 0;
    for (const tally of tallies) n += tally[key];
    summary[key] = n;
  }
  for (const key of TALLY_LOANS) {
    let size = 0;
    for (const tally of tallies) size += tally[key].size;
    summary[key] = { size };
  }
  for (const key of TALLY_VALUES) {
    let length = 0;
    for (const tally of tallies) length += tally[key].length;
    const values = new Float64Array(length);
    let at = 0;
    for (const tally of tallies) {
      values.set(tally[key], at);
      at += tally[key].length;
    }
    summary[key] = values;
  }
  return summary as unknown as TallySummary;
}

/** The figures of a tally: medians and percentiles taken from its values, people counted from its loans. */
export function figuresOfTally(tally: TallySummary): Figures {
  const granted = tally.amounts.length;
  const decided = tally.approved + tally.refused;
  const rescheduled = tally.rescheduledHoliday + tally.rescheduledTermExtension + tally.rescheduledInstalmentRevision;
  const supports = tally.supportEmergencyAid + tally.supportSocialGrocery + tally.supportReferral;
  const { amounts, toDecision, toDisbursement, openingToCommission, commissionToDecision, openingToDisbursement, delayDays, workingDays } = tally;
  const median = medianTenths;
  const p90 = (values: ArrayLike<number>) => percentile(values, 90);
  return {
    people: {
      applications: tally.applications,
      approved: tally.approved,
      refused: tally.refused,
      decided,
      granted,
      missed: tally.missedLoans.size,
      warned: tally.warnedLoans.size,
      rescheduled: tally.rescheduledLoans.size,
      defaulted: tally.defaultedLoans.size,
      recovered: tally.recoveredLoans.size,
      writtenOff: tally.writtenOffLoans.size,
      timed: tally.toDecision.length,
      // Envelopes are voted by boards about guarantors, not people: never suppressed.
      envelopes: Number.POSITIVE_INFINITY,
      escalated: tally.escalatedLoans.size,
      contacted: tally.contactedLoans.size,
      deadlineDue: tally.dueLoans.size,
      supported: tally.supportedLoans.size,
      refunded: tally.refundedLoans.size,
      guaranteed: tally.guaranteedLoans.size,
      claimed: tally.claimedLoans.size,
      claimPaid: tally.claimPaidLoans.size,
      guarantorRecovered: tally.guarantorRecoveredLoans.size,
      guaranteeLost: tally.lostLoans.size,
      grantedLost: tally.grantedLost,
      exposed: tally.exposed,
      evaluated: tally.evaluations,
    },
    values: {
      applicationsTransmitted: tally.applications,
      loansApproved: tally.approved,
      loansRefused: tally.refused,
      approvalRatePercent: decided ? Math.round((1000 * tally.approved) / decided) / 10 : null,
      loansGranted: granted,
      amountSumCents: sum(tally.amounts),
      amountMeanCents: meanCents(tally.amounts),
      amountMedianCents: medianCents(amounts),
      outstandingCents: tally.outstandingCents,
      missedInstalments: tally.missed,
      loansWithMissedInstalments: tally.missedLoans.size,
      incidentWarnings: tally.warned,
      reschedulings: rescheduled,
      reschedulingsHoliday: tally.rescheduledHoliday,
      reschedulingsTermExtension: tally.rescheduledTermExtension,
      reschedulingsInstalmentRevision: tally.rescheduledInstalmentRevision,
      defaults: tally.defaulted,
      defaultedCents: tally.defaultedCents,
      recoveries: tally.recovered,
      recoveredCents: tally.recoveredCents,
      writeOffs: tally.writtenOff,
      writtenOffCents: tally.writtenOffCents,
      daysToDecisionMedian: median(toDecision),
      daysToDecisionP90: p90(toDecision),
      daysToDisbursementMedian: median(toDisbursement),
      daysToDisbursementP90: p90(toDisbursement),
      daysOpeningToCommissionMedian: median(openingToCommission),
      daysOpeningToCommissionP90: p90(openingToCommission),
      daysCommissionToDecisionMedian: median(commissionToDecision),
      daysCommissionToDecisionP90: p90(commissionToDecision),
      daysOpeningToDisbursementMedian: median(openingToDisbursement),
      daysOpeningToDisbursementP90: p90(openingToDisbursement),
      escalationsOpened: tally.escalations,
      escalationsFromMissedInstalment: tally.fromMissed,
      firstContactDelayDaysMedian: median(delayDays),
      firstContactDelayDaysP90: p90(delayDays),
      firstContactWorkingDaysMedian: median(workingDays),
      firstContactWithinDeadlinePercent: tally.due ? Math.round((1000 * tally.onTime) / tally.due) / 10 : null,
      supportMeasures: supports,
      supportEmergencyAid: tally.supportEmergencyAid,
      supportSocialGrocery: tally.supportSocialGrocery,
      supportReferral: tally.supportReferral,
      supportAidCents: tally.supportCents,
      interestRefunds: tally.refunds,
      interestRefundedCents: tally.refundedCents,
      guaranteesActivated: tally.activated,
      guaranteedCents: tally.activatedCents,
      guaranteeExposureCents: tally.exposureCents,
      guaranteeClaims: tally.called,
      guaranteeClaimCents: tally.calledCents,
      guaranteeClaimsPaidCents: tally.claimsPaidCents,
      guarantorRecoveredCents: tally.guarantorRecoveredCents,
      guaranteeLossCents: tally.lossCents,
      guaranteeLossRatePercent: tally.cohortCoveredCents ? Math.round((10_000 * tally.cohortLostCents) / tally.cohortCoveredCents) / 100 : null,
      evaluationsRecorded: tally.evaluations,
      newProjects: tally.newProjects,
      envelopeCapacityCents: tally.envelopeCapacityCents,
      envelopeHeadroomCents: tally.envelopeHeadroomCents,
    },
  };
}

/**
 * The figures of one set of facts over a period (facts outside it are ignored). `asOf` (a day) says which CCAS
 * deadlines have passed: an escalation with no contact yet counts as missing its deadline once the day is past.
 */
export function figuresOf(facts: FactSet, period: Period, asOf: string = period.to): Figures {
  return figuresOfTally(mergedTally(talliesOf(facts, period, asOf).map((keyed) => keyed.tally)));
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

/** One CCAS's tallies: one per product, and their union (its figures computed once, when first asked). */
export interface TenantTallies {
  readonly tenantId: string;
  readonly byProduct: readonly KeyedTally[];
  readonly whole: Tally;
  figures?: Figures;
}

/** Tallies grouped by CCAS: one per product (repeats merged), and the CCAS's union of them (its loans' sets united). */
export function byTenant(tallies: readonly KeyedTally[]): TenantTallies[] {
  const tenants = new Map<string, Map<string | null, KeyedTally>>();
  for (const keyed of tallies) {
    let products = tenants.get(keyed.tenantId);
    if (!products) tenants.set(keyed.tenantId, (products = new Map()));
    const found = products.get(keyed.product);
    products.set(keyed.product, found ? { ...keyed, tally: mergeTally(mergeTally(emptyTally(), found.tally), keyed.tally) } : keyed);
  }
  return [...tenants.entries()].map(([tenantId, products]) => {
    const byProduct = [...products.values()];
    return { tenantId, byProduct, whole: byProduct.length === 1 ? byProduct[0]!.tally : mergedTally(byProduct.map((keyed) => keyed.tally)) };
  });
}

/**
 * The report of tallies kept per CCAS: one row per group, the total, the amounts' distribution, purposes, a monthly
 * series and the end-of-loan outcomes. Groups of several CCAS are summed without copying their loans.
 */
export function reportOfTenants(tenants: readonly TenantTallies[], period: Period, groupBy: GroupBy, federationOf: (tenantId: string) => string): Report {
  const present = tenants.filter((tenant) => tenant.byProduct.length > 0);
  const groups = new Map<string, Tally[]>();
  const add = (key: string, tally: Tally) => {
    const group = groups.get(key);
    if (group) group.push(tally);
    else groups.set(key, [tally]);
  };
  if (groupBy === 'federation') for (const tenant of present) add(federationOf(tenant.tenantId), tenant.whole);
  // Facts without a product (an envelope, an escalation of an unknown loan) count in the total only when grouped by product.
  if (groupBy === 'product') for (const tenant of present) for (const keyed of tenant.byProduct) if (keyed.product !== null) add(keyed.product, keyed.tally);
  const rows =
    groupBy === 'tenant'
      ? present.map((tenant) => ({ key: tenant.tenantId, figures: (tenant.figures ??= figuresOfTally(tenant.whole)) }))
      : [...groups.entries()].map(([key, tallies]) => ({ key, figures: figuresOfTally(summaryOfDistinct(tallies)) }));
  const wholes = present.map((tenant) => tenant.whole);
  const total = summaryOfDistinct(wholes);
  const purposes = new Map<string, number>();
  const outcomes = new Map<string, number>();
  const months = new Map<string, { granted: number; cents: number; missed: number; warned: number; missedLoans: number; warnedLoans: number }>();
  for (const tally of wholes) {
    for (const [key, n] of tally.purposes) addCount(purposes, key, n);
    for (const [key, n] of tally.outcomes) addCount(outcomes, key, n);
    for (const [month, point] of tally.months) {
      const sum = months.get(month) ?? { granted: 0, cents: 0, missed: 0, warned: 0, missedLoans: 0, warnedLoans: 0 };
      sum.granted += point.granted;
      sum.cents += point.cents;
      sum.missed += point.missed;
      sum.warned += point.warned;
      sum.missedLoans += point.missedLoans.size;
      sum.warnedLoans += point.warnedLoans.size;
      months.set(month, sum);
    }
  }
  return {
    period,
    groupBy,
    rows: rows.sort((a, b) => a.key.localeCompare(b.key)),
    total: figuresOfTally(total),
    amounts: distribution(total.amounts),
    purposes: [...purposes.entries()].map(([key, count]) => ({ key, count })).sort((a, b) => a.key.localeCompare(b.key)),
    series: monthsOf(period).map((month) => {
      const point = months.get(month);
      return {
        month,
        people: { granted: point?.granted ?? 0, missed: point?.missedLoans ?? 0, warned: point?.warnedLoans ?? 0 },
        values: { loansGranted: point?.granted ?? 0, amountSumCents: point?.cents ?? 0, missedInstalments: point?.missed ?? 0, incidentWarnings: point?.warned ?? 0 },
      };
    }),
    outcomes: EVALUATION_DIMENSIONS.map((dimension) => ({ dimension, codes: CODES_OF[dimension].map((code) => ({ code, count: outcomes.get(`${dimension}\u0000${code}`) ?? 0 })) })),
  };
}

/** The report of tallies per CCAS and product (kept, or just computed). */
export function reportOfTallies(tallies: readonly KeyedTally[], period: Period, groupBy: GroupBy, federationOf: (tenantId: string) => string): Report {
  return reportOfTenants(byTenant(tallies), period, groupBy, federationOf);
}

/** The report of a viewer's facts: one row per group, the total, the amounts' distribution, purposes and a monthly series. */
export function reportOf(facts: FactSet, period: Period, groupBy: GroupBy, federationOf: (tenantId: string) => string, asOf: string = period.to): Report {
  return reportOfTallies(talliesOf(facts, period, asOf), period, groupBy, federationOf);
}
