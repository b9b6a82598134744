import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type IHeaders, type LogEntry, type Producer } from 'kafkajs';
import type { TopicSpec } from '@tremplin/contracts';
import { backoffDelay, sleep } from './backoff';
import {
  silentLog,
  type IncomingMessage,
  type MessageProducer,
  type MessageTransport,
  type MessagingLog,
  type PartitionOffsets,
  type SubscribeOptions,
} from './transport';

export interface KafkaTransportOptions {
  readonly brokers: readonly string[];
  readonly clientId?: string;
  readonly log?: MessagingLog;
}

const LEVELS: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error',
  [logLevel.WARN]: 'warn',
  [logLevel.INFO]: 'info',
  [logLevel.DEBUG]: 'debug',
};

export function createKafkaTransport(options: KafkaTransportOptions): MessageTransport {
  const log = options.log ?? silentLog;
  const kafka = new Kafka({
    clientId: options.clientId ?? 'tremplin',
    brokers: [...options.brokers],
    connectionTimeout: 3_000,
    requestTimeout: 15_000,
    // Short client-side retries: the relay and the consumer own the longer backoff.
    retry: { initialRetryTime: 100, maxRetryTime: 2_000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        const { message, ...fields } = entry;
        log(LEVELS[level] ?? 'info', `kafkajs: ${message}`, fields);
      },
  });
  const producers = new Set<Producer>();
  const subscriptions = new Set<SupervisedConsumer>();

  return {
    async producer({ idempotent = true } = {}): Promise<MessageProducer> {
      const producer = kafka.producer({
        idempotent,
        // kafkajs keeps order with idempotence only with one request in flight.
        maxInFlightRequests: idempotent ? 1 : 5,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      });
      await producer.connect();
      producers.add(producer);
      return {
        async send(messages) {
          if (messages.length === 0) return;
          const byTopic = new Map<string, Array<{ key: string; value: string | Buffer; headers: IHeaders }>>();
          for (const message of messages) {
            const list = byTopic.get(message.topic) ?? [];
            list.push({ key: message.key, value: message.value, headers: { ...message.headers } });
            byTopic.set(message.topic, list);
          }
          await producer.sendBatch({ acks: -1, topicMessages: [...byTopic].map(([topic, list]) => ({ topic, messages: list })) });
        },
        async close() {
          producers.delete(producer);
          await producer.disconnect().catch(() => undefined);
        },
      };
    },

    async subscribe(subscribeOptions) {
      const subscription = superviseConsumer(kafka, subscribeOptions, log);
      subscriptions.add(subscription);
      await subscription.started;
      return {
        async stop() {
          subscriptions.delete(subscription);
          await subscription.stop();
        },
        async abandon() {
          subscriptions.delete(subscription);
          await subscription.stop({ flush: false });
        },
      };
    },

    async ensureTopics(specs) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const existing = new Set(await admin.listTopics());
        const missing = specs.filter((spec) => !existing.has(spec.name));
        if (missing.length > 0) {
          await admin.createTopics({ waitForLeaders: false, topics: missing.map(toTopicConfig) });
          await waitForLeaders(admin, missing.map((spec) => spec.name));
        }
        const present = specs.filter((spec) => existing.has(spec.name));
        if (present.length > 0) {
          const metadata = await admin.fetchTopicMetadata({ topics: present.map((spec) => spec.name) });
          const grow = present.filter((spec) => (metadata.topics.find((t) => t.name === spec.name)?.partitions.length ?? 0) < spec.partitions);
          if (grow.length > 0) await admin.createPartitions({ topicPartitions: grow.map((spec) => ({ topic: spec.name, count: spec.partitions })) });
        }
        return { created: missing.map((spec) => spec.name) };
      } finally {
        await admin.disconnect();
      }
    },

    async topicOffsets(topic): Promise<PartitionOffsets[]> {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const offsets = await admin.fetchTopicOffsets(topic);
        return offsets.map((o) => ({ partition: o.partition, low: o.low, high: o.high })).sort((a, b) => a.partition - b.partition);
      } finally {
        await admin.disconnect();
      }
    },

    async committedOffsets(groupId, topic) {
      const admin = kafka.admin();
      await admin.connect();
      try {
        const [found] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return (found?.partitions ?? []).map((p) => ({ partition: p.partition, offset: p.offset })).sort((a, b) => a.partition - b.partition);
      } finally {
        await admin.disconnect();
      }
    },

    async close() {
      await Promise.all([...subscriptions].map((s) => s.stop()));
      await Promise.all([...producers].map((p) => p.disconnect().catch(() => undefined)));
      producers.clear();
    },
  };
}

