import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { contractRegistry, createEnvelope, instalmentMissedV1, withTopicPrefix, type Envelope } from '@tremplin/contracts';
import { provisionDatabase, KAFKA_VERSION } from '@tremplin/local-infra';
import { HEADERS, createInboxConsumer, createKafkaTransport, createOutboxRelay, enqueue, messagingMigrations, notifyOutbox, on, sleep } from '@tremplin/messaging';
import { createPool, runMigrations, withTransaction } from '@tremplin/pg';
import type { BenchContext } from './run';

// Sizes: 20,000 messages for throughput, 10,000 at 1,000 msg/s for latency; about a minute in all.
const THROUGHPUT_MESSAGES = Number(process.env.BENCH_THROUGHPUT_MESSAGES ?? 20_000);
const LATENCY_RATE = 1_000; // offered messages per second
const LATENCY_SECONDS = Number(process.env.BENCH_LATENCY_SECONDS ?? 10);
const WARM_UP_SECONDS = 1;
const LOANS = 500;
const FILL_CHUNK = 1_000;

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export async function run({ postgresAdminUrl, kafkaBrokers, log }: BenchContext): Promise<void> {
  const loadAtStart = loadavg()[0]!;
  const database = `bench_messaging_${randomUUID().slice(0, 8)}`;
  const db = await provisionDatabase(postgresAdminUrl, database);
  await runMigrations(db.ownerUrl, [messagingMigrations]);
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  await owner.query(`CREATE SCHEMA bench; GRANT USAGE ON SCHEMA bench TO tremplin_app;
    CREATE TABLE bench.arrears (loan_id text PRIMARY KEY, total bigint NOT NULL); GRANT SELECT, INSERT, UPDATE ON bench.arrears TO tremplin_app;`);
  const serverVersion = (await owner.query('SHOW server_version')).rows[0].server_version as string;
  await owner.end();

  const pool = createPool(db.appUrl, { max: 16 });
  const transport = createKafkaTransport({ brokers: kafkaBrokers, clientId: 'bench-messaging' });
  const registry = withTopicPrefix(contractRegistry, `bench${randomUUID().slice(0, 6)}.`);
  const topic = registry.get(instalmentMissedV1.name)!.topic;
  await transport.ensureTopics(registry.topicsToCreate().filter((spec) => spec.name.startsWith(topic)));
  const tenantId = 'tenant-bench';
  const loans = Array.from({ length: LOANS }, (_, i) => `loan${i}`);
  let seq = 0;
  const envelope = (): Envelope => {
    seq += 1;
    return createEnvelope(
      instalmentMissedV1,
      { tenantId, loanId: loans[seq % LOANS]!, instalmentNumber: 1 + Math.floor(seq / LOANS), dueDate: '2026-03-05', unpaidCount: 1, daysPastDue: 5, arrearsCents: 4_250 },
      { messageId: randomUUID(), occurredAt: '2026-03-10T08:00:00.000Z', correlationId: randomUUID() },
    );
  };
  const rows: Array<[string, string, string, string]> = [];

  try {
    // 1. Sustained relay throughput: a full outbox drained to Kafka (acks=all, idempotent producer).
    for (let i = 0; i < THROUGHPUT_MESSAGES; i += FILL_CHUNK) {
      const chunk = Array.from({ length: Math.min(FILL_CHUNK, THROUGHPUT_MESSAGES - i) }, envelope);
      await withTransaction(pool, (tx) => enqueue(tx, chunk, registry));
    }
    // Latency probes (phase 2): every timestamp is performance.now() of this one process, so stages subtract exactly.
    const traces = new Map<string, Trace>();
    const polls: number[] = [];
    let tracing = false;
    const relay = createOutboxRelay({
      pool,
      transport,
      name: 'bench-relay',
      hooks: {
        afterFetch: (fetched, polledAt) => {
          if (!tracing) return;
          const now = performance.now();
          polls.push(polledAt);
          for (const row of fetched) {
            const trace = traces.get(row.messageId);
            if (trace && trace.fetched === undefined) Object.assign(trace, { fetchedPoll: polledAt, fetched: now });
          }
        },
        afterPublish: (acked) => {
          if (!tracing) return;
          const now = performance.now();
          for (const row of acked) {
            const trace = traces.get(row.messageId);
            if (trace && trace.acked === undefined) trace.acked = now;
          }
        },
      },
    });
    const started = performance.now();
    relay.start();
    await waitUntil(async () => relay.stats().marked >= THROUGHPUT_MESSAGES, 120_000);
    const seconds = (performance.now() - started) / 1000;
    const throughput = THROUGHPUT_MESSAGES / seconds;
    rows.push(['relay drain (1 relay, batch 1,000)', fmt(THROUGHPUT_MESSAGES), `${seconds.toFixed(2)} s`, `${fmt(throughput)} msg/s`]);
    log(`relay: ${fmt(THROUGHPUT_MESSAGES)} messages in ${seconds.toFixed(2)} s`);

    // 2. End to end at a steady offered load: outbox insert → relay → Kafka → consumer's inbox transaction commit.
    // A fresh topic, so the consumer starts on an empty log rather than on phase 1's backlog.
    const latencyRegistry = withTopicPrefix(contractRegistry, `bench${randomUUID().slice(0, 6)}.`);
    const latencyTopic = latencyRegistry.get(instalmentMissedV1.name)!.topic;
    await transport.ensureTopics(latencyRegistry.topicsToCreate().filter((spec) => spec.name.startsWith(latencyTopic)));
    const consumer = createInboxConsumer({
      name: 'bench',
      pool,
      transport,
      registry: latencyRegistry,
      partitionsConsumedConcurrently: 6,
      handlers: [
        on(instalmentMissedV1, async (payload, { tx }) => {
          await tx.query(
            `INSERT INTO bench.arrears AS a (loan_id, total) VALUES ($1, $2) ON CONFLICT (loan_id) DO UPDATE SET total = a.total + EXCLUDED.total`,
            [payload.loanId, payload.arrearsCents],
          );
        }),
      ],
      hooks: {
        batchReceived: (batch) => {
          const now = performance.now();
          for (const message of batch.messages) {
            const trace = traces.get(message.headers[HEADERS.messageId] ?? '');
            if (trace && trace.received === undefined) trace.received = now;
          }
        },
        afterTransaction: ({ envelope: handled, outcome }) => {
          const trace = traces.get(handled.messageId);
          if (trace && outcome === 'handled' && trace.committed === undefined) trace.committed = performance.now();
        },
      },
    });
    let offered = 0;
    await consumer.start();
    // Only once the group has its partitions: a joining consumer is not what this phase measures.
    await withTransaction(pool, (tx) => enqueue(tx, [envelope()], latencyRegistry));
    await waitUntil(async () => consumer.stats().handled >= 1, 60_000);

    const total = LATENCY_RATE * (LATENCY_SECONDS + WARM_UP_SECONDS);
    const loopDelay = monitorEventLoopDelay({ resolution: 1 });
    const cpuBefore = await cpuSample();
    loopDelay.enable();
    const offerStart = performance.now();
    const writers: Array<Promise<void>> = [];
    while (offered < total) {
      const elapsed = performance.now() - offerStart;
      // Only messages offered after the warm-up are measured.
      const measuring = elapsed >= WARM_UP_SECONDS * 1000;
      tracing ||= measuring;
      const due = Math.min(total, Math.floor((elapsed * LATENCY_RATE) / 1000)) - offered;
      if (due > 0) {
        const batch = Array.from({ length: due }, envelope);
        offered += due;
        const batchTraces = measuring ? batch.map((message) => ({ id: message.messageId, trace: { insert: performance.now() } as Trace })) : [];
        for (const { id, trace } of batchTraces) traces.set(id, trace);
        writers.push(
          withTransaction(pool, (tx) => enqueue(tx, batch, latencyRegistry)).then(async () => {
            const committed = performance.now();
            for (const { trace } of batchTraces) trace.commit = committed;
            // What appendWithOutbox does after its commit: wake the relay.
            await notifyOutbox(pool);
          }),
        );
      }
      await sleep(5);
    }
    await Promise.all(writers);
    const offeredSeconds = (performance.now() - offerStart) / 1000;
    await waitUntil(async () => consumer.stats().handled >= total + 1, 60_000);
    loopDelay.disable();
    const cpuAfter = await cpuSample();
    const cpuSeconds = (performance.now() - offerStart) / 1000;
    await consumer.stop();
    await relay.stop();

    const complete = [...traces.values()].filter((t): t is Required<Trace> => t.commit !== undefined && t.fetched !== undefined && t.acked !== undefined && t.received !== undefined && t.committed !== undefined);
    const stages = stageBreakdown(complete, polls);
    const latencies = complete.map((t) => t.committed - t.commit);
    const fromInsert = complete.map((t) => t.committed - t.insert);
    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const split = (values: number[]) => {
      const ordered = [...values].sort((a, b) => a - b);
      return `p50 ${percentile(ordered, 50).toFixed(0)} ms, p99 ${percentile(ordered, 99).toFixed(0)} ms`;
    };
    rows.push([`end to end at ${fmt(LATENCY_RATE)} msg/s offered`, fmt(total), `${offeredSeconds.toFixed(2)} s`, `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (${fmt(sorted.length)} measured)`]);
    rows.push(['  same, from before the insert (writer\'s commit included)', '', '', split(fromInsert)]);
    if (cpuBefore && cpuAfter) {
      const perMessage = (k: keyof CpuSample) => `${(((cpuAfter[k] - cpuBefore[k]) * 1e6) / total).toFixed(0)} µs`;
      const cores = (['node', 'postgres', 'kafka'] as const).reduce((t, k) => t + cpuAfter[k] - cpuBefore[k], 0) / cpuSeconds;
      rows.push(['  CPU per message: Node / PostgreSQL / Kafka', '', '', `${perMessage('node')} / ${perMessage('postgres')} / ${perMessage('kafka')} (${cores.toFixed(2)} cores busy)`]);
    }
    rows.push(['  relay polls', '', '', `${fmt(polls.length / cpuSeconds)} per s, ${fmt(complete.length / Math.max(1, new Set(complete.map((t) => t.fetched)).size))} measured messages per published batch`]);
    rows.push(['  Node event-loop delay', '', '', `p50 ${(loopDelay.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(1)} ms`]);

    const stageRows = stages.map((stage) => {
      const ordered = [...stage.values].sort((a, b) => a - b);
      const mean = stage.values.reduce((sum, v) => sum + v, 0) / Math.max(1, stage.values.length);
      return [stage.name, percentile(ordered, 50).toFixed(1), percentile(ordered, 99).toFixed(1), mean.toFixed(1)];
    });
    const stageTable = renderTable(['stage', 'p50 ms', 'p99 ms', 'mean ms'], stageRows);

    const header = ['phase', 'messages', 'time', 'result'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
    const table = [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
    const summary = `messaging: relay ${Math.round(throughput)} msg/s, end-to-end p50 ${p50.toFixed(1)} ms p99 ${p99.toFixed(1)} ms`;

    await writeFile(
      join(__dirname, '..', 'docs', 'benchmarks', 'messaging.md'),
      [
        '# Messaging benchmark (outbox → Kafka → inbox)',
        '',
        `Run: \`npm run bench -- messaging\` on ${new Date().toISOString()}.`,
        `Machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, ${platform()} ${release()}, Node ${process.version};`,
        `1-minute load average ${loadAtStart.toFixed(1)} at start (read once PostgreSQL and Kafka had started) and ${loadavg()[0]!.toFixed(1)} at the end (the benchmark itself keeps most of the 2 cores busy; other work would compete for them);`,
        `PostgreSQL ${serverVersion} (embedded, durable: fsync and synchronous commit on), Apache Kafka ${KAFKA_VERSION} single node (KRaft), all on loopback.`,
        '',
        table,
        '',
        'Where the time goes, per message (the writer\'s row comes before the measured interval, the others add up to it; percentiles of stages do not add up, means do):',
        '',
        stageTable,
        '',
        summary,
        '',
        `Targets: relay ≥ 10,000 msg/s (${throughput >= 10_000 ? 'met' : 'missed'}), end-to-end p99 ≤ 100 ms (${p99 <= 100 ? 'met' : 'missed'}).`,
        'The figures move with the machine\'s load: compare runs made under the same load average.',
        '',
        '## What was measured',
        `- Relay throughput: ${fmt(THROUGHPUT_MESSAGES)} outbox rows (${LOANS} keys, contract \`${instalmentMissedV1.name}\`) written first, then one relay with its`,
        '  defaults (batches of up to 1,000 rows, idempotent producer, `acks=all`, one request in flight) drains them; the time runs from its',
        '  start to the moment every row is marked sent.',
        `- End-to-end latency: ${fmt(LATENCY_RATE)} msg/s offered for ${LATENCY_SECONDS} s after a ${WARM_UP_SECONDS} s warm-up (not measured), written in one small`,
        '  transaction every ~5 ms, each followed by `notifyOutbox` as `appendWithOutbox` does. Latency runs from the moment the writer\'s',
        '  COMMIT returned (the row exists for nobody before) to the moment the consumer\'s inbox transaction (inbox row + read-model',
        '  upsert) committed; the row "from before the insert" adds the writer\'s own transaction. Every timestamp is `performance.now()`',
        '  in the one benchmark process (writer, relay and consumer hooks), so stages subtract without clock skew. One consumer in the',
        '  group, six partitions processed concurrently.',
        '- Stages: the relay\'s wait is split at the first poll sent after the commit (before it: idle sleep or the previous batch;',
        '  after it: polls that could not return the row yet because an older transaction was still open, i.e. the snapshot horizon).',
        '  "Kafka → consumer batch" runs from the produce acknowledgement to the batch reaching the inbox consumer: kafkajs issues its next',
        '  fetch only once every partition batch of the previous fetch is processed, so it includes waiting for that cycle.',
        '',
        '## Before / after (same machine, 1-minute load below 1.0 at each start, one run each, 2026-11-24)',
        '',
        '| stage, p50 / p99 ms                       | before             | after, run 1       | after, run 2       |',
        '|-------------------------------------------|--------------------|--------------------|--------------------|',
        '| relay: commit → next poll                 | 8.0 / 22.7         | 1.2 / 10.4         | 1.5 / 10.9         |',
        '| relay: polls held back (horizon)          | 0.0 / 23.2         | 0.0 / 11.5         | 0.0 / 13.4         |',
        '| relay: outbox query                       | 5.1 / 11.4         | 1.4 / 6.2          | 1.8 / 6.6          |',
        '| relay: publish → Kafka ack                | 4.0 / 14.8         | 3.2 / 14.0         | 4.4 / 14.8         |',
        '| Kafka → consumer batch                    | 1.6 / 26.1         | 7.4 / 32.8         | 12.1 / 38.0        |',
        '| consumer: batch → inbox commit            | 10.2 / 33.2        | 8.4 / 32.9         | 11.8 / 31.0        |',
        '| end to end from the writer\'s commit       | 33.0 / 78.3        | 23.9 / 72.2        | 34.5 / 82.6        |',
        '| end to end from before the insert         | 37 / 84            | 29 / 83            | 41 / 91            |',
        '| relay drain                               | 10,514 msg/s       | 13,617 msg/s       | 11,094 msg/s       |',
        '| CPU per message Node / PostgreSQL / Kafka | 524 / 615 / 499 µs | 607 / 566 / 612 µs | 597 / 573 / 619 µs |',
        '',
        '"Before" is the previous code with the same probes; run 2 is the run recorded at the top of this file. Changes: idle relays are',
        'woken by `notifyOutbox` after the writer\'s commit instead of waiting out their 10 ms poll; the relay\'s connection uses the',
        'ordered index scan (the planner\'s bitmap scan re-read every dead entry that sent rows leave in the partial index: 2.2 ms a poll',
        'after 20,000 sent rows, 0.2 ms after); the consumer records a chunk\'s inbox rows in one statement. The relay\'s stages shrink in',
        'every run (about 17 ms → 6 ms at p50). End to end, two runs of the same code differ by 10 ms at p50, as much as before and after',
        'do: the relay now hands the consumer smaller, more frequent batches (8–10 messages rather than 20), so the consumer\'s fetch cycle is',
        'busy more often and "Kafka → consumer batch" grows by about what the relay saves, and the CPU per message barely moves. The',
        'previous figures in this file (p50 36.2 ms, p99 125.0 ms, from before the insert) were taken while the load rose from 0.8 to 1.6:',
        'under a load that stays low the old code gives the "before" column, so most of that p99 was CPU contention, not the pipeline.',
        '',
        '## What bounds them',
        '- CPU, first: the pipeline costs about 1.6–1.8 ms of CPU per message across Node (kafkajs encoding and decoding, zod, pg),',
        '  PostgreSQL and the broker\'s JVM, so 1,000 msg/s keeps 1.6–1.8 of the 2 cores busy. Every round trip then waits for a core,',
        '  which is what the p99 of each stage shows; the disk is not the limit (an fdatasync takes ~0.1 ms here, so a commit\'s cost is',
        '  its round trips, not its fsync; `synchronous_commit` stays on).',
        '- Relay throughput: one batch in flight at a time (per-key order needs `maxInFlightRequests: 1` with the idempotent producer); a',
        '  batch costs the outbox query, the kafkajs encoding (pure JavaScript, CRC included) and the broker\'s acknowledgement; the',
        '  `UPDATE` that marks it sent overlaps the next batch. Several relays split the 64 lanes, so they add throughput only where the',
        '  producer, not PostgreSQL, is the limit.',
        '- Latency: the relay now reacts to a commit within about a millisecond, so the consumer side dominates: kafkajs fetches again only',
        '  when every partition batch of its previous fetch is applied, and each partition batch is one PostgreSQL transaction. Smaller,',
        '  more frequent relay batches (8 rather than 20 messages) mean more consumer cycles, which is why "Kafka → consumer batch" grew',
        '  while the relay stages shrank. Further gains would come from one inbox transaction per fetch across partitions, or from less',
        '  CPU per message (a native Kafka client).',
        '- A long-open transaction anywhere in the database holds the relay back (the xid8 rule): the "polls held back" stage measures it.',
        '',
      ].join('\n'),
    );
    log('');
    log(stageTable);
    log('');
    log(table);
    log('');
    log(summary);
  } finally {
    await transport.close();
    await pool.end();
    const admin = new Client({ connectionString: postgresAdminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

interface Trace {
  /** performance.now() just before the writer's transaction began, */
  insert: number;
  /** once its COMMIT returned (fsync done), */
  commit?: number;
  /** when the relay sent the poll that returned the row, and when that poll returned, */
  fetchedPoll?: number;
  fetched?: number;
  /** when Kafka acknowledged the batch (acks=all), */
  acked?: number;
  /** when the consumer's fetched batch reached the inbox consumer, */
  received?: number;
  /** and when the consumer's inbox transaction committed. */
  committed?: number;
}

interface Stage {
  readonly name: string;
  readonly values: number[];
}

/**
 * Splits each message's path into stages that add up to its end-to-end latency. The relay's wait is split
 * at the first poll sent after the writer's commit: before it, the relay was sleeping or busy (poll delay);
 * after it, polls did not return the row yet because an older transaction was still open (snapshot horizon).
 */
function stageBreakdown(traces: ReadonlyArray<Required<Trace>>, polls: readonly number[]): Stage[] {
  const firstPollAfter = (t: number) => {
    let lo = 0;
    let hi = polls.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (polls[mid]! < t) lo = mid + 1;
      else hi = mid;
    }
    return polls[lo];
  };
  const stages: Record<string, number[]> = {
    'writer: insert → commit returned': [],
    'relay: commit → next poll (idle sleep, previous batch)': [],
    'relay: polls held back (snapshot horizon)': [],
    'relay: outbox query': [],
    'relay: publish → Kafka ack (acks=all)': [],
    'Kafka → consumer batch (fetch)': [],
    'consumer: batch → inbox transaction committed': [],
  };
  const [write, poll, horizon, query, produce, deliver, apply] = Object.values(stages) as [number[], number[], number[], number[], number[], number[], number[]];
  for (const t of traces) {
    const seen = Math.max(t.commit, t.fetchedPoll); // a poll can see the row just before COMMIT's reply arrives
    const first = Math.min(firstPollAfter(t.commit) ?? seen, seen);
    write.push(t.commit - t.insert);
    poll.push(first - t.commit);
    horizon.push(seen - first);
    query.push(t.fetched - seen);
    produce.push(t.acked - t.fetched);
    deliver.push(t.received - t.acked);
    apply.push(t.committed - t.received);
  }
  return Object.entries(stages).map(([name, values]) => ({ name, values }));
}

function renderTable(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

interface CpuSample {
  readonly node: number;
  readonly postgres: number;
  readonly kafka: number;
}

/** CPU seconds used so far by this process and by the servers it started (its descendants), from /proc (Linux). */
async function cpuSample(): Promise<CpuSample | undefined> {
  if (platform() !== 'linux') return undefined;
  const tick = 100; // USER_HZ
  const stats: Array<{ pid: number; ppid: number; comm: string; seconds: number }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const text = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    const close = text.lastIndexOf(')');
    if (close < 0) continue;
    const fields = text.slice(close + 2).split(' ');
    stats.push({ pid: Number(entry), ppid: Number(fields[1]), comm: text.slice(text.indexOf('(') + 1, close), seconds: (Number(fields[11]) + Number(fields[12])) / tick });
  }
  const mine = new Set([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stats) if (!mine.has(s.pid) && mine.has(s.ppid)) grew = mine.add(s.pid) !== undefined;
  }
  const sum = (match: (comm: string) => boolean) => stats.filter((s) => mine.has(s.pid) && s.pid !== process.pid && match(s.comm)).reduce((t, s) => t + s.seconds, 0);
  const own = process.cpuUsage();
  return { node: (own.user + own.system) / 1e6, postgres: sum((c) => c.startsWith('postgres')), kafka: sum((c) => c === 'java') };
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`benchmark step timed out after ${timeoutMs} ms`);
    await sleep(20);
  }
}
