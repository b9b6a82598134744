import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { chromium } from 'playwright-core';
import { DEFAULT_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey, signDevToken } from '@tremplin/auth';
import { contractRegistry, createEnvelope, withTopicPrefix } from '@tremplin/contracts';
import { provisionDatabase } from '@tremplin/local-infra';
import { createKafkaTransport, ensureTopics, headersOf } from '@tremplin/messaging';
import { CHROMIUM_ARGS, ensureChromium } from '@tremplin/testing';
import type { BenchContext } from './run';

// Ten years of national-scale integration events (≈ 20,000 loans a year, 300 CCAS in 20 federations) seeded into
// reporting's log, then: the rebuild from zero (the service's CLI), Kafka → read models with the service running
// (its own process, as deployed), the figures API's p50/p95 for the heaviest filters, and the page in Chromium.
// The benchmark treats the service as a black box (a bench may not import a service): processes, SQL, HTTP.

const YEARS = Number(process.env.BENCH_REPORTING_YEARS ?? 10);
const LOANS_PER_YEAR = Number(process.env.BENCH_REPORTING_LOANS_PER_YEAR ?? 20_000);
const KAFKA_EVENTS = Number(process.env.BENCH_REPORTING_KAFKA_EVENTS ?? 100_000);
// Consumed first with one log statement per message (REPORTING_LOG_IN_BATCHES=false): the baseline of the same run.
const BASELINE_EVENTS = Number(process.env.BENCH_REPORTING_BASELINE_EVENTS ?? 20_000);
// BENCH_REPORTING_PHASES=rebuild,consume,api,page (default: all) measures only some phases after the seed.
const PHASES = new Set((process.env.BENCH_REPORTING_PHASES ?? 'rebuild,consume,api,page').split(','));
const TENANTS = 300;
const FEDERATIONS = 20;
const API_REQUESTS = 20;
// The lock every append to reporting's log holds until it ends (LOG_APPEND_LOCK of facts.store.ts, ADR 0013).
const LOG_APPEND_LOCK = 0x7265_706c;
// The last year seeded is the current one, as on a dashboard in use (the service keeps the current year warm).
const FIRST_YEAR = new Date().getUTCFullYear() - YEARS + 1;
const ROOT = join(__dirname, '..');

type Event = { messageId: string; name: string; tenantId: string; occurredAt: string; payload: Record<string, unknown> };

// A seeded generator: every run seeds the same scenario.
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const tenantOf = (i: number) => `ccas-${String(i + 1).padStart(3, '0')}`;
const federationOf = (i: number) => `fed-${String((i % FEDERATIONS) + 1).padStart(2, '0')}`;
const PURPOSES = ['mobility', 'housing', 'healthEquipment', 'employmentTraining', 'debtRestructuring', 'other'] as const;
const iso = (ms: number) => new Date(ms).toISOString();
const DAY = 86_400_000;

/**
 * One loan's facts as intake, lending, the guarantee fund and accompaniment publish them: the file opened and decided
 * by the commission, transmitted, the bank's decision, the guarantee and disbursement, payments; for some, troubles
 * (escalations and the first CCAS contact, support, a called guarantee), and at the end an interest refund and the
 * end-of-loan evaluation.
 */