/** kafkajs' own wait gives up on UNKNOWN_TOPIC_OR_PARTITION, which a busy broker answers for a moment. */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1; ; attempt++) {
    try {
      const { topics: found } = await admin.fetchTopicMetadata({ topics });
      if (found.length === topics.length && found.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader after ${timeoutMs} ms`);
    await sleep(backoffDelay(attempt, { initialMs: 50, maxMs: 500 }));
  }
}

function toTopicConfig(spec: TopicSpec) {
  return {
    topic: spec.name,
    numPartitions: spec.partitions,
    replicationFactor: -1, // the broker's default: 1 locally, the cluster's setting in production
    configEntries: [
      { name: 'retention.ms', value: String(spec.retentionMs) },
      { name: 'cleanup.policy', value: spec.cleanupPolicy },
    ],
  };
}

interface SupervisedConsumer {
  readonly started: Promise<void>;
  stop(options?: { flush?: boolean }): Promise<void>;
}

/**
 * kafkajs gives up on some errors (no broker reachable for a while) and does not restart its consumer: this
 * keeps one running until stop(), with a fresh kafkajs consumer after each crash.
 */
function superviseConsumer(kafka: Kafka, options: SubscribeOptions, log: MessagingLog): SupervisedConsumer {
  let stopped = false;
  let current: Consumer | undefined;
  let restarts = 0;
  let wake: (() => void) | undefined;
  let resolveStarted: () => void = () => undefined;
  // Offset commits cost a broker round trip: they run beside processing, one at a time, chained while needed.
  let committing: Promise<void> | undefined;
  let commitAgain = false;
  let commitNow: (() => Promise<void>) | undefined;
  const requestCommit = (): Promise<void> => {
    if (committing) {
      commitAgain = true;
      return committing;
    }
    committing = (async () => {
      try {
        do {
          commitAgain = false;
          await commitNow?.();
        } while (commitAgain && !stopped);
      } catch (error) {
        // Uncommitted offsets are read again by the next owner; the inbox absorbs them.
        log('warn', 'offset commit failed', { groupId: options.groupId, error: (error as Error).message });
      } finally {
        committing = undefined;
      }
    })();
    return committing;
  };
  const started = new Promise<void>((resolve) => (resolveStarted = resolve));

  const runOnce = async (): Promise<'crashed' | 'stopped'> => {
    const consumer = kafka.consumer({
      groupId: options.groupId,
      sessionTimeout: options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
      rebalanceTimeout: 30_000,
      maxWaitTimeInMs: 250,
      allowAutoTopicCreation: false,
      retry: { initialRetryTime: 200, maxRetryTime: 2_000, retries: 10 },
    });
    current = consumer;
    const crashed = new Promise<'crashed'>((resolve) => {
      consumer.on(consumer.events.CRASH, (event) => {
        if (!event.payload.restart) resolve('crashed');
      });
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: options.fromBeginning });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: options.partitionsConsumedConcurrently ?? 1,
      eachBatch: async ({ batch, resolveOffset, heartbeat, commitOffsetsIfNecessary, uncommittedOffsets, isRunning, isStale }) => {
        await options.onBatch(
          {
            topic: batch.topic,
            partition: batch.partition,
            highWatermark: batch.highWatermark,
            messages: batch.messages.map(
              (m): IncomingMessage => ({
                topic: batch.topic,
                partition: batch.partition,
                offset: m.offset,
                key: m.key ? m.key.toString() : null,
                value: m.value,
                headers: decodeHeaders(m.headers),
                timestamp: m.timestamp,
              }),
            ),
          },
          {
            resolve: (offset) => resolveOffset(offset),
            commit: () => {
              commitNow = async () => {
                const pending = uncommittedOffsets();
                if (pending.topics.length > 0) await commitOffsetsIfNecessary(pending);
              };
              return requestCommit();
            },
            heartbeat,
            isActive: () => isRunning() && !isStale() && !stopped,
          },
        );
      },
    });
    resolveStarted();
    restarts = 0;
    const outcome = await Promise.race([crashed, new Promise<'stopped'>((resolve) => (wake = () => resolve('stopped')))]);
    return outcome;
  };

  const loop = (async () => {
    while (!stopped) {
      try {
        const outcome = await runOnce();
        if (outcome === 'stopped') break;
        log('warn', 'consumer crashed, restarting', { groupId: options.groupId });
      } catch (error) {
        log('warn', 'consumer could not start, retrying', { groupId: options.groupId, error: (error as Error).message });
      }
      await current?.disconnect().catch(() => undefined);
      current = undefined;
      commitNow = undefined;
      if (stopped) break;
      restarts += 1;
      await sleep(backoffDelay(restarts, { initialMs: 250, maxMs: 5_000 }));
    }
  })();

  return {
    started,
    async stop({ flush = true } = {}) {
      stopped = true;
      resolveStarted();
      if (flush) {
        await committing;
        await commitNow?.().catch(() => undefined);
      }
      await current?.disconnect().catch(() => undefined);
      wake?.();
      await loop;
    },
  };
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
