import { createHash } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { contractRegistry } from '@tremplin/contracts';
import { DEMO_SERVICES, demoUsuryCapTables, frenchIban, journeyCalendar, kafkaBrokers, transmitDemoFile, type DemoReply, type DemoService, type RunningPlatform } from '@tremplin/testing';

// The five journeys of issue 15 through the five services' HTTP APIs only, with tokens of the roles a CCAS, a bank, a
// guarantor and the platform use; the services' clocks move together (CLOCK_CONTROL=on), frozen at each step:
//   1. Tarbes, classic loan: a file (two appointments, budget, commission by another person), the bank's approval,
//      the FCS guarantee, disbursement, every instalment on time, the interest refunded in full, the evaluation;
//   2. Laval, restructuring loan under the CCAS's envelope: a missed instalment, escalation to a three-party meeting,
//      social grocery and a payment holiday asked from accompaniment and approved in lending by a bank advisor, the
//      missed instalment paid late: repaid, and no refund under Laval's rule;
//   3. Tarbes, a default: the FCS claim is 50 % of the outstanding principal, paid; a recovery shared;
//   4. Tarbes, a bank refusal whose reason reaches the social worker's file;
//   5. cross-tenant and cross-role attempts along the way: 404/403, and no event written anywhere.
// Reporting then counts it all. `between(step)` runs between steps (the fault specs kill and restart processes
// there); every POST carries an idempotency key, and a request that got no answer is retried with it (on the next
// replica), as the API guide tells clients to.

export const JOURNEY_SERVICES = DEMO_SERVICES;
export const TARBES = 'ccas-tarbes';
export const LAVAL = 'ccas-laval';
const TENANTS = [TARBES, LAVAL] as const;

/** The written journey runs from January to August of 2027, moved to the first such months still ahead of the clocks. */
export const journeyDay = journeyCalendar('2027-01-02T00:00:00.000Z').date;

/** The environment every service of a journey platform needs: movable clocks, the guarantee gate, usury caps. */
export function journeyEnv(): Record<string, string> {
  const first = journeyDay('2027-01-01');
  return { CLOCK_CONTROL: 'on', DISBURSEMENT_REQUIRES_GUARANTEE: 'true', USURY_CAP_TABLES: demoUsuryCapTables(new Date(), Number(first.slice(0, 4)) + 1) };
}

export interface JourneyOptions {
  /** Prefix of every idempotency key (one per run of the journeys on a platform). */
  readonly runId: string;
  /** Processes per service: a request without an answer is retried on the next one. */
  readonly replicas?: number;
  /** Runs between two steps of the journeys (faults). */
  /** The platform's Kafka (startPlatformProcesses' kafkaBrokers); the run's shared broker by default. */
  readonly brokers?: readonly string[];
  /** Runs between two steps of the journeys (faults); `now` is the instant the services' clocks show. */
  readonly between?: (step: string, now: string) => Promise<void>;
}

export interface JourneyResult {
  readonly loans: { readonly tarbesClassic: string; readonly lavalRestructuring: string; readonly tarbesDefault: string; readonly tarbesRefused: string };
  readonly refundedCents: number;
  readonly claimCents: number;
  readonly outstandingAtDefault: number;
  readonly guarantorRecoveredCents: number;
  readonly trespasses: number;
  readonly figures: Record<string, Record<string, number | null>>;
}

type Method = 'GET' | 'POST' | 'PUT';
type Line = { number: number; dueDate: string; instalment: number; interest: number; principal: number; interestPaid: number; principalPaid: number };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const halfUp = (numerator: number, denominator: number) => Math.floor((2 * numerator + denominator) / (2 * denominator));

export async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 180_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe().catch(() => undefined);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`journeys: timed out waiting for ${what}`);
    await sleep(150);
  }
}

/** Rows of each service's stores, counted per tenant and event type: what no attempt may change, what no fault may lose or double. */
export async function storeCounts(platform: RunningPlatform): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await eachTenantStore(platform, async (service, tenant, client) => {
    const sql = service === 'reporting' ? 'SELECT name AS type, count(*)::int AS n FROM reporting.consumed_event WHERE tenant_id = $1 GROUP BY name' : 'SELECT type, count(*)::int AS n FROM es.events WHERE tenant_id = $1 GROUP BY type';
    for (const row of (await client.query<{ type: string; n: number }>(sql, [tenant])).rows) counts[`${service}/${tenant}/${row.type}`] = row.n;
  });
  return counts;
}

/** Visits each service's store once per tenant, as its owner with the tenant's row-level scope set. */
async function eachTenantStore(platform: RunningPlatform, visit: (service: DemoService, tenant: string, client: Client) => Promise<void>): Promise<void> {
  for (const service of JOURNEY_SERVICES) {
    const client = new Client({ connectionString: platform.ownerUrl(service) });
    await client.connect();
    try {
      for (const tenant of TENANTS) {
        await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [tenant]);
        await visit(service, tenant, client);
      }
    } finally {
      await client.end();
    }
  }
}