function loanEvents(rand: () => number, year: number, n: number, prefix: string): Event[] {
  const tenant = Math.floor(rand() ** 1.6 * TENANTS);
  const tenantId = tenantOf(tenant);
  const applicationId = `${prefix}a${year}-${n}`;
  const loanId = `${prefix}l${year}-${n}`;
  const product = rand() < 0.8 ? 'classic' : rand() < 0.6 ? 'autonomyHealth' : 'restructuring';
  const purposeCategory = PURPOSES[Math.floor(rand() * PURPOSES.length)]!;
  const amountCents = 30_000 + Math.floor(rand() ** 2 * 470_000);
  const termMonths = 12 + Math.floor(rand() * 48);
  const start = Date.UTC(year, 0, 1) + Math.floor(rand() * 330) * DAY + 9 * 3_600_000;
  const transmittedAt = iso(start);
  const decidedAt = iso(start + (3 + Math.floor(rand() * 30)) * DAY);
  const events: Event[] = [];
  const add = (name: string, at: string, payload: Record<string, unknown>) => events.push({ messageId: randomUUID(), name, tenantId, occurredAt: at, payload: { tenantId, ...payload } });
  const openedAt = iso(start - (10 + Math.floor(rand() * 40)) * DAY);
  const commissionAt = iso(start - Math.floor(rand() * 8) * DAY - 3_600_000);
  add('intake.application-opened.v1', openedAt, { applicationId, beneficiaryId: `ben-${applicationId}`, product, purposeCategory, requestedAmountCents: amountCents, requestedTermMonths: termMonths, openedAt });
  add('intake.commission-decided.v1', commissionAt, { applicationId, commissionDecisionId: `com-${applicationId}`, decision: 'approved', reasonCode: 'COMMISSION_OK', decidedAt: commissionAt });
  add('intake.application-transmitted.v1', transmittedAt, { applicationId, beneficiaryId: `ben-${applicationId}`, bankPartnerId: 'bank-1', product, purposeCategory, requestedAmountCents: amountCents, requestedTermMonths: termMonths, transmittedAt, commissionDecisionId: 'com-1' });
  add('lending.loan-application-received.v1', transmittedAt, { loanId, applicationId, bankPartnerId: 'bank-1', product, purposeCategory, requestedAmountCents: amountCents, requestedTermMonths: termMonths, receivedAt: transmittedAt });
  if (rand() < 0.1) {
    add('lending.loan-refused.v1', decidedAt, { loanId, applicationId, reasonCode: 'DEBT_RATIO', reasonCategory: 'repaymentCapacity', refusedAt: decidedAt });
    return events;
  }
  add('lending.loan-approved.v1', decidedAt, { loanId, applicationId, bankPartnerId: 'bank-1', product, approvedAmountCents: amountCents, termMonths, nominalRateBps: 400, taegBps: 420, approvedAt: decidedAt });
  const disbursed = Date.parse(decidedAt) + (5 + Math.floor(rand() * 15)) * DAY;
  const covered = { loanId, guarantorId: 'fcs', guarantorKind: 'fcs', product };
  const exposureCents = Math.floor(amountCents / 2);
  add('guarantee.guarantee-activated.v1', iso(disbursed), { ...covered, principalCents: amountCents, guaranteedShareBps: 5_000, exposureCents, activatedAt: iso(disbursed) });
  add('lending.loan-disbursed.v1', iso(disbursed), { loanId, applicationId, amountCents, termMonths, product, guarantorKind: 'fcs', guaranteedShareBps: 5_000, disbursedAt: iso(disbursed), firstDueDate: iso(disbursed + 30 * DAY).slice(0, 10), nominalRateBps: 400, taegBps: 420 });
  let outstanding = amountCents;
  for (let k = 1; k <= 2; k++) {
    const principal = Math.floor(amountCents / termMonths);
    outstanding -= principal;
    const paid = iso(disbursed + k * 30 * DAY);
    add('lending.instalment-paid.v1', paid, { loanId, amountCents: principal + 500, principalRepaidCents: principal, interestPaidCents: 500, outstandingPrincipalCents: outstanding, paidOn: paid.slice(0, 10), recordedAt: paid });
  }
  const trouble = rand();
  if (trouble < 0.1) {
    const due = disbursed + 90 * DAY;
    add('lending.instalment-missed.v1', iso(due), { loanId, instalmentNumber: 3, dueDate: iso(due).slice(0, 10), unpaidCount: 1, daysPastDue: 1, arrearsCents: 5_000 });
    const escalationId = `e-${loanId}`;
    const contactMinutes = 60 + Math.floor(rand() * 12 * 1_440);
    const deadline = iso(due + 7 * DAY).slice(0, 10);
    const contactedAt = iso(due + 60_000 * contactMinutes);
    add('accompaniment.escalation-opened.v1', iso(due), { loanId, escalationId, trigger: 'instalmentMissed', instalmentNumber: 3, missedDueDate: iso(due).slice(0, 10), deadlineWorkingDays: 5, deadlineDate: deadline, openedAt: iso(due) });
    add('accompaniment.first-contact-made.v1', contactedAt, { loanId, escalationId, trigger: 'instalmentMissed', channel: 'phone', contactedAt, delayMinutes: contactMinutes, delayWorkingDays: Math.floor(contactMinutes / 1_440), deadlineWorkingDays: 5, late: contactedAt.slice(0, 10) > deadline });
    if (trouble < 0.06) add('accompaniment.support-granted.v1', contactedAt, { loanId, supportId: `s-${loanId}`, kind: trouble < 0.03 ? 'emergencyAid' : 'socialGrocery', amountCents: 10_000 + Math.floor(rand() * 20_000), grantedOn: contactedAt.slice(0, 10), grantedAt: contactedAt });
    add('lending.instalment-missed.v1', iso(due + 30 * DAY), { loanId, instalmentNumber: 4, dueDate: iso(due + 30 * DAY).slice(0, 10), unpaidCount: 2, daysPastDue: 31, arrearsCents: 10_000 });
    if (trouble < 0.05) add('lending.incident-warning-issued.v1', iso(due + 32 * DAY), { loanId, unpaidCount: 2, arrearsCents: 10_000, declarableFrom: iso(due + 62 * DAY).slice(0, 10) });
    if (trouble < 0.03) add('lending.loan-rescheduled.v1', iso(due + 40 * DAY), { loanId, kind: 'holiday', newEndDate: iso(due + 800 * DAY).slice(0, 10) });
    if (trouble < 0.02) {
      add('lending.loan-defaulted.v1', iso(due + 200 * DAY), { loanId, outstandingPrincipalCents: outstanding, defaultedAt: iso(due + 200 * DAY) });
      add('lending.recovery-received.v1', iso(due + 260 * DAY), { loanId, amountCents: Math.max(1, Math.floor(outstanding / 4)), receivedAt: iso(due + 260 * DAY) });
      const claimCents = Math.floor(outstanding / 2);
      add('guarantee.guarantee-called.v1', iso(due + 210 * DAY), { ...covered, outstandingPrincipalCents: outstanding, guaranteedShareBps: 5_000, claimCents, calledAt: iso(due + 210 * DAY) });
      add('guarantee.claim-paid.v1', iso(due + 230 * DAY), { ...covered, claimCents, paidOn: iso(due + 230 * DAY).slice(0, 10), paidBy: 'cdc-officer', paidAt: iso(due + 230 * DAY) });
      add('guarantee.guarantee-written-off.v1', iso(due + 400 * DAY), { ...covered, claimPaidCents: claimCents, recoveredCents: 0, lossCents: claimCents, writtenOffAt: iso(due + 400 * DAY) });
    }
  } else if (year < FIRST_YEAR + YEARS - 4) {
    const repaid = iso(disbursed + termMonths * 30 * DAY);
    add('lending.loan-repaid.v1', repaid, { loanId, interestPaidTotalCents: 500 * termMonths, everLate: false, repaidAt: repaid });
    const end = Date.parse(repaid);
    if (rand() < 0.3) add('accompaniment.interest-refund-paid.v1', iso(end + 20 * DAY), { loanId, amountCents: 500 * termMonths, policyVersion: 1, paidOn: iso(end + 20 * DAY).slice(0, 10), paidAt: iso(end + 20 * DAY) });
    if (rand() < 0.5) {
      const code = () => (['improved', 'unchanged', 'worsened', 'notConcerned'] as const)[Math.floor(rand() * 4)]!;
      add('accompaniment.evaluation-recorded.v1', iso(end + 30 * DAY), {
        loanId,
        outcomes: { employment: code(), mobility: code(), housing: code(), health: code(), budget: code(), socialTies: code() },
        satisfaction: rand() < 0.8 ? 'satisfied' : 'noAnswer',
        withoutSupport: 'wouldHaveWorsened',
        heldOn: iso(end + 30 * DAY).slice(0, 10),
        recordedAt: iso(end + 30 * DAY),
      });
    }
  }
  return events;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

function startProcess(args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['-r', '@swc-node/register', ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export async function run({ postgresAdminUrl, kafkaBrokers, log }: BenchContext): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const db = await provisionDatabase(postgresAdminUrl, `bench_reporting_${randomUUID().slice(0, 8)}`);
  const prefix = `benchr${randomUUID().slice(0, 6)}.`;
  const keysDir = await mkdtemp(join(tmpdir(), 'bench-reporting-keys-'));
  const key = await loadOrCreateDevSigningKey(keysDir);
  const tenants = Array.from({ length: TENANTS }, (_, i) => tenantOf(i));
  const federations: Record<string, string[]> = {};
  tenants.forEach((tenant, i) => (federations[federationOf(i)] ??= []).push(tenant));
  const port = 31_000 + Math.floor(Math.random() * 2_000);
  const env = {
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: db.appUrl,
    MIGRATION_DATABASE_URL: db.ownerUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    KAFKA_TOPIC_PREFIX: prefix,
    AUTH_DEV_KEYS_DIR: keysDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'test',
    REPORTING_FEDERATIONS: JSON.stringify(federations),
  };
  const url = `http://127.0.0.1:${port}`;
  const owner = new Client({ connectionString: db.ownerUrl });
  let service: ChildProcess | undefined;
  const rows: Array<[string, string, string, string]> = [];
  try {
    await ensureTopics(kafkaBrokers, withTopicPrefix(contractRegistry, prefix));
    const stopService = async () => {
      if (service) {
        const running = service;
        service = undefined;
        running.kill('SIGTERM');
        await new Promise((resolve) => running.once('exit', resolve));
      }
    };
    const startService = async (extra: NodeJS.ProcessEnv = {}) => {
      await stopService();
      // BENCH_REPORTING_CPU_PROF=<dir>: the service writes a V8 CPU profile there when it stops (where Node's time goes).
      const profile = process.env.BENCH_REPORTING_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_REPORTING_CPU_PROF}`] : [];
      service = startProcess([...profile, 'services/reporting/src/main.ts'], { ...env, ...extra });
      service.stderr!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
      await waitFor('the reporting service', async () => ((await fetch(`${url}/health`)).ok ? true : undefined), 120_000, 500);
    };
    // Started once for its migrations, then stopped: the seed stands for a log kept over ten years and folded along the
    // way, and the rebuild below folds it (a running folder would fold it as it is written).
    await startService();
    await stopService();

    // 1. Seed ten years into the log, as the consumer would have kept them.
    await owner.connect();
    await owner.query(`SELECT set_config('app.tenant_ids', $1, false)`, [tenants.join(',')]);
    await owner.query(`INSERT INTO reporting.known_tenant (tenant_id) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING`, [tenants]);
    const rand = random(20_261_128);
    let seeded = 0;
    let loans = 0;
    const seedStarted = performance.now();
    for (let year = FIRST_YEAR; year < FIRST_YEAR + YEARS; year++) {
      const events: Event[] = [];
      for (let n = 0; n < LOANS_PER_YEAR; n++) events.push(...loanEvents(rand, year, n, ''));
      loans += LOANS_PER_YEAR;
      // Within a year, in time order: the log holds each loan's facts in the order they happened.
      events.sort((a, b) => a.occurredAt.localeCompare(b.occurredAt));
      for (let i = 0; i < events.length; i += 20_000) {
        const chunk = events.slice(i, i + 20_000);
        await owner.query(
          `INSERT INTO reporting.consumed_event (message_id, tenant_id, name, occurred_at, payload)
           SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[])`,
          [chunk.map((e) => e.messageId), chunk.map((e) => e.tenantId), chunk.map((e) => e.name), chunk.map((e) => e.occurredAt), chunk.map((e) => JSON.stringify(e.payload))],
        );
      }
      seeded += events.length;
      log(`seeded ${year}: ${fmt(events.length)} events`);
    }
    // Ten years written in a minute leave work a log that grew over ten years would have done along the way: the vacuum
    // of two million new rows (autovacuum would run it during the measured phases) and their dirty pages (checkpoint).
    const settleStarted = performance.now();
    // Folded along the way: the folder starts past the seed (the rebuild below, when it runs, builds its facts).
    await owner.query(`UPDATE reporting.fold_progress SET folded_up_to = (SELECT max(seq) FROM reporting.consumed_event)`);
    await owner.query('VACUUM (ANALYZE) reporting.consumed_event');
    const admin = new Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    await admin.query('CHECKPOINT').finally(() => admin.end());
    rows.push(['seed the log (SQL, not measured as a target)', fmt(seeded), `${((performance.now() - seedStarted) / 1000).toFixed(1)} s`, `${fmt(loans)} files, ${TENANTS} CCAS, ${FEDERATIONS} federations; then vacuumed and checkpointed in ${((performance.now() - settleStarted) / 1000).toFixed(1)} s`]);

    const rebuildWithCli = async () => {
      const rebuildStarted = performance.now();
      const cli = startProcess(['services/reporting/src/rebuild.cli.ts'], { DATABASE_URL: db.appUrl });
      let stdout = '';
      let lastProgress = '';
      cli.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      cli.stderr!.on('data', (chunk: Buffer) => (lastProgress = chunk.toString().trim().split('\n').pop() ?? lastProgress));
      const code = await new Promise<number>((resolve) => cli.on('exit', (status) => resolve(status ?? 1)));
      if (code !== 0) throw new Error(`rebuild failed: ${lastProgress}`);
      const rebuilt = JSON.parse(stdout) as { events: number; elapsedMs: number; rows: Record<string, number> };
      return { rebuilt, seconds: (performance.now() - rebuildStarted) / 1000, lastProgress };
    };

    // 2. Rebuild from zero with the service's CLI (progress on stderr, counts and checksums on stdout).
    // The figures and the page read the facts the rebuild writes: they need it too.
    if (PHASES.has('rebuild') || PHASES.has('api') || PHASES.has('page')) {
      const { rebuilt, seconds, lastProgress } = await rebuildWithCli();
      rows.push(['rebuild from zero (CLI, one transaction)', fmt(rebuilt.events), `${seconds.toFixed(1)} s`, `${fmt(rebuilt.events / (rebuilt.elapsedMs / 1000))} ev/s (in the CLI's transaction; ${fmt(rebuilt.events / seconds)} with process start); ${fmt(rebuilt.rows['reporting.loan_fact'] ?? 0)} loans`]);
      log(`rebuild: ${lastProgress}`);
    }

    // 3. Kafka → read models: new files of the last year published as the services' relays do, the service consuming;
    // first a baseline with one log statement per message, then the service as deployed (a chunk's messages in one).
    // Only the rows past a position are counted: a count of the whole log (two million rows at ten years) every 100 ms
    // took the server's CPU from the service being measured.
    const lastSeq = async () => Number((await owner.query(`SELECT coalesce(max(seq), 0) AS n FROM reporting.consumed_event`)).rows[0].n);
    const countLogAfter = async (seq: number) => Number((await owner.query(`SELECT count(*) AS n FROM reporting.consumed_event WHERE seq > $1`, [seq])).rows[0].n);
    // What the folder has not folded yet: the logged rows past its position (ADR 0013).
    const unfolded = async () => Number((await owner.query(`SELECT count(*) AS n FROM reporting.consumed_event WHERE seq > (SELECT folded_up_to FROM reporting.fold_progress)`)).rows[0].n);
    const registry = withTopicPrefix(contractRegistry, prefix);
    const kafkaRand = random(7);
    let batchNo = 0;
    // `backlog`: the service is stopped while the events are published, then started on them (a catch-up): the rate runs
    // from the first chunk logged to the last folded, without the publisher (the bench, on the same two cores) in it.
    const consume = async (label: string, count: number, backlog = false) => {
      const fresh: Event[] = [];
      batchNo += 1;
      for (let n = 0; fresh.length < count; n++) fresh.push(...loanEvents(kafkaRand, FIRST_YEAR + YEARS - 1, n, `k${batchNo}`));
      fresh.length = count;
      const from = await lastSeq();
      if (backlog) await stopService();
      const transport = createKafkaTransport({ brokers: kafkaBrokers, clientId: 'bench-reporting' });
      const producer = await transport.producer({ idempotent: true });
      const published = performance.now();
      for (let i = 0; i < fresh.length; i += 5_000) {
        await producer.send(
          fresh.slice(i, i + 5_000).map((e) => {
            const contract = registry.get(e.name)!;
            const envelope = createEnvelope(contract, e.payload as never, { messageId: e.messageId, occurredAt: e.occurredAt, correlationId: e.messageId });
            return { topic: contract.topic, key: contract.key(envelope.payload as never), value: JSON.stringify(envelope), headers: headersOf(envelope) };
          }),
        );
      }
      const publishSeconds = (performance.now() - published) / 1000;
      await producer.close();
      await transport.close();
      if (backlog) {
        const starting = startService();
        // From the first chunk seen in the log (the events already in it when first seen are not counted).
        const [firstSeen, seenCount] = await waitFor('the first chunk logged', async () => {
          const n = await countLogAfter(from);
          return n > 0 ? ([performance.now(), n] as const) : undefined;
        }, 600_000, 20);
        await starting;
        await waitFor('every published event logged', async () => ((await countLogAfter(from)) >= count ? true : undefined), 1_800_000, 100);
        await waitFor('every logged event folded', async () => ((await unfolded()) === 0 ? true : undefined), 1_800_000, 50);
        const seconds = (performance.now() - firstSeen) / 1000;
        rows.push([label, fmt(count), `${seconds.toFixed(1)} s`, `${fmt((count - seenCount) / seconds)} ev/s folded (from the first chunk logged, ${fmt(seenCount)} events then, to the last folded; published in ${publishSeconds.toFixed(1)} s before the service started)`]);
        return;
      }
      const logged = await waitFor('every published event logged', async () => ((await countLogAfter(from)) >= count ? performance.now() : undefined), 1_800_000, 100);
      await waitFor('every logged event folded', async () => ((await unfolded()) === 0 ? true : undefined), 1_800_000, 100);
      const consumeSeconds = (performance.now() - published) / 1000;
      const logSeconds = (logged - published) / 1000;
      rows.push([label, fmt(count), `${consumeSeconds.toFixed(1)} s`, `${fmt(count / consumeSeconds)} ev/s folded (${fmt(count / logSeconds)} ev/s into the log; publishing took ${publishSeconds.toFixed(1)} s of it)`]);
    };
    if (PHASES.has('consume')) {
      if (BASELINE_EVENTS > 0) {
        // The consumer as it was before batching: one log statement per message, 100 per transaction, one partition at a time.
        await startService({ REPORTING_LOG_IN_BATCHES: 'false', REPORTING_CONSUMER_TRANSACTION_SIZE: '100', REPORTING_CONSUMER_PARTITIONS: '1' });
        await consume('Kafka → log → read models, one log statement per message (baseline)', BASELINE_EVENTS);
      }
      await startService();
      await consume('Kafka → log → read models, a chunk in one statement (service as deployed)', KAFKA_EVENTS);
      // The same once the events wait in Kafka (a service back after a pause, or events published elsewhere).
      await consume('Kafka backlog → log → read models (service as deployed, started on the waiting events)', KAFKA_EVENTS, true);
      // Whether the kept figures' background refresh took a share of the catch-up (it waits while hundreds of CCAS move).
      const metrics = await (await fetch(`${url}/metrics`)).text();
      const read = (by: string) => new RegExp(`^reporting_kept_figures_tenants_read_total\\{[^}]*by="${by}"[^}]*\\} (\\d+)`, 'm').exec(metrics)?.[1] ?? '0';
      log(`CCAS read for the kept figures since the service started on the backlog: ${read('start')} warming at start, ${read('refresh')} by the background refresh`);
    }

    // 4. The figures API for the heaviest filters: the Caisse des Dépôts over all 300 CCAS; first every answer computed
    // afresh (REPORTING_FIGURES_CACHE=false), then as deployed (an answer kept while the read models do not move).
    const token = await signDevToken(key, { role: 'guarantorOfficer', tenants, userId: 'cdc-bench', organisationId: 'cdc', organisationKind: 'guarantor' }, { issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE });
    const lastYear = String(FIRST_YEAR + YEARS - 1);
    const timedFigures = async (query: string) => {
      const started = performance.now();
      const response = await fetch(`${url}/reporting/figures?${query}`, { headers: { authorization: `Bearer ${token}` } });
      await response.text();
      if (!response.ok) throw new Error(`${query} answered ${response.status}`);
      return { ms: performance.now() - started, timing: response.headers.get('server-timing') ?? '' };
    };
    const measureApi = async (how: string, beforeEach?: () => Promise<void>) => {
      for (const query of [`period=${lastYear}&groupBy=tenant`, `period=${lastYear}&groupBy=federation`, `period=${lastYear}&groupBy=product`, `period=${lastYear}-Q4&groupBy=tenant`, `period=${lastYear}&groupBy=tenant&format=csv&table=groups`]) {
        const times: number[] = [];
        const loads: number[] = [];
        const computes: number[] = [];
        const reread: number[] = [];
        for (let i = 0; i < API_REQUESTS + 2; i++) {
          await beforeEach?.();
          const started = performance.now();
          const response = await fetch(`${url}/reporting/figures?${query}`, { headers: { authorization: `Bearer ${token}` } });
          await response.text();
          if (!response.ok) throw new Error(`${query} answered ${response.status}`);
          if (i < 2) continue;
          times.push(performance.now() - started);
          // The service's own split: database read, then figures in Node (the rest is HTTP, JSON and the network).
          const timing = response.headers.get('server-timing') ?? '';
          loads.push(Number(/load;(?:desc="[^"]*";)?dur=([\d.]+)/.exec(timing)?.[1] ?? 0));
          // How many CCAS the answer read again (kept tallies for the others).
          const read = /desc="(\d+) of \d+ CCAS read"/.exec(timing)?.[1];
          if (read !== undefined) reread.push(Number(read));
          computes.push(Number(/figures;dur=([\d.]+)/.exec(timing)?.[1] ?? 0));
        }
        [times, loads, computes].forEach((list) => list.sort((a, b) => a - b));
        const split = loads[loads.length - 1]! > 0 ? ` (median: read ${percentile(loads, 50).toFixed(0)} ms, figures ${percentile(computes, 50).toFixed(0)} ms)` : '';
        const rereads = reread.length ? `; CCAS read again per answer: ${Math.min(...reread)}–${Math.max(...reread)}` : '';
        rows.push([`GET /reporting/figures?${query} ${how}`, `${API_REQUESTS}`, '', `p50 ${percentile(times, 50).toFixed(0)} ms, p95 ${percentile(times, 95).toFixed(0)} ms${split}${rereads}`]);
      }
    };
    if (PHASES.has('api')) {
      await startService({ REPORTING_FIGURES_CACHE: 'false' });
      await measureApi('— computed afresh');
      if (process.env.BENCH_REPORTING_EXPLAIN) {
        // Where the read's time goes: the loans of the year with their file, as the service reads them, under the scope
        // policy; planned freely, then with hash joins only as the service now asks (the same data, one after the other).
        for (const nestloop of ['on', 'off']) {
          await owner.query('BEGIN');
          await owner.query(`SET LOCAL enable_nestloop = ${nestloop}`);
          const plan = await owner.query(
            `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
             SELECT l.*, a.transmitted_at, f.opened_at FROM reporting.loan_fact l
             LEFT JOIN reporting.application_fact a ON a.tenant_id = l.tenant_id AND a.application_id = l.application_id
             LEFT JOIN reporting.file_fact f ON f.tenant_id = l.tenant_id AND f.application_id = l.application_id
             WHERE l.tenant_id = ANY($1) AND ((l.approved_at >= $2::date AND l.approved_at < $3::date) OR (l.refused_at >= $2::date AND l.refused_at < $3::date) OR (l.disbursed_at >= $2::date AND l.disbursed_at < $3::date))`,
            [tenants, `${lastYear}-01-01`, `${Number(lastYear) + 1}-01-01`],
          );
          await owner.query('ROLLBACK');
          log(`EXPLAIN of the year's loans (enable_nestloop = ${nestloop}):\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}`);
        }
        // And for the few CCAS an answer reads again once the log moved (planned freely, as the service leaves it).
        const few = tenants.slice(0, 5);
        const plan = await owner.query(
          `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, SUMMARY ON)
           SELECT l.*, a.transmitted_at, f.opened_at FROM reporting.loan_fact l
           LEFT JOIN reporting.application_fact a ON a.tenant_id = l.tenant_id AND a.application_id = l.application_id
           LEFT JOIN reporting.file_fact f ON f.tenant_id = l.tenant_id AND f.application_id = l.application_id
           WHERE l.tenant_id = ANY($1) AND greatest(l.approved_at, l.refused_at, l.disbursed_at) >= $2::timestamptz AND ((l.approved_at >= $2::timestamptz AND l.approved_at < $3::timestamptz) OR (l.refused_at >= $2::timestamptz AND l.refused_at < $3::timestamptz) OR (l.disbursed_at >= $2::timestamptz AND l.disbursed_at < $3::timestamptz))`,
          [few, `${lastYear}-01-01`, `${Number(lastYear) + 1}-01-01`],
        );
        log(`EXPLAIN of the year's loans of 5 CCAS:\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}`);
      }
      const started = performance.now();
      await startService();
      const ready = performance.now();
      // The first answer once the service answers /health: the current year's tallies are read at start (before
      // requests are taken), so it should not pay for reading 300 CCAS.
      const first = await timedFigures(`period=${lastYear}&groupBy=tenant`);
      rows.push([`GET /reporting/figures?period=${lastYear}&groupBy=tenant, the first answer after a start`, '1', '', `${first.ms.toFixed(0)} ms (${first.timing}); the service took ${((ready - started) / 1000).toFixed(1)} s to start, warming included`]);
      await measureApi('— as deployed (kept answers)');
      // The log moving as in office hours: before each request a few new files (their transmission, decision,
      // disbursement…) are logged and folded, so every answer is recomputed for the CCAS they touch.
      const moving = random(11);
      let step = 0;
      await measureApi('— as deployed, 5 new files folded before each request', async () => {
        step += 1;
        const fresh = Array.from({ length: 5 }, (_, n) => loanEvents(moving, FIRST_YEAR + YEARS - 1, n, `m${step}-`)).flat();
        // Logged as the consumer logs: under the append lock, so positions follow commit order (ADR 0013).
        await owner.query(
          `WITH appending AS MATERIALIZED (SELECT pg_advisory_xact_lock(${LOG_APPEND_LOCK}))
           INSERT INTO reporting.consumed_event (message_id, tenant_id, name, occurred_at, payload)
           SELECT u.* FROM appending, unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::jsonb[]) AS u`,
          [fresh.map((e) => e.messageId), fresh.map((e) => e.tenantId), fresh.map((e) => e.name), fresh.map((e) => e.occurredAt), fresh.map((e) => JSON.stringify(e.payload))],
        );
        await waitFor('the new files folded', async () => ((await unfolded()) === 0 ? true : undefined), 60_000, 20);
      });
      // A rebuild by the CLI (another process) while the service runs: every CCAS's facts are rewritten, so every kept
      // tally is stale. An answer right after it reads them all; the service refreshes them itself once the facts stand
      // still (its metric says up to which count of fact writes).
      await rebuildWithCli();
      const rebuiltAt = performance.now();
      const writes = Number((await owner.query(`SELECT writes FROM reporting.fold_progress`)).rows[0].writes);
      const afterRebuild = await timedFigures(`period=${lastYear}&groupBy=tenant`);
      const keptWrites = async () => Number(/^reporting_kept_figures_writes(?:\{[^}]*\})? (\d+)$/m.exec(await (await fetch(`${url}/metrics`)).text())?.[1] ?? -1);
      await waitFor('the kept figures refreshed after the rebuild', async () => ((await keptWrites()) >= writes ? true : undefined), 120_000, 100);
      const refreshedAfter = (performance.now() - rebuiltAt) / 1000;
      const afterRefresh = await timedFigures(`period=${lastYear}&groupBy=federation`);
      rows.push([
        `GET /reporting/figures?period=${lastYear}, after a rebuild by the CLI with the service running`,
        '2',
        '',
        `at once: ${afterRebuild.ms.toFixed(0)} ms (${afterRebuild.timing}); kept figures refreshed by the service ${refreshedAfter.toFixed(1)} s after the rebuild, then ${afterRefresh.ms.toFixed(0)} ms (${afterRefresh.timing})`,
      ]);
    }

    // 5. The page, in headless Chromium, until its figures are drawn.
    if (PHASES.has('page')) {
      const browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
      try {
        const times: number[] = [];
        for (let i = 0; i < 4; i++) {
          const page = await browser.newPage({ viewport: { width: 1280, height: 1400 } });
          const started = performance.now();
          await page.goto(`${url}/reporting/dashboard#token=${token}&period=${lastYear}`);
          await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
          if (i >= 1) times.push(performance.now() - started);
          await page.close();
        }
        times.sort((a, b) => a - b);
        rows.push(['dashboard page ready (Chromium, 300 CCAS)', '3', '', `median ${percentile(times, 50).toFixed(0)} ms, worst ${times[times.length - 1]!.toFixed(0)} ms`]);
      } finally {
        await browser.close();
    }
    }
  } finally {
    await owner.end().catch(() => undefined);
    if (service) {
      service.kill('SIGTERM');
      await new Promise((resolve) => service!.once('exit', resolve));
    }
    await rm(keysDir, { recursive: true, force: true });
  }

  const width = rows.reduce((w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)), [0, 0, 0, 0]);
  const line = (row: readonly string[]) => `| ${row.map((cell, i) => cell.padEnd(width[i]!)).join(' | ')} |`;
  const table = [line(['phase', 'events', 'time', 'result']), `|${width.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
  const machine = `${cpus()[0]?.model.trim() ?? 'cpu'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}, Node ${process.version}`;
  const summary = `reporting: ${rows.map((row) => `${row[0]}: ${row[3]}`).join('; ')}`;
  log(`\nRun on ${new Date().toISOString()}; ${machine}; load average ${loadAtStart.toFixed(2)} at start, ${loadavg()[0]!.toFixed(2)} at end.\n`);
  log(table);
  log(`\n${summary}`);
  await writeFile(join(tmpdir(), 'reporting-bench-last.md'), `${new Date().toISOString()}\n${machine}\nload ${loadAtStart.toFixed(2)} → ${loadavg()[0]!.toFixed(2)}\n\n${table}\n`);
}
