import { randomUUID } from 'node:crypto';
import { appendFile, readFile } from 'node:fs/promises';
import { cpus, loadavg, platform as osPlatform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { startPlatformProcesses, type RunningPlatform } from '@tremplin/testing';
import type { BenchContext } from './run';

// A command in one service → its effect visible in another service's read model, across Kafka, with both services
// as separate processes started the way `npm start` starts them: a bank advisor's application received by lending
// (POST …/loans/applications) until reporting's loan_fact row for that loan exists. The load is offered open-loop at
// a fixed rate (a command every 1/rate s whether or not earlier ones answered), step by step, so a saturated platform
// shows as growing latency, not as a politely slower client. Latency runs from the moment the request is sent.

const RATES = (process.env.BENCH_E2E_RATES ?? '10,25,50,75,100').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_E2E_STEP_SECONDS ?? 20);
const TARGET_RATE = 50;
const TARGET_P99_MS = 250;
const POLL_MS = 5;
const TENANT = 'ccas-bench';

interface Sample {
  readonly sentAt: number;
  answeredAt?: number;
  status?: number;
  loanId?: string;
  visibleAt?: number;
}

interface StepResult {
  readonly rate: number;
  readonly sent: number;
  readonly answered2xx: number;
  readonly failed: number;
  readonly visible: number;
  readonly ackP50: number;
  readonly ackP99: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly throughput: number;
}

const percentile = (sorted: readonly number[], p: number) => (sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const fmt = (ms: number) => (Number.isFinite(ms) ? ms.toFixed(1) : '—');
const load = () => loadavg().map((value) => value.toFixed(1)).join(' / ');

/** Watches reporting's read model for the loans still awaited, one query per tick for all of them. */
function watchVisibility(client: Client, pending: Map<string, Sample>): { stop(): Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      const ids = [...pending.keys()];
      if (ids.length > 0) {
        const { rows } = await client.query<{ loan_id: string }>('SELECT loan_id FROM reporting.loan_fact WHERE loan_id = ANY($1::text[])', [ids]);
        const now = performance.now();
        for (const { loan_id } of rows) {
          const sample = pending.get(loan_id);
          if (sample) {
            sample.visibleAt = now;
            pending.delete(loan_id);
          }
        }
      }
      await sleep(POLL_MS);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
    },
  };
}

async function step(platform: RunningPlatform, token: string, watcher: Client, rate: number, seconds: number, label: string): Promise<StepResult> {
  const samples: Sample[] = [];
  const pending = new Map<string, Sample>();
  const watch = watchVisibility(watcher, pending);
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  const total = Math.round(rate * seconds);
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    const sample: Sample = { sentAt: performance.now() };
    samples.push(sample);
    const applicationId = `${label}-${rate}-${i}-${randomUUID().slice(0, 8)}`;
    inFlight.push(
      platform
        .call('lending', 'POST', `/tenants/${TENANT}/loans/applications`, {
          token,
          key: randomUUID(),
          body: { applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 182_500, requestedTermMonths: 24 },
          timeoutMs: 30_000,
        })
        .then(
          (reply) => {
            sample.answeredAt = performance.now();
            sample.status = reply.status;
            if (reply.status < 300) {
              sample.loanId = String(reply.body.loanId);
              if (sample.visibleAt === undefined) pending.set(sample.loanId, sample);
            }
          },
          () => {
            sample.answeredAt = performance.now();
            sample.status = 0;
          },
        ),
    );
  }
  await Promise.all(inFlight);
  const sendEnd = performance.now();
  // What was acknowledged must arrive: wait for the stragglers (bounded, and said if any never arrive).
  const deadline = performance.now() + 60_000;
  while (pending.size > 0 && performance.now() < deadline) await sleep(20);
  await watch.stop();
  const ok = samples.filter((s) => s.status !== undefined && s.status >= 200 && s.status < 300);
  const latencies = ok.filter((s) => s.visibleAt !== undefined).map((s) => s.visibleAt! - s.sentAt).sort((a, b) => a - b);
  const acks = ok.map((s) => s.answeredAt! - s.sentAt).sort((a, b) => a - b);
  const lastVisible = Math.max(...ok.map((s) => s.visibleAt ?? 0));
  return {
    rate,
    sent: samples.length,
    answered2xx: ok.length,
    failed: samples.length - ok.length,
    visible: latencies.length,
    ackP50: percentile(acks, 50),
    ackP99: percentile(acks, 99),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    max: latencies.length ? latencies[latencies.length - 1]! : Number.NaN,
    throughput: latencies.length / ((Math.max(lastVisible, sendEnd) - start) / 1000),
  };
}

