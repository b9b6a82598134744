import { annuitySchedule, type Cents } from '@tremplin/finance';

// The demo's year, planned before anything is sent: which files become loans, their amounts, rates and terms,
// the loan that misses an instalment, the loans whose interest is refunded. Figures the year must show (a
// 1,825 € average, 301.60 € of interest refunded) are reached by computing the free parameters with libs/finance,
// never by writing the result down: the services compute the schedules again and the driver checks they agree.

export interface DemoLoanPlan {
  /** Index of the file in its tenant's year (0-based). */
  readonly file: number;
  readonly amountCents: Cents;
  readonly termMonths: number;
  readonly nominalRateBps: number;
  readonly product: 'classic' | 'restructuring';
  /** Paid on every due date of the year and repaid within it: its interest goes to the refund. */
  readonly refunded?: boolean;
  /** This instalment is missed (recorded the next month) and paid with the following one. */
  readonly missedInstalment?: number;
  /** Unpaid from this instalment on; the loan is called in (default) three months later. */
  readonly unpaidFrom?: number;
}

export interface DemoFilePlan {
  readonly file: number;
  /** Month of the year (1-12) the file is assessed, transmitted and decided. */
  readonly month: number;
  readonly loan: DemoLoanPlan | null;
}

export interface TenantYearPlan {
  readonly tenantId: string;
  readonly files: readonly DemoFilePlan[];
}

export interface DemoPlan {
  readonly year: number;
  readonly tarbes: TenantYearPlan;
  readonly laval: TenantYearPlan;
  /** The interest the refunded loans' schedules charge, as libs/finance computes it (the target of the refunds). */
  readonly refundedInterestCents: Cents;
}

export interface DemoTargets {
  readonly tarbesFiles: number;
  readonly tarbesLoans: number;
  readonly tarbesMeanCents: Cents;
  readonly refunds: number;
  readonly refundedInterestCents: Cents;
  readonly lavalFiles: number;
  readonly lavalLoans: number;
}

/** Tarbes 2016 and Laval 2015 as the issue states them. */
export const TARBES_LAVAL_TARGETS: DemoTargets = {
  tarbesFiles: 92,
  tarbesLoans: 30,
  tarbesMeanCents: 182_500,
  refunds: 5,
  refundedInterestCents: 30_160,
  lavalFiles: 70,
  lavalLoans: 24,
};

/**
 * Every month of the demo: files assessed and transmitted on the 4th, decided by the bank (and offers signed) on the
 * 6th, loans disbursed on the 8th; every loan falls due on the 28th, from the month it is disbursed.
 */
export const ASSESSMENT_DAY = '04';
export const DECISION_DAY = '06';
export const DISBURSEMENT_DAY = '08';
export const DUE_DAY = '28';
const pad = (n: number) => String(n).padStart(2, '0');
export const assessmentDate = (year: number, month: number) => `${year}-${pad(month)}-${ASSESSMENT_DAY}`;
export const decisionDate = (year: number, month: number) => `${year}-${pad(month)}-${DECISION_DAY}`;
export const disbursementDate = (year: number, month: number) => `${year}-${pad(month)}-${DISBURSEMENT_DAY}`;
export const dueDate = (year: number, month: number) => `${year}-${pad(month)}-${DUE_DAY}`;

/** The interest a loan's schedule charges when disbursed on the disbursement day of `month`, first due on its due day. */
export function scheduledInterest(year: number, month: number, loan: Pick<DemoLoanPlan, 'amountCents' | 'termMonths' | 'nominalRateBps'>): Cents {
  return annuitySchedule({ amount: loan.amountCents, annualRateBasisPoints: loan.nominalRateBps, termMonths: loan.termMonths, firstDueDate: dueDate(year, month), disbursementDate: disbursementDate(year, month) }).totalInterest;
}

const CLASSIC_MIN = 30_000;
const CLASSIC_MAX = 300_000;
// Amounts of the ordinary loans (before the one that balances the mean): between 1,000 € and 2,500 €.
const ORDINARY_AMOUNTS = [120_000, 150_000, 150_000, 200_000, 175_000, 100_000, 250_000, 135_000, 160_000, 140_000, 220_000, 110_000];
const ORDINARY_TERMS = [24, 18, 15, 30, 24, 20, 36, 24, 18, 15, 30, 24];
const ORDINARY_RATES = [300, 350, 250, 400, 300, 200, 400, 350, 300, 250, 400, 300];

/**
 * The refunded loans are 12-month loans disbursed in January: the first four have set amounts and rates, the
 * fifth's amount is searched cent by cent so that the five schedules' interest sums exactly to the target.
 */
function refundedLoans(year: number, target: Cents, count: number): Array<Pick<DemoLoanPlan, 'amountCents' | 'termMonths' | 'nominalRateBps'>> {
  const fixed = [
    { amountCents: 300_000, termMonths: 12, nominalRateBps: 400 },
    { amountCents: 298_000, termMonths: 12, nominalRateBps: 400 },
    { amountCents: 295_000, termMonths: 12, nominalRateBps: 400 },
    { amountCents: 292_000, termMonths: 12, nominalRateBps: 400 },
  ].slice(0, count - 1);
  const remainder = target - fixed.reduce((total, loan) => total + scheduledInterest(year, 1, loan), 0);
  for (const nominalRateBps of [400, 390, 380, 370, 360, 350]) {
    // Interest grows with the amount: bisect to where it reaches the remainder, then look at the cents around it
    // (rounding each month may make it step by 0 or 2 cents at once).
    const interestOf = (amountCents: number) => scheduledInterest(year, 1, { amountCents, termMonths: 12, nominalRateBps });
    let [low, high] = [CLASSIC_MIN, CLASSIC_MAX];
    if (interestOf(high) < remainder) continue;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if (interestOf(middle) < remainder) low = middle;
      else high = middle;
    }
    for (let amountCents = Math.max(CLASSIC_MIN, high - 100); amountCents <= Math.min(CLASSIC_MAX, high + 100); amountCents += 1) {
      if (interestOf(amountCents) === remainder) return [...fixed, { amountCents, termMonths: 12, nominalRateBps }];
    }
  }
  throw new Error(`no 12-month classic loan charges exactly ${remainder} cents of interest in ${year}`);
}