/** Messages written to an outbox and not yet published, over every service. */
async function unsent(platform: RunningPlatform): Promise<number> {
  let total = 0;
  for (const service of JOURNEY_SERVICES) {
    if (service === 'reporting') continue;
    const client = new Client({ connectionString: platform.ownerUrl(service) });
    await client.connect();
    try {
      for (const tenant of TENANTS) {
        await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [tenant]);
        total += (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM messaging.outbox WHERE sent_at IS NULL AND tenant_id = $1', [tenant])).rows[0]!.n;
      }
    } finally {
      await client.end();
    }
  }
  return total;
}

/** Messages on the platform's topics that a service's consumer group has not yet committed (it has begun reading). */
async function consumerLag(platform: RunningPlatform, brokers: readonly string[]): Promise<number> {
  const admin = new Kafka({ clientId: 'journeys-lag', brokers: [...brokers], logLevel: logLevel.NOTHING, retry: { retries: 2 } }).admin();
  try {
    await admin.connect();
    const topics = contractRegistry.topics.map((topic) => `${platform.prefix}${topic.name}`);
    const high = new Map<string, number>();
    for (const topic of topics) for (const partition of await admin.fetchTopicOffsets(topic)) high.set(`${topic}/${partition.partition}`, Number(partition.high));
    let lag = 0;
    for (const service of JOURNEY_SERVICES) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: `${platform.prefix}${service}`, topics })) {
        for (const { partition, offset } of partitions) if (Number(offset) >= 0) lag += (high.get(`${topic}/${partition}`) ?? 0) - Number(offset);
      }
    }
    return lag;
  } catch {
    // The broker is not answering (restarting): something may be in flight.
    return -1;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * Waits until nothing is in flight: every outbox published, every consumer group caught up with the topics, and
 * no store moving for a moment. The clocks move only
 * then (ADR 0008: between steps, not while facts travel), so a consumer that handles a fact late (after a fault, or
 * on a loaded machine) still handles it at the instant of its step.
 */
export async function quiet(platform: RunningPlatform, brokers: readonly string[] = kafkaBrokers()): Promise<void> {
  let previous = '';
  for (let round = 0; round < 600; round += 1) {
    const now = JSON.stringify(await storeCounts(platform));
    if (now === previous && (await unsent(platform)) === 0 && (await consumerLag(platform, brokers)) === 0) return;
    previous = now;
    await sleep(400);
  }
  throw new Error('journeys: the platform never went quiet');
}

/** Waits until no store moves for a second (consumers done with what was published), then answers the counts. */
export async function settledCounts(platform: RunningPlatform): Promise<Record<string, number>> {
  let previous = JSON.stringify(await storeCounts(platform));
  for (let round = 0; round < 120; round += 1) {
    await sleep(1_000);
    const now = await storeCounts(platform);
    if (JSON.stringify(now) === previous) return now;
    previous = JSON.stringify(now);
  }
  throw new Error('journeys: the stores never settled');
}

export async function runJourneys(platform: RunningPlatform, options: JourneyOptions): Promise<JourneyResult> {
  const replicas = options.replicas ?? 1;
  let clock = '';
  const between = async (step: string) => options.between?.(step, clock);
  const day = journeyDay;
  const year = Number(day('2027-01-01').slice(0, 4));
  let rotation = 0;

  async function call(service: DemoService, method: Method, path: string, token: string, body?: unknown, key?: string): Promise<DemoReply> {
    const idempotencyKey = method === 'POST' ? (key ?? `${options.runId}-${createHash('sha256').update(`${service} ${path} ${JSON.stringify(body ?? {})}`).digest('hex').slice(0, 32)}`) : undefined;
    for (let attempt = 1; ; attempt += 1) {
      const replica = (rotation + attempt - 1) % replicas;
      try {
        const reply = await platform.call(service, method, path, { token, ...(body !== undefined ? { body } : {}), ...(idempotencyKey ? { key: idempotencyKey } : {}), replica, timeoutMs: 30_000 });
        if (reply.status < 500 || attempt >= 240) {
          rotation += 1;
          return reply;
        }
      } catch (error) {
        // No answer (the process died, or is starting again): retried with the same key on the next replica.
        if (attempt >= 240) throw error;
      }
      await sleep(500);
    }
  }
  async function ok(service: DemoService, method: Method, path: string, token: string, body?: unknown, key?: string): Promise<Record<string, unknown>> {
    const reply = await call(service, method, path, token, body, key);
    if (reply.status >= 300) throw new Error(`journeys: ${method} ${service} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
    return reply.body;
  }

  const tokenOf = (role: string, userId: string, organisationId: string, organisationKind: string, tenants: readonly string[]) => platform.token({ role, userId, organisationId, organisationKind, tenants });
  const admin = await tokenOf('platformAdmin', 'ops-olga', 'platform', 'platform', []);
  const staff = async (tenant: string, city: string) => ({
    socialWorker: await tokenOf('socialWorker', `sw-${city}`, `${tenant}-org`, 'ccas', [tenant]),
    commission: await tokenOf('commissionMember', `com-${city}`, `${tenant}-org`, 'ccas', [tenant]),
    director: await tokenOf('ccasDirector', `dir-${city}`, `${tenant}-org`, 'ccas', [tenant]),
    advisor: await tokenOf('bankAdvisor', `bank-${city}`, 'bank-parcours', 'bank', [tenant]),
  });
  const tarbes = await staff(TARBES, 'tarbes');
  const laval = await staff(LAVAL, 'laval');
  const fcsOfficer = await tokenOf('guarantorOfficer', 'fcs-officer', 'cdc', 'guarantor', [TARBES, LAVAL]);

  /** Every process's clock to the same instant, frozen (each replica has its own). */
  async function at(instant: string): Promise<void> {
    await quiet(platform, options.brokers);
    clock = instant;
    for (const service of JOURNEY_SERVICES) {
      for (let replica = 0; replica < replicas; replica += 1) {
        for (let attempt = 1; ; attempt += 1) {
          const reply = await platform.call(service, 'PUT', '/platform/clock', { token: admin, body: { now: instant, mode: 'frozen' }, replica, timeoutMs: 30_000 }).catch((error: Error) => ({ status: 0, body: { error: error.message } }));
          if (reply.status === 200) break;
          if (attempt >= 240) throw new Error(`journeys: the clock of ${service} replica ${replica} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
          await sleep(500);
        }
      }
    }
  }

  // 5. Attempts across tenants and roles: each answers 404 or 403, and no store moves.
  let trespasses = 0;
  async function trespass(attempts: ReadonlyArray<{ what: string; expected: 403 | 404; send: () => Promise<DemoReply> }>): Promise<void> {
    const before = await settledCounts(platform);
    for (const attempt of attempts) {
      const reply = await attempt.send();
      if (reply.status !== attempt.expected) throw new Error(`journeys: ${attempt.what} answered ${reply.status}, not ${attempt.expected}: ${JSON.stringify(reply.body)}`);
      trespasses += 1;
    }
    const after = await settledCounts(platform);
    expect(after).toEqual(before);
  }

  const lending = (tenant: string, token: string, method: Method, path: string, body?: unknown) => ok('lending', method, `/tenants/${tenant}/loans${path}`, token, body);
  const scheduleOf = async (tenant: string, token: string, loanId: string) => (await lending(tenant, token, 'GET', `/${loanId}/schedule`)).lines as Line[];
  const guaranteeOf = async (tenant: string, loanId: string) => ok('guarantee-fund', 'GET', `/tenants/${tenant}/guarantees/${loanId}`, fcsOfficer);

  // January 2nd: products in lending, guarantees in the fund, refund rules in accompaniment.
  await at(`${day('2027-01-02')}T09:00:00.000Z`);
  const classicTerms = { minAmountCents: 30_000, maxAmountCents: 300_000, exceptionMaxAmountCents: 500_000, minTermMonths: 6, maxTermMonths: 36, exceptionMaxTermMonths: 48, maxNominalRateBps: 400, guarantorKind: 'fcs', guaranteedShareBps: 5_000, accompaniment: 'offered', holidayInterest: 'none' };
  const restructuringTerms = { minAmountCents: 10_000, maxAmountCents: 230_000, minTermMonths: 6, maxTermMonths: 36, maxNominalRateBps: 400, guarantorKind: 'ccas', guaranteedShareBps: 5_000, accompaniment: 'mandatory', holidayInterest: 'none' };
  for (const [tenant, t] of [[TARBES, tarbes], [LAVAL, laval]] as const) {
    await ok('lending', 'POST', `/tenants/${tenant}/products/classic/versions`, t.director, { terms: classicTerms, decisionReference: `CA-${year}-01-02-1` });
    await ok('guarantee-fund', 'POST', `/tenants/${tenant}/coverage/classic/versions`, t.director, { guarantorId: 'fcs', guarantorKind: 'fcs', managerId: 'cdc', shareBps: 5_000, effectiveFrom: `${year}-01-01`, decisionReference: `CONV-FCS-${year}` });
  }
  await ok('lending', 'POST', `/tenants/${LAVAL}/products/restructuring/versions`, laval.director, { terms: restructuringTerms, decisionReference: `CA-${year}-01-02-2` });
  await ok('guarantee-fund', 'POST', `/tenants/${LAVAL}/coverage/restructuring/versions`, laval.director, { guarantorId: LAVAL, guarantorKind: 'ccas', managerId: LAVAL, shareBps: 5_000, effectiveFrom: `${year}-01-01`, decisionReference: `CA-${year - 1}-12-10-4` });
  await ok('guarantee-fund', 'POST', `/tenants/${LAVAL}/envelopes/${LAVAL}/capacity-votes`, laval.director, { capacityCents: 300_000, decisionDate: `${year}-01-02`, decisionReference: `CA-${year}-01-02-3` });
  await ok('accompaniment', 'POST', `/tenants/${TARBES}/refund-policy/versions`, tarbes.director, { rule: 'everyCompletedLoan', effectiveFrom: '2009-01-01', decisionReference: 'CA-2009-01' });
  await ok('accompaniment', 'POST', `/tenants/${LAVAL}/refund-policy/versions`, laval.director, { rule: 'noLateInstalment', effectiveFrom: '2010-01-01', decisionReference: 'CA-2010-01' });
  await between('configured');

  // January 4th: four files built by the social workers and decided by a commission member (another person).
  const filesDay = day('2027-01-04');
  await at(`${filesDay}T09:00:00.000Z`);
  const file = (tenant: string, t: typeof tarbes, n: number, loan: { amountCents: number; termMonths: number; nominalRateBps: number; product: 'classic' | 'restructuring' }) =>
    transmitDemoFile(ok, call, t, { tenantId: tenant, file: n, loan, day: filesDay, key: `${options.runId}-file-${tenant}-${n}` });
  const classicFile = await file(TARBES, tarbes, 1, { amountCents: 150_000, termMonths: 6, nominalRateBps: 300, product: 'classic' });
  const restructuringFile = await file(LAVAL, laval, 2, { amountCents: 120_000, termMonths: 6, nominalRateBps: 200, product: 'restructuring' });
  await between('files transmitted');
  const defaultFile = await file(TARBES, tarbes, 3, { amountCents: 100_000, termMonths: 6, nominalRateBps: 300, product: 'classic' });
  const refusedFile = await file(TARBES, tarbes, 4, { amountCents: 200_000, termMonths: 12, nominalRateBps: 300, product: 'classic' });

  // The files reach lending over Kafka as applications.
  const loanIdOf = async (tenant: string, token: string, applicationId: string) =>
    until(`the loan of ${applicationId} in lending`, async () => {
      const loans = (await lending(tenant, token, 'GET', '')).loans as Array<{ loanId: string; applicationId: string }>;
      return loans.find((row) => row.applicationId === applicationId)?.loanId;
    });
  const loans = {
    tarbesClassic: await loanIdOf(TARBES, tarbes.advisor, classicFile.applicationId),
    lavalRestructuring: await loanIdOf(LAVAL, laval.advisor, restructuringFile.applicationId),
    tarbesDefault: await loanIdOf(TARBES, tarbes.advisor, defaultFile.applicationId),
    tarbesRefused: await loanIdOf(TARBES, tarbes.advisor, refusedFile.applicationId),
  };

  await trespass([
    { what: 'a Laval social worker reading a Tarbes file', expected: 404, send: () => call('intake', 'GET', `/tenants/${TARBES}/applications/${classicFile.applicationId}`, laval.socialWorker) },
    { what: 'a bank advisor deciding at the commission', expected: 403, send: () => call('intake', 'POST', `/tenants/${TARBES}/applications/${refusedFile.applicationId}/commission-decision`, tarbes.advisor, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }) },
    { what: 'a social worker approving a loan at the bank', expected: 403, send: () => call('lending', 'POST', `/tenants/${TARBES}/loans/${loans.tarbesClassic}/approve`, tarbes.socialWorker, { amountCents: 150_000, termMonths: 6, nominalRateBps: 300 }) },
    { what: 'a Laval advisor approving a Tarbes loan', expected: 404, send: () => call('lending', 'POST', `/tenants/${TARBES}/loans/${loans.tarbesClassic}/approve`, laval.advisor, { amountCents: 150_000, termMonths: 6, nominalRateBps: 300 }) },
  ]);

  // January 6th: the bank decides; 4. the refusal's reason reaches the social worker's file.
  await at(`${day('2027-01-06')}T10:00:00.000Z`);
  const firstDueDate = day('2027-02-05');
  const grant = async (tenant: string, t: typeof tarbes, loanId: string, amountCents: number, termMonths: number, nominalRateBps: number, socialWorkerId: string) => {
    await lending(tenant, t.advisor, 'POST', `/${loanId}/approve`, { amountCents, termMonths, nominalRateBps, feesCents: 0 });
    await lending(tenant, t.advisor, 'POST', `/${loanId}/offer`, { firstDueDate });
    await lending(tenant, t.advisor, 'POST', `/${loanId}/sign`, { socialWorkerPresent: true, socialWorkerId });
  };
  await grant(TARBES, tarbes, loans.tarbesClassic, 150_000, 6, 300, 'sw-tarbes');
  await grant(LAVAL, laval, loans.lavalRestructuring, 120_000, 6, 200, 'sw-laval');
  await between('decided');
  await grant(TARBES, tarbes, loans.tarbesDefault, 100_000, 6, 300, 'sw-tarbes');
  await lending(TARBES, tarbes.advisor, 'POST', `/${loans.tarbesRefused}/refuse`, { reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity' });
  const refusedOnFile = await until('the refusal on the social worker’s file', async () => {
    const reply = await call('intake', 'GET', `/tenants/${TARBES}/applications/${refusedFile.applicationId}`, tarbes.socialWorker);
    return reply.status === 200 && reply.body.status === 'closed' ? reply.body : undefined;
  });
  expect(refusedOnFile).toMatchObject({ outcome: 'bankRefused', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', loanId: loans.tarbesRefused, appointmentsHeld: 2 });

  // January 8th: each guarantee granted by the fund (FCS, or the CCAS's envelope), then the funds paid out.
  await at(`${day('2027-01-08')}T10:00:00.000Z`);
  const disburse = async (tenant: string, t: typeof tarbes, loanId: string) => {
    await until(`the guarantee of ${loanId} in lending`, async () => ((await lending(tenant, t.advisor, 'GET', `/${loanId}/guarantee`)).disbursable === true ? true : undefined));
    await lending(tenant, t.advisor, 'POST', `/${loanId}/disburse`, {});
  };
  await disburse(TARBES, tarbes, loans.tarbesClassic);
  await disburse(LAVAL, laval, loans.lavalRestructuring);
  await disburse(TARBES, tarbes, loans.tarbesDefault);
  await between('disbursed');
  // Laval's plan is mandatory: defined with the person, a three-party charter.
  await until('the Laval plan opened', async () => ((await call('accompaniment', 'GET', `/tenants/${LAVAL}/plans/${loans.lavalRestructuring}`, laval.socialWorker)).status === 200 ? true : undefined));
  await ok('accompaniment', 'POST', `/tenants/${LAVAL}/plans/${loans.lavalRestructuring}/definition`, laval.socialWorker, { kinds: ['budget', 'social'], intensity: 'mandatory', referentId: 'sw-laval', beneficiaryId: restructuringFile.beneficiaryId });
  await ok('accompaniment', 'POST', `/tenants/${LAVAL}/plans/${loans.lavalRestructuring}/charter`, laval.socialWorker, { parties: 'threeParty', signedOn: day('2027-01-08'), bankPartnerId: 'bank-parcours' });

  const classic = await scheduleOf(TARBES, tarbes.advisor, loans.tarbesClassic);
  const restructuring = await scheduleOf(LAVAL, laval.advisor, loans.lavalRestructuring);
  const defaulting = await scheduleOf(TARBES, tarbes.advisor, loans.tarbesDefault);
  const pay = (tenant: string, t: typeof tarbes, loanId: string, amountCents: number, paidOn: string) => lending(tenant, t.advisor, 'POST', `/${loanId}/payments`, { amountCents, paidOn });

  // February 5th: the first instalment of each loan paid on its due date.
  await at(`${classic[0]!.dueDate}T09:00:00.000Z`);
  await pay(TARBES, tarbes, loans.tarbesClassic, classic[0]!.instalment, classic[0]!.dueDate);
  await pay(LAVAL, laval, loans.lavalRestructuring, restructuring[0]!.instalment, restructuring[0]!.dueDate);
  await pay(TARBES, tarbes, loans.tarbesDefault, defaulting[0]!.instalment, defaulting[0]!.dueDate);
  // March 5th: Tarbes's classic loan paid; the two others miss their second instalment.
  await at(`${classic[1]!.dueDate}T09:00:00.000Z`);
  await pay(TARBES, tarbes, loans.tarbesClassic, classic[1]!.instalment, classic[1]!.dueDate);

  // 2. Laval: the miss recorded three days later opens an escalation; the bank's call goes unanswered.
  const lavalPlan = `/tenants/${LAVAL}/plans/${loans.lavalRestructuring}`;
  await at(`${day('2027-03-08')}T08:00:00.000Z`);
  await lending(LAVAL, laval.advisor, 'POST', `/${loans.lavalRestructuring}/missed-instalments`, { instalmentNumber: 2 });
  await lending(TARBES, tarbes.advisor, 'POST', `/${loans.tarbesDefault}/missed-instalments`, { instalmentNumber: 2 });
  await until('the Laval escalation opened', async () => ((await ok('accompaniment', 'GET', lavalPlan, laval.socialWorker)).escalation ? true : undefined));
  await at(`${day('2027-03-09')}T10:00:00.000Z`);
  await lending(LAVAL, laval.advisor, 'POST', `/${loans.lavalRestructuring}/contacts`, { channel: 'phone', outcome: 'noAnswer' });
  await until('the CCAS alerted', async () => ((await ok('accompaniment', 'GET', lavalPlan, laval.socialWorker)).escalation as { ccasAlertedAt?: string } | null)?.ccasAlertedAt ?? undefined);
  await between('escalated');
  // The social worker reaches the person, then a three-party meeting: social grocery, a holiday asked of the bank.
  await at(`${day('2027-03-10')}T09:00:00.000Z`);
  await ok('accompaniment', 'POST', `${lavalPlan}/contacts`, laval.socialWorker, { channel: 'phone', topics: ['repayment', 'budget'], reached: true, contactedAt: `${day('2027-03-10')}T08:30:00.000Z` });
  await at(`${day('2027-03-12')}T15:00:00.000Z`);
  await ok('accompaniment', 'POST', `${lavalPlan}/contacts`, laval.socialWorker, { channel: 'threePartyMeeting', topics: ['repayment', 'budget'], reached: true, contactedAt: `${day('2027-03-12')}T14:00:00.000Z` });
  await ok('accompaniment', 'POST', `${lavalPlan}/supports`, laval.socialWorker, { kind: 'socialGrocery', months: 3, grantedOn: day('2027-03-12') });
  await ok('accompaniment', 'POST', `${lavalPlan}/rescheduling-requests`, laval.socialWorker, { kind: 'holiday', months: 1 });
  const pending = await until('the holiday request pending in lending', async () => {
    const requests = (await lending(LAVAL, laval.advisor, 'GET', `/${loans.lavalRestructuring}`)).pendingReschedulingRequests as Array<{ requestId: string; requestedBy: string }> | undefined;
    return requests?.length ? requests[0] : undefined;
  });
  expect(pending.requestedBy).toBe('sw-laval');
  await trespass([
    { what: 'the social worker approving her own request in lending', expected: 403, send: () => call('lending', 'POST', `/tenants/${LAVAL}/loans/${loans.lavalRestructuring}/rescheduling-requests/${pending.requestId}/approve`, laval.socialWorker, {}) },
    { what: 'a Tarbes advisor approving a Laval request', expected: 404, send: () => call('lending', 'POST', `/tenants/${LAVAL}/loans/${loans.lavalRestructuring}/rescheduling-requests/${pending.requestId}/approve`, tarbes.advisor, {}) },
    { what: 'a Tarbes social worker recording a contact on a Laval plan', expected: 404, send: () => call('accompaniment', 'POST', `${lavalPlan}/contacts`, tarbes.socialWorker, { channel: 'phone', topics: ['repayment'], reached: true, contactedAt: `${day('2027-03-12')}T14:30:00.000Z` }) },
  ]);
  const approved = await lending(LAVAL, laval.advisor, 'POST', `/${loans.lavalRestructuring}/rescheduling-requests/${pending.requestId}/approve`, {});
  expect((approved.events as Array<{ type: string }>).map((event) => event.type)).toEqual(['PaymentHolidayGranted']);
  // The missed instalment paid late, the escalation closed.
  await at(`${day('2027-03-15')}T09:00:00.000Z`);
  await pay(LAVAL, laval, loans.lavalRestructuring, restructuring[1]!.instalment, day('2027-03-15'));
  await ok('accompaniment', 'POST', `${lavalPlan}/escalation/closure`, laval.socialWorker, { outcome: 'rescheduled' });
  await between('rescheduled');

  // From April on, in date order: Tarbes's classic loan paid on time to the end, Laval's lines after the holiday,
  // and the third loan's road to default (a third instalment missed, called in, the claim paid, a recovery).
  const held = (await scheduleOf(LAVAL, laval.advisor, loans.lavalRestructuring)).filter((line) => line.interestPaid + line.principalPaid === 0);
  const agenda: Array<{ at: string; run: () => Promise<unknown> }> = [
    ...classic.slice(2).map((line) => ({ at: `${line.dueDate}T09:00:00.000Z`, run: () => pay(TARBES, tarbes, loans.tarbesClassic, line.instalment, line.dueDate) })),
    ...held.map((line) => ({ at: `${line.dueDate}T09:30:00.000Z`, run: () => pay(LAVAL, laval, loans.lavalRestructuring, line.instalment, line.dueDate) })),
    { at: `${day('2027-04-08')}T08:00:00.000Z`, run: () => lending(TARBES, tarbes.advisor, 'POST', `/${loans.tarbesDefault}/missed-instalments`, { instalmentNumber: 3 }) },
    { at: `${day('2027-05-03')}T09:00:00.000Z`, run: () => lending(TARBES, tarbes.advisor, 'POST', `/${loans.tarbesDefault}/default`, {}) },
  ];
  agenda.sort((a, b) => a.at.localeCompare(b.at));
  expect(held.every((line) => line.dueDate <= day('2027-08-31'))).toBe(true);
  let defaultedAt = -1;
  for (const [index, entry] of agenda.entries()) {
    await at(entry.at);
    await entry.run();
    if (entry.at.startsWith(day('2027-05-03'))) defaultedAt = index;
    if (index === Math.floor(agenda.length / 2)) await between('repaying');
  }
  expect(defaultedAt).toBeGreaterThanOrEqual(0);

  // 3. The default calls the FCS guarantee: 50 % of the outstanding principal, to the cent.
  const defaulted = await lending(TARBES, tarbes.advisor, 'GET', `/${loans.tarbesDefault}`);
  expect(defaulted.status).toBe('defaulted');
  const outstandingAtDefault = (defaulted.figures as { outstandingPrincipalCents: number }).outstandingPrincipalCents;
  // Only the first instalment was paid.
  expect(outstandingAtDefault).toBe(100_000 - defaulting[0]!.principal);
  const called = await until('the FCS guarantee called', async () => {
    const row = await guaranteeOf(TARBES, loans.tarbesDefault);
    return row.status === 'called' ? row : undefined;
  });
  const claimCents = called.claimCents as number;
  expect(claimCents).toBe(halfUp(outstandingAtDefault * 5_000, 10_000));
  const lastDue = agenda[agenda.length - 1]!.at.slice(0, 10);
  await at(`${lastDue}T16:00:00.000Z`);
  await trespass([
    { what: 'a Laval director paying a Tarbes claim', expected: 404, send: () => call('guarantee-fund', 'POST', `/tenants/${TARBES}/guarantees/${loans.tarbesDefault}/claim-payments`, laval.director, { paidOn: lastDue }) },
    { what: 'a bank advisor paying a claim', expected: 403, send: () => call('guarantee-fund', 'POST', `/tenants/${TARBES}/guarantees/${loans.tarbesDefault}/claim-payments`, tarbes.advisor, { paidOn: lastDue }) },
  ]);
  expect(await ok('guarantee-fund', 'POST', `/tenants/${TARBES}/guarantees/${loans.tarbesDefault}/claim-payments`, fcsOfficer, { paidOn: lastDue })).toMatchObject({ status: 'claimPaid', claimCents });
  await lending(TARBES, tarbes.advisor, 'POST', `/${loans.tarbesDefault}/recoveries`, { amountCents: 20_000, receivedOn: lastDue });
  const guarantorRecoveredCents = halfUp(20_000 * claimCents, outstandingAtDefault);
  await until('the recovery shared with the guarantor', async () => {
    const row = await guaranteeOf(TARBES, loans.tarbesDefault);
    return row.recoveredCents === guarantorRecoveredCents ? row : undefined;
  });

  // 1. Tarbes's classic loan repaid: the interest lending collected refunded in full, the evaluation recorded.
  expect((await lending(TARBES, tarbes.advisor, 'GET', `/${loans.tarbesClassic}`)).status).toBe('repaid');
  const interestCollected = (await scheduleOf(TARBES, tarbes.advisor, loans.tarbesClassic)).reduce((sum, line) => sum + line.interestPaid, 0);
  expect(interestCollected).toBe(classic.reduce((sum, line) => sum + line.interest, 0));
  const refundPath = `/tenants/${TARBES}/refunds/${loans.tarbesClassic}`;
  const owed = await until('the refund owed', async () => {
    const reply = await call('accompaniment', 'GET', refundPath, tarbes.socialWorker);
    return reply.status === 200 && reply.body.status === 'owed' ? reply.body : undefined;
  });
  expect(owed).toMatchObject({ amountCents: interestCollected, rule: 'everyCompletedLoan' });
  await ok('accompaniment', 'POST', `${refundPath}/bank-details`, tarbes.socialWorker, { personId: classicFile.beneficiaryId, iban: frenchIban(1), holder: 'Personne 2' });
  await ok('accompaniment', 'POST', `${refundPath}/proposal`, tarbes.socialWorker, {});
  await trespass([
    { what: 'a Laval social worker reading a Tarbes refund', expected: 404, send: () => call('accompaniment', 'GET', refundPath, laval.socialWorker) },
    { what: 'a bank advisor approving a refund', expected: 403, send: () => call('accompaniment', 'POST', `${refundPath}/approval`, tarbes.advisor, { decisionReference: 'COM-X' }) },
  ]);
  await ok('accompaniment', 'POST', `${refundPath}/approval`, tarbes.commission, { decisionReference: `COM-${year}-1` });
  const paid = await ok('accompaniment', 'POST', `${refundPath}/payment`, tarbes.socialWorker, { paidOn: lastDue, paymentReference: `VIR-${year}-1` });
  expect(paid).toMatchObject({ status: 'paid', amountCents: interestCollected });
  await until('the loan’s end known to accompaniment', async () => ((await call('accompaniment', 'GET', `/tenants/${TARBES}/evaluations/${loans.tarbesClassic}`, tarbes.socialWorker)).status === 200 ? true : undefined));
  const improved = { employment: 'improved', mobility: 'improved', housing: 'notConcerned', health: 'unchanged', budget: 'improved', socialTies: 'unchanged' };
  await ok('accompaniment', 'POST', `/tenants/${TARBES}/evaluations/${loans.tarbesClassic}`, tarbes.socialWorker, { outcomes: improved, satisfaction: 'verySatisfied', withoutSupport: 'wouldHaveWorsened', heldOn: lastDue });
  await between('refunded');

  // 2. Laval's loan repaid late: nothing owed under its rule.
  expect(await lending(LAVAL, laval.advisor, 'GET', `/${loans.lavalRestructuring}`)).toMatchObject({ status: 'repaid', everLate: true });
  const notOwed = await until('Laval’s refund decided', async () => {
    const reply = await call('accompaniment', 'GET', `/tenants/${LAVAL}/refunds/${loans.lavalRestructuring}`, laval.socialWorker);
    return reply.status === 200 && reply.body.status === 'notOwed' ? reply.body : undefined;
  });
  expect(notOwed).toMatchObject({ reason: 'LATE_INSTALMENT', rule: 'noLateInstalment' });

  // Reporting counts it, from the events the four other services published.
  await trespass([
    { what: 'a social worker reading the figures', expected: 403, send: () => call('reporting', 'GET', `/reporting/figures?period=${year}&groupBy=none&tenantId=${TARBES}`, tarbes.socialWorker) },
    { what: 'a Tarbes director reading Laval’s figures', expected: 404, send: () => call('reporting', 'GET', `/reporting/figures?period=${year}&groupBy=none&tenantId=${LAVAL}`, tarbes.director) },
  ]);
  const expected: Record<string, Record<string, number>> = {
    [TARBES]: { applicationsTransmitted: 3, loansRefused: 1, loansGranted: 2, missedInstalments: 2, defaults: 1, guaranteesActivated: 2, guaranteeClaims: 1, guaranteeClaimCents: claimCents, guaranteeClaimsPaidCents: claimCents, guarantorRecoveredCents, interestRefunds: 1, interestRefundedCents: interestCollected, evaluationsRecorded: 1 },
    [LAVAL]: { applicationsTransmitted: 1, loansGranted: 1, missedInstalments: 1, escalationsOpened: 1, supportSocialGrocery: 1, reschedulingsHoliday: 1, guaranteesActivated: 1, interestRefunds: 0, defaults: 0 },
  };
  const figures: Record<string, Record<string, number | null>> = {};
  for (const [tenant, director] of [[TARBES, tarbes.director], [LAVAL, laval.director]] as const) {
    figures[tenant] = await until(`reporting's figures for ${tenant}`, async () => {
      const reply = await call('reporting', 'GET', `/reporting/figures?period=${year}&groupBy=none&tenantId=${tenant}`, director);
      const values = (reply.body.total as { values?: Record<string, number | null> } | undefined)?.values;
      return values && Object.entries(expected[tenant]!).every(([measure, value]) => values[measure] === value) ? values : undefined;
    }, 120_000).catch(async (error: Error) => {
      const reply = await call('reporting', 'GET', `/reporting/figures?period=${year}&groupBy=none&tenantId=${tenant}`, director);
      throw new Error(`${error.message}: expected ${JSON.stringify(expected[tenant])}, shown ${JSON.stringify((reply.body.total as { values?: unknown } | undefined)?.values)}`);
    });
  }
  for (const tenant of TENANTS) expect(figures[tenant]).toMatchObject(expected[tenant]!);

  return { loans, refundedCents: interestCollected, claimCents, outstandingAtDefault, guarantorRecoveredCents, trespasses, figures };
}

/** Read models of each service (the projections, reporting's facts): rows compared by count and checksum. */
const READ_MODELS: Record<DemoService, readonly string[]> = {
  intake: ['intake.file_list', 'intake.person_list'],
  lending: ['lending.loan_summary'],
  'guarantee-fund': ['guarantee_fund.guarantee', 'guarantee_fund.envelope'],
  accompaniment: ['accompaniment.plan_row', 'accompaniment.refund_list', 'accompaniment.refund_policy'],
  reporting: ['reporting.application_fact', 'reporting.loan_fact', 'reporting.loan_activity', 'reporting.envelope_fact', 'reporting.escalation_fact', 'reporting.evaluation_fact', 'reporting.file_fact', 'reporting.known_tenant'],
};

/**
 * What a run of the journeys left in every store, comparable across platforms (ids are drawn afresh in each): per
 * service and tenant, events per type with the sum of their amounts (every top-level …Cents field); per read-model
 * table, its rows and an md5 of them ordered, without their opaque ids (every …_id column but tenant_id, every UUID
 * inside a value) nor the instant the projection wrote the row (updated_at, the database's time), nor how many
 * transactions wrote a CCAS's facts (reporting's `writes`, the version of kept answers: it follows the batching).
 */
export async function storeDigest(platform: RunningPlatform, rowsOut: Record<string, string[]> = {}): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  await eachTenantStore(platform, async (service, tenant, client) => {
    if (service !== 'reporting') {
      const events = await client.query<{ type: string; n: number; cents: string }>(
        `SELECT type, count(*)::int AS n, sum((SELECT coalesce(sum(value::numeric), 0) FROM jsonb_each_text(data) WHERE key LIKE '%Cents' AND value ~ '^-?[0-9]+$'))::text AS cents
           FROM es.events WHERE tenant_id = $1 GROUP BY type`,
        [tenant],
      );
      for (const row of events.rows) digest[`${service}/${tenant}/events/${row.type}`] = `${row.n} events, ${row.cents} cents`;
    }
    for (const table of READ_MODELS[service]) {
      const rows = await client.query<{ n: number; md5: string | null; rows: string[] | null }>(
        `SELECT count(*)::int AS n, md5(string_agg(r, '|' ORDER BY r)) AS md5, array_agg(r ORDER BY r) AS rows
           FROM (SELECT regexp_replace((SELECT jsonb_object_agg(key, value) FROM jsonb_each(to_jsonb(t)) WHERE key = 'tenant_id' OR (key NOT LIKE '%\\_id' AND key NOT IN ('updated_at', 'writes')))::text,
                                       '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}', 'id', 'g') AS r
                   FROM ${table} t WHERE to_jsonb(t)->>'tenant_id' = $1 OR NOT to_jsonb(t) ? 'tenant_id') rows`,
        [tenant],
      );
      digest[`${service}/${tenant}/${table}`] = `${rows.rows[0]!.n} rows, md5 ${rows.rows[0]!.md5 ?? '-'}`;
      rowsOut[`${service}/${tenant}/${table}`] = rows.rows[0]!.rows ?? [];
    }
  });
  return digest;
}