export async function run(context: BenchContext): Promise<void> {
  process.env.TREMPLIN_PG_ADMIN_URL = context.postgresAdminUrl;
  process.env.KAFKA_BROKERS = context.kafkaBrokers.join(',');
  const startedAt = new Date();
  const loadAtStart = load();
  const platform = await startPlatformProcesses({ services: ['lending', 'reporting'] });
  const watcher = new Client({ connectionString: platform.ownerUrl('reporting') });
  const results: StepResult[] = [];
  try {
    await watcher.connect();
    // Row-level security is forced on the read models, for the owner too: the watcher reads as the bench's CCAS.
    await watcher.query(`SELECT set_config('app.tenant_id', $1, false)`, [TENANT]);
    const token = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT] });
    context.log(`e2e: lending → Kafka → reporting, open-loop steps of ${STEP_SECONDS} s at ${RATES.join(', ')} commands/s (load ${loadAtStart})`);
    const warm = await step(platform, token, watcher, 10, 3, 'warm');
    context.log(`warm-up: ${warm.visible}/${warm.sent} visible, p50 ${fmt(warm.p50)} ms`);
    for (const rate of RATES) {
      const result = await step(platform, token, watcher, rate, STEP_SECONDS, 'step');
      results.push(result);
      context.log(
        `${String(rate).padStart(4)} cmd/s offered: ${result.answered2xx}/${result.sent} answered 2xx, ${result.visible} visible; answer p50 ${fmt(result.ackP50)} p99 ${fmt(result.ackP99)} ms; ` +
          `command → reporting p50 ${fmt(result.p50)} p99 ${fmt(result.p99)} max ${fmt(result.max)} ms; ${result.throughput.toFixed(1)} effects/s (load ${load()})`,
      );
    }
  } finally {
    await watcher.end().catch(() => undefined);
    await platform.stop();
  }
  const loadAtEnd = load();
  const atTarget = results.find((r) => r.rate === TARGET_RATE);
  const crossing = results.find((r) => !(r.p99 <= TARGET_P99_MS) || r.visible < r.answered2xx);
  const lastUnder = [...results].reverse().find((r) => r.p99 <= TARGET_P99_MS && r.visible === r.answered2xx && (!crossing || r.rate < crossing.rate));
  const lost = results.reduce((n, r) => n + (r.answered2xx - r.visible), 0);
  const targetMet = atTarget !== undefined && atTarget.p99 <= TARGET_P99_MS && atTarget.visible === atTarget.answered2xx;
  const atTargetText = atTarget
    ? `at ${TARGET_RATE} cmd/s p50 ${fmt(atTarget.p50)} ms p99 ${fmt(atTarget.p99)} ms (target ≤ ${TARGET_P99_MS}: ${targetMet ? 'met' : 'missed'})`
    : `${TARGET_RATE} cmd/s not offered in this run (target not measured)`;
  const summary =
    `e2e: lending → reporting ${atTargetText}; ` +
    `p99 crosses ${TARGET_P99_MS} ms ${crossing ? `at ${crossing.rate} cmd/s` : `above ${RATES[RATES.length - 1]} cmd/s`}${lastUnder ? ` (last step under: ${lastUnder.rate} cmd/s)` : ''}; ${lost} acknowledged commands not visible`;

  const file = join(__dirname, '..', 'docs', 'benchmarks', 'e2e.md');
  const header = '# End-to-end latency benchmark\n\n' +
    'Run: `npm run bench -- e2e`. A command in one service to its effect in another service\'s read model: a bank advisor\'s\n' +
    'application received by lending (`POST /tenants/{t}/loans/applications`), published through the outbox on Kafka,\n' +
    'consumed and folded by reporting, until its `reporting.loan_fact` row exists (watched every 5 ms). Both services\n' +
    'run as their own processes, as `npm start` runs them; the load is offered open-loop at a fixed rate per step.\n' +
    'Environment: `BENCH_E2E_RATES` (default 10,25,50,75,100), `BENCH_E2E_STEP_SECONDS` (default 20).\n';
  const exists = await readFile(file, 'utf8').then(
    () => true,
    () => false,
  );
  const table = [
    `\n## ${startedAt.toISOString()}`,
    '',
    `Machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${osPlatform()} ${release()}, Node ${process.version}; ` +
      `load average (1, 5, 15 min) ${loadAtStart} at start and ${loadAtEnd} at the end (a shared machine: other work competes for the same cores).`,
    `Steps of ${STEP_SECONDS} s; embedded PostgreSQL (durable settings) and a local single-node Kafka on the same machine as both services.`,
    '',
    '| offered cmd/s | sent | 2xx | visible | answer p50 / p99 ms | command → reporting p50 ms | p99 ms | max ms | effects/s |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...results.map((r) => `| ${r.rate} | ${r.sent} | ${r.answered2xx} | ${r.visible} | ${fmt(r.ackP50)} / ${fmt(r.ackP99)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.max)} | ${r.throughput.toFixed(1)} |`),
    '',
    `Summary: ${summary}`,
    '',
  ].join('\n');
  await appendFile(file, (exists ? '' : header) + table);
  context.log(summary);
}
