import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client } from 'pg';
import { contractRegistry, createEnvelope, instalmentMissedV1, withTopicPrefix, type Envelope } from '@tremplin/contracts';
import { provisionDatabase, KAFKA_VERSION } from '@tremplin/local-infra';
import { createInboxConsumer, createKafkaTransport, createOutboxRelay, enqueue, messagingMigrations, on, sleep } from '@tremplin/messaging';
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
    const relay = createOutboxRelay({ pool, transport, name: 'bench-relay' });
    const started = performance.now();
    relay.start();
    await waitUntil(async () => relay.stats().marked >= THROUGHPUT_MESSAGES, 120_000);
    const seconds = (performance.now() - started) / 1000;
    const throughput = THROUGHPUT_MESSAGES / seconds;
    rows.push(['relay drain (1 relay, batch 1,000)', fmt(THROUGHPUT_MESSAGES), `${seconds.toFixed(2)} s`, `${fmt(throughput)} msg/s`]);
    log(`relay: ${fmt(THROUGHPUT_MESSAGES)} messages in ${seconds.toFixed(2)} s`);

    // 2. End to end at a steady offered load: outbox insert → relay → Kafka → consumer's inbox transaction commit.
    const insertedAt = new Map<string, number>();
    const wallAt = new Map<string, number>();
    const toKafka: number[] = [];
    const fromKafka: number[] = [];
    const latencies: number[] = [];
    let measuring = false;
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
        afterTransaction: ({ envelope: handled, outcome, message }) => {
          const t0 = insertedAt.get(handled.messageId);
          if (t0 !== undefined && outcome === 'handled') {
            latencies.push(performance.now() - t0);
            // Split at the producer's timestamp (wall clock, same host): approximate, for where the time goes.
            const produced = Number(message.timestamp);
            toKafka.push(produced - wallAt.get(handled.messageId)!);
            fromKafka.push(Date.now() - produced);
          }
          wallAt.delete(handled.messageId);
          insertedAt.delete(handled.messageId);
        },
      },
    });
    let offered = 0;
    await consumer.start();
    // Only once the group has its partitions: a joining consumer is not what this phase measures.
    await withTransaction(pool, (tx) => enqueue(tx, [envelope()], latencyRegistry));
    await waitUntil(async () => consumer.stats().handled >= 1, 60_000);

    const total = LATENCY_RATE * (LATENCY_SECONDS + WARM_UP_SECONDS);
    const offerStart = performance.now();
    const writers: Array<Promise<void>> = [];
    while (offered < total) {
      const elapsed = performance.now() - offerStart;
      measuring = elapsed >= WARM_UP_SECONDS * 1000;
      const due = Math.min(total, Math.floor((elapsed * LATENCY_RATE) / 1000)) - offered;
      if (due > 0) {
        const batch = Array.from({ length: due }, envelope);
        offered += due;
        const t0 = performance.now();
        const wall = Date.now();
        // Only messages offered after the warm-up are measured.
        if (measuring) {
          for (const message of batch) {
            insertedAt.set(message.messageId, t0);
            wallAt.set(message.messageId, wall);
          }
        }
        writers.push(withTransaction(pool, (tx) => enqueue(tx, batch, latencyRegistry)).then(() => undefined));
      }
      await sleep(5);
    }
    await Promise.all(writers);
    const offeredSeconds = (performance.now() - offerStart) / 1000;
    await waitUntil(async () => consumer.stats().handled >= total + 1, 60_000);
    await consumer.stop();
    await relay.stop();

    const sorted = [...latencies].sort((a, b) => a - b);
    const p50 = percentile(sorted, 50);
    const p99 = percentile(sorted, 99);
    const split = (values: number[]) => {
      const ordered = [...values].sort((a, b) => a - b);
      return `p50 ${percentile(ordered, 50).toFixed(0)} ms, p99 ${percentile(ordered, 99).toFixed(0)} ms`;
    };
    rows.push([`end to end at ${fmt(LATENCY_RATE)} msg/s offered`, fmt(total), `${offeredSeconds.toFixed(2)} s`, `p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (${fmt(sorted.length)} measured)`]);
    rows.push(['  of which outbox insert → produced (≈)', '', '', split(toKafka)]);
    rows.push(['  of which produced → inbox commit (≈)', '', '', split(fromKafka)]);

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
        `1-minute load average ${loadAtStart.toFixed(1)} at start and ${loadavg()[0]!.toFixed(1)} at the end (other work on the machine competes for the same cores);`,
        `PostgreSQL ${serverVersion} (embedded, durable: fsync and synchronous commit on), Apache Kafka ${KAFKA_VERSION} single node (KRaft), all on loopback.`,
        '',
        table,
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
        `- End-to-end latency: ${fmt(LATENCY_RATE)} msg/s offered for ${LATENCY_SECONDS} s after a ${WARM_UP_SECONDS} s warm-up, written in one small transaction every ~5 ms;`,
        "  from just before the outbox insert to just after the consumer's inbox transaction (inbox row + read-model upsert) committed.",
        '  One consumer in the group, six partitions processed concurrently; relay and consumer run in the benchmark process.',
        '',
        '## What bounds them',
        '- Relay: one batch in flight at a time (per-key order needs `maxInFlightRequests: 1` with the idempotent producer). A batch costs',
        '  an indexed select, the Kafka round trip with the broker\'s acknowledgement, and the client-side encoding in kafkajs (pure',
        '  JavaScript, CRC included), which is the largest share; marking a batch sent (an `UPDATE` committed with fsync) overlaps the next',
        '  batch. Larger batches gain little past 1,000 rows. Several relays split the 64 lanes, so they add throughput only where the',
        '  producer, not Postgres, is the limit.',
        '- Latency: the relay polls every 10 ms when the outbox is empty (LISTEN/NOTIFY is not used inside writers\' transactions, see',
        '  ADR 0003); the consumer applies up to 100 messages of a partition in one transaction (one fsync) and commits Kafka offsets in the',
        '  background, one commit in flight, since an offset commit costs a round trip that would otherwise sit in every message\'s path.',
        '  On 2 shared cores the broker\'s JVM, Postgres and Node compete for CPU, which is what shows in the p99.',
        '',
      ].join('\n'),
    );
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

async function waitUntil(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`benchmark step timed out after ${timeoutMs} ms`);
    await sleep(20);
  }
}
