import { annuityInstalment, type Cents } from '@tremplin/finance';
import { assessmentDate, decisionDate, disbursementDate, dueDate, planDemoYear, TARBES_LAVAL_TARGETS, type DemoLoanPlan, type DemoPlan, type DemoTargets, type TenantYearPlan } from './demo-plan';
import { eventually } from './service-harness';

// The demo's driver (`npm run demo`, and the e2e spec that checks the dashboard after it): a year like Tarbes 2016
// and one like Laval 2015, driven through the five services' HTTP APIs only, with tokens of the roles a CCAS, a bank
// and the platform would use. The services' clocks (CLOCK_CONTROL=on) move together, month by month, frozen at
// each step: files assessed and transmitted on the 4th, bank decisions and signatures on the 6th, guarantees and
// disbursements on the 8th, instalments paid on the 28th. The figures the dashboard then shows are computed by
// reporting from events.

export type DemoService = 'intake' | 'lending' | 'guarantee-fund' | 'accompaniment' | 'reporting';
export const DEMO_SERVICES: readonly DemoService[] = ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'];

export interface DemoReply {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface DemoPrincipal {
  readonly role: string;
  readonly userId: string;
  readonly organisationId: string;
  readonly organisationKind: string;
  readonly tenants: readonly string[];
}

/** What the driver needs of a platform: HTTP calls to a service, and tokens (a RunningPlatform fits). */
export interface DemoPlatform {
  call(service: DemoService, method: 'GET' | 'POST' | 'PUT', path: string, options?: { token?: string; body?: unknown; key?: string }): Promise<DemoReply>;
  token(principal: DemoPrincipal): Promise<string>;
}

export interface DemoProgress {
  readonly phase: string;
  /** Business day the services' clocks show. */
  readonly day: string;
  readonly done: number;
  readonly total: number;
}

export interface DemoOptions {
  /** The calendar year the demo's "2016-like" year runs over: the next one by default (clocks only move forward). */
  readonly year?: number;
  readonly targets?: DemoTargets;
  /** Requests in flight at once (order does not matter within one step). */
  readonly concurrency?: number;
  readonly onProgress?: (progress: DemoProgress) => void;
  /** A run id in every idempotency key and application id, so two demos on one platform never collide. */
  readonly runId?: string;
}

export interface TenantOutcome {
  readonly tenantId: string;
  readonly filesTransmitted: number;
  readonly loansDisbursed: number;
  readonly amountMeanCents: Cents;
  readonly missedInstalments: number;
  readonly defaults: number;
  readonly loansRepaid: number;
}

export interface DemoResult {
  readonly year: number;
  readonly plan: DemoPlan;
  readonly tarbes: TenantOutcome;
  readonly laval: TenantOutcome;
  /** Interest the refunded loans paid, as lending's schedules record it (sum of interestPaid). */
  readonly refundedLoansInterestPaidCents: Cents;
  /** What accompaniment paid back on them (refunds proposed, approved by another person, paid). */
  readonly interestRefundedCents: Cents;
  readonly refundedLoanIds: readonly string[];
  /** Reporting's figures of the year for each tenant, as a CCAS director sees them. */
  readonly figures: Record<'ccas-tarbes' | 'ccas-laval', Record<string, number | null>>;
  /** A director's token per tenant, to open the dashboard. */
  readonly dashboardTokens: Record<'ccas-tarbes' | 'ccas-laval', string>;
}

interface Tokens {
  readonly socialWorker: string;
  readonly commission: string;
  readonly director: string;
  readonly advisor: string;
}

interface Signed {
  readonly tenantId: string;
  readonly appId: string;
  readonly loanId: string;
  readonly loan: DemoLoanPlan;
}

interface LiveLoan {
  readonly tenantId: string;
  readonly loanId: string;
  readonly personId: string;
  readonly plan: DemoLoanPlan;
  readonly lines: ReadonlyArray<{ number: number; dueDate: string; instalment: number }>;
  defaulted: boolean;
}

const USURY_CAPS = { upTo3000: 2356, from3000To6000: 1587, over6000: 867 };

/**
 * USURY_CAP_TABLES for lending covering the quarters from `from` to the end of `untilYear` (the caps of 2026-Q1,
 * illustrative: a real deployment takes each quarter's Banque de France notice).
 */
export function demoUsuryCapTables(from: Date, untilYear: number): string {
  const quarters: Array<{ effectiveFrom: string; effectiveUntil: string; caps: typeof USURY_CAPS }> = [];
  let year = from.getUTCFullYear();
  let quarter = Math.floor(from.getUTCMonth() / 3);
  while (year <= untilYear) {
    const first = new Date(Date.UTC(year, quarter * 3, 1));
    const last = new Date(Date.UTC(year, quarter * 3 + 3, 0));
    quarters.push({ effectiveFrom: first.toISOString().slice(0, 10), effectiveUntil: last.toISOString().slice(0, 10), caps: USURY_CAPS });
    quarter += 1;
    if (quarter === 4) [year, quarter] = [year + 1, 0];
  }
  return JSON.stringify(quarters);
}

/** Runs `work` over `items` with at most `limit` in flight. */
async function inPool<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A valid French IBAN (mod-97 check digits) for the demo's n-th refund: a made-up bank account. */
export function frenchIban(n: number): string {
  const bban = `30006000${String(10_000_000_000_000 + n * 7_919).slice(-13)}${String(10 + (n % 89)).padStart(2, '0')}`;
  // Letters count as two digits (A = 10 … Z = 35): F = 15, R = 27.
  const check = 98 - Number(BigInt(`${bban}152700`) % 97n);
  return `FR${String(check).padStart(2, '0')}${bban}`.replace(/(.{4})/g, '$1 ').trim();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(`demo: ${what}`, probe, 120_000);

/** How a driver calls a service: the reply as it is, or (ok) its body, throwing on anything but 2xx. */
export type DemoCall = (service: DemoService, method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown, key?: string) => Promise<DemoReply>;
export type DemoOk = (service: DemoService, method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown, key?: string) => Promise<Record<string, unknown>>;

/** One file to build in intake: its tenant, its index (varies the person and the figures), the loan asked for (none: figures from the index). */
export interface DemoFile {
  readonly tenantId: string;
  readonly file: number;
  readonly loan: Pick<DemoLoanPlan, 'amountCents' | 'termMonths' | 'nominalRateBps' | 'product'> | null;
  /** Day of the appointments (the services' clocks show it). */
  readonly day: string;
  /** Prefix of every idempotency key of the file. */
  readonly key: string;
}

/**
 * One file, from the person's registration to its transmission to the bank, through intake's API: the social worker
 * registers the person, opens the file, holds two appointments, records the budget and needs, checks eligibility
 * against the product version lending published (waits for it to reach intake) and submits; a commission member
 * (another person) approves; the social worker transmits it to the bank.
 */
export async function transmitDemoFile(ok: DemoOk, call: DemoCall, t: { readonly socialWorker: string; readonly commission: string }, request: DemoFile): Promise<{ applicationId: string; beneficiaryId: string }> {
  const { file, loan, day } = request;
  const base = `/tenants/${request.tenantId}`;
  const key = (step: string) => `${request.key}-${step}`;
  const restructuring = loan?.product === 'restructuring';
  const amountCents = loan?.amountCents ?? 80_000 + ((file * 37_500) % 220_000);
  const termMonths = loan?.termMonths ?? 12 + ((file * 6) % 25);
  const household = { personsAged14OrMore: 1 + (file % 2), childrenUnder14: file % 3 };
  const person = (await ok('intake', 'POST', `${base}/beneficiaries`, t.socialWorker, {
    identity: { firstName: 'Demo', lastName: `Personne ${file + 1}`, birthDate: `19${70 + (file % 25)}-0${1 + (file % 9)}-1${file % 9}` },
    contact: { phone: `+33 5 62 00 ${String(10 + (file % 90)).padStart(2, '0')} ${String(10 + ((file * 7) % 90)).padStart(2, '0')}` },
    situation: { employment: file % 4 === 0 ? 'jobSeeker' : 'employed', housing: 'tenant', incomeSources: ['salary'] },
    household,
  }, key('person'))).beneficiaryId as string;
  const appId = (await ok('intake', 'POST', `${base}/applications`, t.socialWorker, {
    beneficiaryId: person,
    product: restructuring ? 'restructuring' : 'classic',
    purposeCategory: restructuring ? 'debtRestructuring' : (['mobility', 'housing', 'employmentTraining', 'healthEquipment', 'other'] as const)[file % 5],
    project: { description: restructuring ? 'regrouper deux dettes et un découvert' : 'un projet d’insertion' },
    requestedAmountCents: amountCents,
    requestedTermMonths: termMonths,
    ...(restructuring ? { restructuring: { debts: [{ creditor: 'Organisme de crédit', amountCents: amountCents - 60_000 }], overdraftCents: 60_000 } } : {}),
  }, key('open'))).applicationId as string;
  for (const [n, topics] of [['situation', 'bankStatements'], ['budget', 'project']].entries()) {
    await ok('intake', 'POST', `${base}/applications/${appId}/appointments`, t.socialWorker, { heldOn: day, durationMinutes: 60 + 30 * n, topics }, key(`appointment-${n}`));
  }
  await ok('intake', 'POST', `${base}/applications/${appId}/budget`, t.socialWorker, {
    household,
    incomes: [{ kind: 'salary', amountCents: 145_000 + (file % 5) * 10_000 }],
    charges: [{ kind: 'rent', amountCents: 52_000 }],
    debtsOutstandingCents: restructuring ? amountCents - 60_000 : 0,
    overdraftCents: restructuring ? 60_000 : 0,
    expectedInstalmentCents: annuityInstalment(amountCents, loan?.nominalRateBps ?? 300, termMonths),
  }, key('budget'));
  await ok('intake', 'POST', `${base}/applications/${appId}/needs`, t.socialWorker, restructuring ? { level: 'mandatory', kinds: ['budget'] } : { level: 'checkIns', kinds: ['budget'] }, key('needs'));
  await until(`the product catalogue in intake (${request.tenantId})`, async () => ((await call('intake', 'POST', `${base}/applications/${appId}/eligibility-check`, t.socialWorker, {}, key(`eligibility-${Date.now()}`))).status === 200 ? true : undefined));
  await ok('intake', 'POST', `${base}/applications/${appId}/submit`, t.socialWorker, {}, key('submit'));
  await ok('intake', 'POST', `${base}/applications/${appId}/commission-decision`, t.commission, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }, key('commission'));
  await ok('intake', 'POST', `${base}/applications/${appId}/transmit`, t.socialWorker, { bankPartnerId: 'bank-parcours' }, key('transmit'));
  return { applicationId: appId, beneficiaryId: person };
}

export async function runDemo(platform: DemoPlatform, options: DemoOptions = {}): Promise<DemoResult> {
  const year = options.year ?? new Date().getUTCFullYear() + 1;
  const targets = options.targets ?? TARBES_LAVAL_TARGETS;
  const plan = planDemoYear(year, targets);
  const concurrency = options.concurrency ?? 6;
  const runId = options.runId ?? `d${year}`;
  const report = options.onProgress ?? (() => undefined);
  let clockDay = '';
  let done = 0;
  // Every request counts for the progress bar; the total is an estimate fixed by the plan.
  const total = estimatedRequests(plan);
  const progress = (phase: string) => report({ phase, day: clockDay, done, total });

  async function call(service: DemoService, method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown, key?: string): Promise<DemoReply> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        const reply = await platform.call(service, method, path, { token, ...(body !== undefined ? { body } : {}), ...(key ? { key } : {}) });
        // A busy machine may answer 5xx once: a POST carries its idempotency key, so a retry is safe.
        if (reply.status >= 500 && attempt < 4 && (method !== 'POST' || key)) {
          await sleep(500 * attempt);
          continue;
        }
        done += 1;
        return reply;
      } catch (error) {
        if (attempt >= 4 || (method === 'POST' && !key)) throw error;
        await sleep(500 * attempt);
      }
    }
  }
  async function ok(service: DemoService, method: 'GET' | 'POST' | 'PUT', path: string, token: string, body?: unknown, key?: string): Promise<Record<string, unknown>> {
    const reply = await call(service, method, path, token, body, key);
    if (reply.status >= 300) throw new Error(`demo: ${method} ${service} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  const admin = await platform.token({ role: 'platformAdmin', userId: 'demo-ops', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
  const tokensOf = async (tenantId: string, city: string): Promise<Tokens> => {
    const ccas = { organisationId: `${tenantId}-org`, organisationKind: 'ccas', tenants: [tenantId] };
    return {
      socialWorker: await platform.token({ role: 'socialWorker', userId: `sw-${city}`, ...ccas }),
      commission: await platform.token({ role: 'commissionMember', userId: `com-${city}`, ...ccas }),
      director: await platform.token({ role: 'ccasDirector', userId: `dir-${city}`, ...ccas }),
      advisor: await platform.token({ role: 'bankAdvisor', userId: `bank-${city}`, organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [tenantId] }),
    };
  };
  const tokens: Record<string, Tokens> = { 'ccas-tarbes': await tokensOf('ccas-tarbes', 'tarbes'), 'ccas-laval': await tokensOf('ccas-laval', 'laval') };

  /** Every service's clock to the same instant, frozen: nothing is in flight while it moves. */
  async function at(day: string): Promise<void> {
    clockDay = day;
    await Promise.all(DEMO_SERVICES.map((service) => ok(service, 'PUT', '/platform/clock', admin, { now: `${day}T09:00:00.000Z`, mode: 'frozen' })));
    progress('clock');
  }

  // January 2nd: the CCAS directors publish their products in lending and record the guarantees in the fund.
  await at(`${year}-01-02`);
  progress('configuring products and guarantees');
  const classicTerms = { minAmountCents: 30_000, maxAmountCents: 300_000, exceptionMaxAmountCents: 500_000, minTermMonths: 6, maxTermMonths: 36, exceptionMaxTermMonths: 48, maxNominalRateBps: 400, guarantorKind: 'fcs', guaranteedShareBps: 5_000, accompaniment: 'offered', holidayInterest: 'none' };
  const restructuringTerms = { minAmountCents: 10_000, maxAmountCents: 230_000, minTermMonths: 6, maxTermMonths: 36, maxNominalRateBps: 400, guarantorKind: 'ccas', guaranteedShareBps: 5_000, accompaniment: 'mandatory', holidayInterest: 'none' };
  for (const tenantId of ['ccas-tarbes', 'ccas-laval']) {
    const { director } = tokens[tenantId]!;
    await ok('lending', 'POST', `/tenants/${tenantId}/products/classic/versions`, director, { terms: classicTerms, decisionReference: `CA-${year}-01-02-1` }, `${runId}-product-classic-${tenantId}`);
    await ok('guarantee-fund', 'POST', `/tenants/${tenantId}/coverage/classic/versions`, director, { guarantorId: 'fcs', guarantorKind: 'fcs', managerId: 'cdc', shareBps: 5_000, effectiveFrom: `${year}-01-01`, decisionReference: `CONV-FCS-${year}` }, `${runId}-coverage-classic-${tenantId}`);
  }
  // Laval consolidates debts: a restructuring product guaranteed by the CCAS itself, from an envelope its board voted.
  const laval = tokens['ccas-laval']!;
  await ok('lending', 'POST', '/tenants/ccas-laval/products/restructuring/versions', laval.director, { terms: restructuringTerms, decisionReference: `CA-${year}-01-02-2` }, `${runId}-product-restructuring`);
  await ok('guarantee-fund', 'POST', '/tenants/ccas-laval/coverage/restructuring/versions', laval.director, { guarantorId: 'ccas-laval', guarantorKind: 'ccas', managerId: 'ccas-laval', shareBps: 5_000, effectiveFrom: `${year}-01-01`, decisionReference: `CA-${year - 1}-12-10-4` }, `${runId}-coverage-restructuring`);
  await ok('guarantee-fund', 'POST', '/tenants/ccas-laval/envelopes/ccas-laval/capacity-votes', laval.director, { capacityCents: 500_000, decisionDate: `${year}-01-02`, decisionReference: `CA-${year}-01-02-3` }, `${runId}-envelope-laval`);
  // Interest refunds: Tarbes refunds every completed loan, Laval only those never late.
  await ok('accompaniment', 'POST', '/tenants/ccas-tarbes/refund-policy/versions', tokens['ccas-tarbes']!.director, { rule: 'everyCompletedLoan', effectiveFrom: '2009-01-01', decisionReference: 'CA-2009-01' }, `${runId}-refund-policy-tarbes`);
  await ok('accompaniment', 'POST', '/tenants/ccas-laval/refund-policy/versions', laval.director, { rule: 'noLateInstalment', effectiveFrom: '2010-01-01', decisionReference: 'CA-2010-01' }, `${runId}-refund-policy-laval`);

  const live: LiveLoan[] = [];
  const fileKey = (tenant: TenantYearPlan, file: number) => `${runId}-${tenant.tenantId.slice(5)}-${String(file + 1).padStart(3, '0')}`;

  const personOf = new Map<string, string>();

  // One file, from the person's registration to its transmission to the bank.
  async function assess(tenant: TenantYearPlan, file: number, loan: DemoLoanPlan | null, day: string): Promise<string> {
    const { applicationId, beneficiaryId } = await transmitDemoFile(ok, call, tokens[tenant.tenantId]!, { tenantId: tenant.tenantId, file, loan, day, key: fileKey(tenant, file) });
    personOf.set(applicationId, beneficiaryId);
    return applicationId;
  }

  const REFUSALS = [
    { reasonCode: 'INSUFFICIENT_REPAYMENT_CAPACITY', reasonCategory: 'repaymentCapacity' },
    { reasonCode: 'BANK_POLICY_EXCLUSION', reasonCategory: 'bankPolicy' },
    { reasonCode: 'FILE_INCOMPLETE', reasonCategory: 'incompleteFile' },
    { reasonCode: 'BORROWER_WITHDREW', reasonCategory: 'withdrawn' },
  ];

  // The bank's side of a month: every transmitted file decided; a granted one offered and signed (disbursed later).
  async function decide(tenant: TenantYearPlan, month: number, applications: ReadonlyArray<{ file: number; appId: string; loan: DemoLoanPlan | null }>): Promise<Signed[]> {
    const t = tokens[tenant.tenantId]!;
    const loansPath = `/tenants/${tenant.tenantId}/loans`;
    const wanted = new Set(applications.map((a) => a.appId));
    const rows = await until(`${tenant.tenantId}'s files of ${year}-${month} in lending`, async () => {
      const listed = ((await ok('lending', 'GET', loansPath, t.advisor)).loans ?? []) as Array<{ loanId: string; applicationId: string }>;
      const found = listed.filter((row) => wanted.has(row.applicationId));
      return found.length === wanted.size ? found : undefined;
    });
    const loanIdOf = new Map(rows.map((row) => [row.applicationId, row.loanId]));
    const signed: Signed[] = [];
    await inPool(applications, concurrency, async ({ file, appId, loan }) => {
      const loanId = loanIdOf.get(appId)!;
      const key = (step: string) => `${appId}-${step}`;
      if (!loan) {
        await ok('lending', 'POST', `${loansPath}/${loanId}/refuse`, t.advisor, REFUSALS[file % REFUSALS.length], key('refuse'));
        return;
      }
      await ok('lending', 'POST', `${loansPath}/${loanId}/approve`, t.advisor, { amountCents: loan.amountCents, termMonths: loan.termMonths, nominalRateBps: loan.nominalRateBps, feesCents: 0 }, key('approve'));
      await ok('lending', 'POST', `${loansPath}/${loanId}/offer`, t.advisor, { firstDueDate: dueDate(year, month) }, key('offer'));
      await ok('lending', 'POST', `${loansPath}/${loanId}/sign`, t.advisor, { socialWorkerPresent: true, socialWorkerId: `sw-${tenant.tenantId.slice(5)}` }, key('sign'));
      signed.push({ tenantId: tenant.tenantId, appId, loanId, loan });
    });
    return signed;
  }

  // Two days later: once the fund granted the guarantee (it answers the signature over Kafka), the funds are paid out.
  async function disburse(signed: readonly Signed[]): Promise<void> {
    await inPool(signed, concurrency, async ({ tenantId, appId, loanId, loan }) => {
      const t = tokens[tenantId]!;
      const loansPath = `/tenants/${tenantId}/loans`;
      const key = (step: string) => `${appId}-${step}`;
      await until(`the guarantee of ${appId}`, async () => ((await ok('lending', 'GET', `${loansPath}/${loanId}/guarantee`, t.advisor)).disbursable === true ? true : undefined));
      await ok('lending', 'POST', `${loansPath}/${loanId}/disburse`, t.advisor, {}, key('disburse'));
      const schedule = await ok('lending', 'GET', `${loansPath}/${loanId}/schedule`, t.advisor);
      live.push({ tenantId, loanId, personId: personOf.get(appId)!, plan: loan, lines: schedule.lines as LiveLoan['lines'], defaulted: false });
    });
  }

  // The bank's side of a due date: what each loan owes that day is paid, except the instalments the plan misses.
  async function collect(day: string): Promise<void> {
    await inPool(live, concurrency, async (loan) => {
      if (loan.defaulted) return;
      const t = tokens[loan.tenantId]!;
      const due = loan.lines.find((line) => line.dueDate === day);
      if (!due) return;
      if (loan.plan.unpaidFrom !== undefined && due.number >= loan.plan.unpaidFrom) return;
      if (loan.plan.missedInstalment === due.number) return;
      // The missed instalment is paid with the next one.
      const catchUp = loan.plan.missedInstalment === due.number - 1 ? loan.lines.find((line) => line.number === due.number - 1)!.instalment : 0;
      await ok('lending', 'POST', `/tenants/${loan.tenantId}/loans/${loan.loanId}/payments`, t.advisor, { amountCents: due.instalment + catchUp, paidOn: day }, `${loan.loanId}-pay-${due.number}`);
    });
  }

  // The bank records, the day it notices (the 4th), instalments that fell due unpaid the month before; the unpaid
  // restructuring loan is called in three months after its first miss.
  async function recordMisses(day: string, previousDue: string): Promise<void> {
    for (const loan of live) {
      const t = tokens[loan.tenantId]!;
      const path = `/tenants/${loan.tenantId}/loans/${loan.loanId}`;
      if (loan.defaulted) continue;
      const due = loan.lines.find((line) => line.dueDate === previousDue);
      if (due && (loan.plan.missedInstalment === due.number || (loan.plan.unpaidFrom !== undefined && due.number >= loan.plan.unpaidFrom))) {
        await ok('lending', 'POST', `${path}/missed-instalments`, t.advisor, { instalmentNumber: due.number }, `${loan.loanId}-missed-${due.number}`);
        await ok('lending', 'POST', `${path}/contacts`, t.advisor, { channel: 'phone', outcome: loan.plan.unpaidFrom !== undefined ? 'noAnswer' : 'promiseToPay' }, `${loan.loanId}-contact-${due.number}`);
      }
      if (loan.plan.unpaidFrom !== undefined) {
        const firstMiss = loan.lines.find((line) => line.number === loan.plan.unpaidFrom)!;
        const callIn = new Date(`${firstMiss.dueDate}T00:00:00.000Z`);
        callIn.setUTCMonth(callIn.getUTCMonth() + 3);
        if (day >= assessmentDate(callIn.getUTCFullYear(), callIn.getUTCMonth() + 1)) {
          await ok('lending', 'POST', `${path}/default`, t.advisor, {}, `${loan.loanId}-default`);
          loan.defaulted = true;
        }
      }
    }
  }

  for (let month = 1; month <= 12; month += 1) {
    const day = assessmentDate(year, month);
    await at(day);
    if (month > 1) await recordMisses(day, dueDate(year, month - 1));
    progress(`month ${month}: files assessed`);
    const assessed = await Promise.all(
      [plan.tarbes, plan.laval].map(async (tenant) => ({
        tenant,
        applications: await inPool(
          tenant.files.filter((f) => f.month === month),
          concurrency,
          async (f) => ({ file: f.file, loan: f.loan, appId: await assess(tenant, f.file, f.loan, day) }),
        ),
      })),
    );
    await at(decisionDate(year, month));
    progress(`month ${month}: bank decisions`);
    const signed = await Promise.all(assessed.map(({ tenant, applications }) => (applications.length ? decide(tenant, month, applications) : Promise.resolve([]))));
    await at(disbursementDate(year, month));
    progress(`month ${month}: disbursements`);
    await disburse(signed.flat());
    await at(dueDate(year, month));
    progress(`month ${month}: instalments`);
    await collect(dueDate(year, month));
  }
  await at(`${year}-12-31`);

  // What lending says of the refunded loans: repaid, and the interest their payments settled.
  const refunded = live.filter((loan) => loan.plan.refunded);
  let refundedInterest = 0;
  for (const loan of refunded) {
    const t = tokens[loan.tenantId]!;
    const state = await ok('lending', 'GET', `/tenants/${loan.tenantId}/loans/${loan.loanId}`, t.advisor);
    if (state.status !== 'repaid') throw new Error(`demo: refunded loan ${loan.loanId} is ${String(state.status)}, not repaid`);
    const lines = (await ok('lending', 'GET', `/tenants/${loan.tenantId}/loans/${loan.loanId}/schedule`, t.advisor)).lines as Array<{ interestPaid: number }>;
    refundedInterest += lines.reduce((sum, line) => sum + line.interestPaid, 0);
  }
  if (refundedInterest !== plan.refundedInterestCents) throw new Error(`demo: the refunded loans paid ${refundedInterest} cents of interest, the plan computed ${plan.refundedInterestCents}`);

  // The CCAS refunds that interest: accompaniment owes it once lending reports the loan repaid; the referent
  // records the bank details and proposes, a commission member approves, the CCAS pays.
  progress('interest refunds');
  let refundedCents = 0;
  await inPool(refunded, concurrency, async (loan, index) => {
    const t = tokens[loan.tenantId]!;
    const path = `/tenants/${loan.tenantId}/refunds/${loan.loanId}`;
    const owed = await until(`the refund owed on ${loan.loanId}`, async () => {
      const reply = await call('accompaniment', 'GET', path, t.socialWorker);
      return reply.status === 200 && reply.body.status === 'owed' ? reply.body : undefined;
    });
    await ok('accompaniment', 'POST', `${path}/bank-details`, t.socialWorker, { personId: loan.personId, iban: frenchIban(index + 1), holder: `Personne ${index + 1}` }, `${loan.loanId}-refund-bank`);
    await ok('accompaniment', 'POST', `${path}/proposal`, t.socialWorker, {}, `${loan.loanId}-refund-proposal`);
    await ok('accompaniment', 'POST', `${path}/approval`, t.commission, { decisionReference: `COM-${year}-12-${index + 1}` }, `${loan.loanId}-refund-approval`);
    const paid = await ok('accompaniment', 'POST', `${path}/payment`, t.socialWorker, { paidOn: `${year}-12-31`, paymentReference: `VIR-${year}-${index + 1}` }, `${loan.loanId}-refund-payment`);
    if (paid.amountCents !== owed.amountCents) throw new Error(`demo: refund of ${loan.loanId} paid ${String(paid.amountCents)}, owed ${String(owed.amountCents)}`);
    refundedCents += Number(paid.amountCents);
  });

  // Reporting folds the year from the events: wait until it has them all, then read what the dashboard shows.
  progress('waiting for reporting');
  const outcomeOf = (tenant: TenantYearPlan): TenantOutcome => {
    const loans = live.filter((loan) => loan.tenantId === tenant.tenantId);
    return {
      tenantId: tenant.tenantId,
      filesTransmitted: tenant.files.length,
      loansDisbursed: loans.length,
      amountMeanCents: Math.round(loans.reduce((sum, loan) => sum + loan.plan.amountCents, 0) / loans.length),
      missedInstalments: loans.filter((loan) => loan.plan.missedInstalment !== undefined).length,
      defaults: loans.filter((loan) => loan.defaulted).length,
      loansRepaid: loans.filter((loan) => loan.plan.refunded).length,
    };
  };
  const figuresOf = async (tenantId: 'ccas-tarbes' | 'ccas-laval', expected: TenantOutcome, refunds: number) =>
    until(`reporting's figures for ${tenantId}`, async () => {
      const reply = await call('reporting', 'GET', `/reporting/figures?period=${year}&groupBy=none&tenantId=${tenantId}`, tokens[tenantId]!.director);
      const values = (reply.body.total as { values?: Record<string, number | null> } | undefined)?.values;
      const complete = values && values.applicationsTransmitted === expected.filesTransmitted && values.loansGranted === expected.loansDisbursed && (values.defaults ?? 0) >= expected.defaults;
      // Refund and guarantee figures come from accompaniment's and the fund's contracts, folded as they arrive.
      const atLeast = (measure: string, count: number) => !values || !(measure in values) || (values[measure] ?? 0) >= count;
      const others = atLeast('interestRefunds', refunds) && atLeast('guaranteesActivated', expected.loansDisbursed) && atLeast('guaranteeClaims', expected.defaults);
      return complete && others ? values : undefined;
    });
  const tarbes = outcomeOf(plan.tarbes);
  const lavalOutcome = outcomeOf(plan.laval);
  const figures = { 'ccas-tarbes': await figuresOf('ccas-tarbes', tarbes, refunded.length), 'ccas-laval': await figuresOf('ccas-laval', lavalOutcome, 0) };
  progress('done');
  return {
    year,
    plan,
    tarbes,
    laval: lavalOutcome,
    refundedLoansInterestPaidCents: refundedInterest,
    interestRefundedCents: refundedCents,
    refundedLoanIds: refunded.map((loan) => loan.loanId),
    figures,
    dashboardTokens: { 'ccas-tarbes': tokens['ccas-tarbes']!.director, 'ccas-laval': laval.director },
  };
}

/** About how many requests the year takes (for the progress bar only). */
function estimatedRequests(plan: DemoPlan): number {
  const files = plan.tarbes.files.length + plan.laval.files.length;
  const loans = [...plan.tarbes.files, ...plan.laval.files].filter((f) => f.loan);
  const instalments = loans.reduce((sum, f) => sum + Math.min(f.loan!.termMonths, 13 - f.month), 0);
  return 30 * 5 + 10 + files * 12 + loans.length * 6 + instalments + 20;
}