/** A year's plan: a fixed shape, with the amounts that carry the targets computed. */
export function planDemoYear(year: number, targets: DemoTargets = TARBES_LAVAL_TARGETS): DemoPlan {
  if (targets.refunds < 1 || targets.refunds > 5) throw new Error('the plan refunds between 1 and 5 loans');
  if (targets.tarbesLoans < targets.refunds + 3) throw new Error('Tarbes needs more loans than refunds plus three');
  // Tarbes: the first files in January (the refunded loans are all among them), the rest from February to October.
  const januaryFiles = targets.refunds + 3;
  const tarbesMonth = (file: number) => (file < januaryFiles ? 1 : 2 + Math.floor(((file - januaryFiles) * 9) / Math.max(1, targets.tarbesFiles - januaryFiles)));
  const refunded = refundedLoans(year, targets.refundedInterestCents, targets.refunds);
  const ordinaryCount = targets.tarbesLoans - targets.refunds;
  // Ordinary loans: every file of January after the refunded ones, then files spread over the year.
  const laterFiles = targets.tarbesFiles - januaryFiles;
  const laterLoans = ordinaryCount - (januaryFiles - targets.refunds);
  const ordinaryFiles = [
    ...Array.from({ length: januaryFiles - targets.refunds }, (_, i) => targets.refunds + i),
    ...Array.from({ length: laterLoans }, (_, i) => januaryFiles + Math.floor((i * laterFiles) / laterLoans)),
  ];
  const total = targets.tarbesMeanCents * targets.tarbesLoans;
  const ordinary = ordinaryFiles.map((file, i) => ({ file, amountCents: ORDINARY_AMOUNTS[i % ORDINARY_AMOUNTS.length]!, termMonths: ORDINARY_TERMS[i % ORDINARY_TERMS.length]!, nominalRateBps: ORDINARY_RATES[i % ORDINARY_RATES.length]! }));
  // The last ordinary loan balances the mean exactly.
  const balance = total - refunded.reduce((sum, loan) => sum + loan.amountCents, 0) - ordinary.slice(0, -1).reduce((sum, loan) => sum + loan.amountCents, 0);
  if (balance < CLASSIC_MIN || balance > CLASSIC_MAX) throw new Error(`the balancing loan would be ${balance} cents, outside the classic product`);
  ordinary[ordinary.length - 1] = { ...ordinary[ordinary.length - 1]!, amountCents: balance };
  const tarbesLoans = new Map<number, DemoLoanPlan>();
  refunded.forEach((loan, i) => tarbesLoans.set(i, { ...loan, file: i, product: 'classic', refunded: true }));
  // The one payment incident: a loan of February misses its fourth instalment (May) and catches up in June.
  const incident = ordinary.find((loan) => tarbesMonth(loan.file) === 2 && loan.termMonths >= 12) ?? ordinary[ordinary.length - 1]!;
  for (const loan of ordinary) tarbesLoans.set(loan.file, { ...loan, product: 'classic', ...(loan === incident ? { missedInstalment: 4 } : {}) });

  // Laval: files spread from January to October, one in three granted; the second granted loan is a restructuring
  // loan whose second instalment is never paid: called in three months after.
  const lavalMonth = (file: number) => 1 + Math.floor((file * 10) / targets.lavalFiles);
  const lavalGranted = Array.from({ length: targets.lavalLoans }, (_, i) => Math.floor((i * targets.lavalFiles) / targets.lavalLoans));
  const lavalLoans = new Map<number, DemoLoanPlan>(
    lavalGranted.map((file, i) => [
      file,
      i === 1
        ? { file, amountCents: 180_000, termMonths: 18, nominalRateBps: 200, product: 'restructuring' as const, unpaidFrom: 2 }
        : { file, amountCents: ORDINARY_AMOUNTS[(i + 5) % ORDINARY_AMOUNTS.length]!, termMonths: ORDINARY_TERMS[(i + 5) % ORDINARY_TERMS.length]!, nominalRateBps: ORDINARY_RATES[(i + 5) % ORDINARY_RATES.length]!, product: 'classic' as const },
    ]),
  );
  const refundedInterestCents = refunded.reduce((sum, loan) => sum + scheduledInterest(year, 1, loan), 0);
  return {
    year,
    tarbes: { tenantId: 'ccas-tarbes', files: Array.from({ length: targets.tarbesFiles }, (_, file) => ({ file, month: tarbesMonth(file), loan: tarbesLoans.get(file) ?? null })) },
    laval: { tenantId: 'ccas-laval', files: Array.from({ length: targets.lavalFiles }, (_, file) => ({ file, month: lavalMonth(file), loan: lavalLoans.get(file) ?? null })) },
    refundedInterestCents,
  };
}
