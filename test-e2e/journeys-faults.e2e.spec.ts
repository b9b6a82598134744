import { randomUUID } from 'node:crypto';
import { contractRegistry } from '@tremplin/contracts';
import { observeTopics, startKafka, startPlatformProcesses, type KafkaNode } from '@tremplin/testing';
import { JOURNEY_SERVICES, journeyEnv, runJourneys, settledCounts, storeDigest, until, type JourneyResult } from './journeys.driver';

// Faults on real processes, on the journeys of journeys.e2e.spec.ts: a fault-free run first, then the same journeys
// (a) with every service SIGKILLed in turn mid-journey (no shutdown hook runs) and started again, (b) on a Kafka broker
// of their own that is stopped and started again twice, (c) with two replicas of every service at once (requests
// spread over both, each replica's clock moved). Clients retry what got no answer with the same Idempotency-Key.
// After each, every effect is there exactly once: the events of every store per tenant and type (count and amounts),
// every read model (rows and checksum without ids), the messages of every topic (distinct ids per contract) and the
// figures reporting computes are those of the fault-free run.
jest.setTimeout(1_800_000);
type Service = (typeof JOURNEY_SERVICES)[number];

interface Run {
  readonly result: JourneyResult;
  readonly counts: Record<string, number>;
  readonly digest: Record<string, string>;
  /** The read models' rows the digest's checksums are of (to show what differs). */
  readonly rows: Record<string, string[]>;
  /** Distinct messages per contract name on the platform's topics. */
  readonly topics: Record<string, number>;
  /** Copies of a message delivered again with the same id (at-least-once delivery, deduplicated by the inboxes). */
  readonly redelivered: number;
}

interface Faults {
  readonly replicas?: number;
  readonly kafka?: KafkaNode;
  readonly between?: (platform: Awaited<ReturnType<typeof startPlatformProcesses>>, step: string, now: string) => Promise<void>;
}

async function journeyRun(faults: Faults = {}): Promise<Run> {
  const brokers = faults.kafka?.brokers;
  const platform = await startPlatformProcesses({ services: JOURNEY_SERVICES, env: journeyEnv(), replicas: faults.replicas ?? 1, ...(brokers ? { kafkaBrokers: brokers } : {}) });
  const observer = await observeTopics(
    contractRegistry.topics.map((topic) => `${platform.prefix}${topic.name}`),
    `${platform.prefix}observer`,
    'journeys-faults',
    ...(brokers ? [brokers] : []),
  );
  try {
    const result = await runJourneys(platform, { runId: `jf-${randomUUID().slice(0, 8)}`, replicas: faults.replicas ?? 1, ...(brokers ? { brokers } : {}), ...(faults.between ? { between: (step, now) => faults.between!(platform, step, now) } : {}) });
    const counts = await settledCounts(platform);
    const rows: Record<string, string[]> = {};
    const digest = await storeDigest(platform, rows);
    // Every message the services published, read back from the topics until no new one arrives for two seconds.
    let seen = -1;
    await until('the topics read to their end', async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      const now = observer.messages.length;
      const settled = now === seen && now > 0;
      seen = now;
      return settled ? true : undefined;
    });
    const distinct = new Map(observer.messages.map((envelope) => [envelope.messageId, envelope.name]));
    const topics: Record<string, number> = {};
    for (const name of distinct.values()) topics[name] = (topics[name] ?? 0) + 1;
    return { result, counts, digest, rows, topics, redelivered: observer.messages.length - distinct.size };
  } finally {
    await observer.stop();
    await platform.stop();
  }
}

let baseline: Run;
const sum = (counts: Record<string, number>) => Object.values(counts).reduce((total, n) => total + n, 0);

/** Events (and consumed messages) missing from, or in excess of, the fault-free run, summed over every store. */
function compare(run: Run): { compared: number; lost: number; doubled: number } {
  let lost = 0;
  let doubled = 0;
  for (const key of new Set([...Object.keys(baseline.counts), ...Object.keys(run.counts)])) {
    const difference = (run.counts[key] ?? 0) - (baseline.counts[key] ?? 0);
    if (difference < 0) lost -= difference;
    else doubled += difference;
  }
  return { compared: sum(run.counts), lost, doubled };
}

function expectSameEffects(run: Run, label: string, what: string): void {
  const { compared, lost, doubled } = compare(run);
  process.stdout.write(
    `journeys under faults (${label}): ${what}; ${compared} events compared in the five stores against ${sum(baseline.counts)} fault-free, ${lost} lost, ${doubled} doubled; ` +
      `${Object.keys(run.digest).length} store digests; ${sum(run.topics)} distinct messages on the topics (${run.redelivered} redelivered copies with the same id)\n`,
  );
  expect(run.counts).toEqual(baseline.counts);
  const differing = Object.keys(baseline.digest).filter((key) => run.digest[key] !== baseline.digest[key]);
  expect(Object.fromEntries(differing.map((key) => [key, run.rows[key]]))).toEqual(Object.fromEntries(differing.map((key) => [key, baseline.rows[key]])));
  expect(run.digest).toEqual(baseline.digest);
  expect(run.topics).toEqual(baseline.topics);
  expect(run.result.figures).toEqual(baseline.result.figures);
  expect([lost, doubled]).toEqual([0, 0]);
}

beforeAll(async () => {
  baseline = await journeyRun();
}, 1_800_000);

describe('the journeys under faults on real processes, against a fault-free run', () => {
  it('completes every journey exactly once when each service is SIGKILLed in turn mid-journey and started again', async () => {
    const killAt: Record<string, Service> = { configured: 'intake', 'files transmitted': 'lending', decided: 'guarantee-fund', disbursed: 'accompaniment', escalated: 'reporting' };
    let kills = 0;
    let restarts = 0;
    const run = await journeyRun({
      between: async (platform, step, now) => {
        const service = killAt[step];
        if (!service) return;
        await platform.kill(service, 0, 'SIGKILL');
        kills += 1;
        // Started again at the platform's time, before its consumers handle what it missed.
        await platform.restart(service, 0, { CLOCK_START: now });
        restarts += 1;
      },
    });
    expect([kills, restarts]).toEqual([5, 5]);
    expectSameEffects(run, 'SIGKILL', `${kills} SIGKILLs (${Object.values(killAt).join(', ')}), ${restarts} restarts`);
  });

  it('completes every journey exactly once when the Kafka broker is stopped and started again twice', async () => {
    const kafka = await startKafka();
    let restarts = 0;
    try {
      const run = await journeyRun({
        kafka,
        between: async (_platform, step) => {
          if (step !== 'decided' && step !== 'rescheduled') return;
          await kafka.kill();
          await new Promise((resolve) => setTimeout(resolve, 3_000));
          await kafka.start();
          restarts += 1;
        },
      });
      expect(restarts).toBe(2);
      expectSameEffects(run, 'broker restarts', `${restarts} broker restarts on a broker of its own`);
    } finally {
      await kafka.stop();
    }
  });

  it('completes every journey exactly once with two replicas of every service at once', async () => {
    const run = await journeyRun({ replicas: 2 });
    expectSameEffects(run, 'replicas', `2 replicas of each of the 5 services (10 processes)`);
  });
});
