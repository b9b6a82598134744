/**
 * Checks that kafkajs can do everything the project needs against a broker:
 *   node -r @swc-node/register deploy/local/kafka.check.ts            (starts a local broker, then stops it)
 *   KAFKA_BROKERS=127.0.0.1:9092 node -r @swc-node/register deploy/local/kafka.check.ts   (an existing one)
 */
import { randomBytes } from 'node:crypto';
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from 'kafkajs';
import { KAFKA_VERSION, startKafka } from './kafka';

export interface KafkaCheckResult {
  step: string;
  ok: boolean;
  error?: string;
}

const STEP_TIMEOUT_MS = 30_000;
const MESSAGES = 5;

export async function checkKafkaWithKafkajs(brokers: string[]): Promise<KafkaCheckResult[]> {
  const suffix = randomBytes(4).toString('hex');
  const topic = `tremplin.kafka-check.${suffix}`;
  const groupId = `tremplin-kafka-check-${suffix}`;
  const kafka = new Kafka({ clientId: 'tremplin-kafka-check', brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
  });
  const consumer = kafka.consumer({ groupId });
  const results: KafkaCheckResult[] = [];
  const step = async (name: string, fn: () => Promise<void>): Promise<void> => {
    try {
      await withTimeout(fn(), STEP_TIMEOUT_MS);
      results.push({ step: name, ok: true });
    } catch (error) {
      results.push({ step: name, ok: false, error: describe(error) });
    }
  };

  try {
    await step('admin.connect', () => admin.connect());
    await step('admin.createTopics', () => createTopic(admin, topic));
    await step('admin.listTopics', async () => expect((await admin.listTopics()).includes(topic), `${topic} not listed`));
    await step('admin.fetchTopicMetadata', () => checkTopicMetadata(admin, topic));
    await step('producer.send (idempotent, maxInFlightRequests 1, acks -1)', () => produce(producer, topic));
    await step('consumer group subscribe + run + commitOffsets', () => consume(consumer, topic));
    await step('admin.fetchOffsets', () => checkCommittedOffset(admin, groupId, topic));
    await step('admin.describeGroups', () => checkGroupDescription(admin, groupId));
    await step('admin.listGroups', async () =>
      expect((await admin.listGroups()).groups.some((group) => group.groupId === groupId), `${groupId} not listed`),
    );
    await step('consumer.disconnect (leave group)', () => consumer.disconnect());
    await step('admin.deleteGroups', async () => {
      await admin.deleteGroups([groupId]);
    });
    await step('admin.deleteTopics', () => deleteTopic(admin, topic));
  } finally {
    await Promise.allSettled([consumer.disconnect(), producer.disconnect(), admin.disconnect()]);
  }
  return results;
}

async function createTopic(admin: Admin, topic: string): Promise<void> {
  // kafkajs's waitForLeaders asks for the topic's metadata once, which a busy KRaft broker may not serve yet
  // (UNKNOWN_TOPIC_OR_PARTITION); as libs/messaging does, create, then wait for the leader with a bound.
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: false });
  expect(created, 'createTopics returned false (topic already existed?)');
  const leader = await settle(
    () => admin.fetchTopicMetadata({ topics: [topic] }).then((m) => m.topics[0]?.partitions[0]?.leader ?? -1, () => -1),
    (found) => found >= 0,
  );
  expect(leader >= 0, `${topic} has no leader after creation`);
}

async function checkTopicMetadata(admin: Admin, topic: string): Promise<void> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const partitions = topics[0]?.partitions ?? [];
  expect(partitions.length === 1, `expected 1 partition, got ${partitions.length}`);
  expect(partitions[0]?.leader === 1, `expected leader 1, got ${partitions[0]?.leader}`);
}

async function produce(producer: Producer, topic: string): Promise<void> {
  await producer.connect();
  // Two sends, so the idempotent sequence numbers advance past the first batch.
  for (const batch of [[0, 1, 2], [3, 4]]) {
    const metadata = await producer.send({
      topic,
      acks: -1,
      messages: batch.map((n) => ({ key: 'k', value: `message-${n}` })),
    });
    expect(metadata[0]?.errorCode === 0, `produce error code ${metadata[0]?.errorCode}`);
  }
}

async function consume(consumer: Consumer, topic: string): Promise<void> {
  const received: string[] = [];
  let done: () => void = () => undefined;
  const allReceived = new Promise<void>((resolve) => (done = resolve));
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachMessage: async ({ topic: from, partition, message }) => {
      received.push(message.value?.toString() ?? '');
      await consumer.commitOffsets([{ topic: from, partition, offset: (BigInt(message.offset) + 1n).toString() }]);
      if (received.length >= MESSAGES) done();
    },
  });
  await allReceived;
  const expected = Array.from({ length: MESSAGES }, (_, n) => `message-${n}`);
  expect(received.join() === expected.join(), `received ${received.join()} instead of ${expected.join()}`);
}

async function checkCommittedOffset(admin: Admin, groupId: string, topic: string): Promise<void> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const committed = offsets[0]?.partitions[0]?.offset;
  expect(committed === String(MESSAGES), `expected committed offset ${MESSAGES}, got ${committed}`);
}

async function checkGroupDescription(admin: Admin, groupId: string): Promise<void> {
  // Other groups joining the same broker (parallel tests) can delay this one's settling: wait for it, bounded.
  const group = await settle(async () => (await admin.describeGroups([groupId])).groups[0], (g) => g?.state === 'Stable');
  expect(group?.state === 'Stable', `expected state Stable, got ${group?.state}`);
  expect(group?.members.length === 1, `expected 1 member, got ${group?.members.length}`);
  expect(group?.protocolType === 'consumer', `expected protocol type consumer, got ${group?.protocolType}`);
}

async function deleteTopic(admin: Admin, topic: string): Promise<void> {
  await admin.deleteTopics({ topics: [topic] });
  // Deletion completes asynchronously on the controller; the topic leaves the metadata shortly after.
  const listed = await settle(async () => (await admin.listTopics()).includes(topic), (still) => !still);
  expect(!listed, `${topic} still listed after deleteTopics`);
}

async function settle<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function expect(condition: boolean, message: string): void {
  if (!condition) throw new Error(message);
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** kafkajs wraps protocol errors: the cause chain and the error type carry the evidence. */
function describe(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  while (current instanceof Error && parts.length < 4) {
    const type = (current as { type?: unknown }).type;
    parts.push(`${current.name}${typeof type === 'string' ? `[${type}]` : ''}: ${current.message}`);
    current = (current as { cause?: unknown; originalError?: unknown }).cause ?? (current as { originalError?: unknown }).originalError;
  }
  return parts.length > 0 ? parts.join(' <- ') : String(error);
}

async function main(): Promise<void> {
  const external = process.env['KAFKA_BROKERS'];
  const startedAt = Date.now();
  const node = external ? undefined : await startKafka({ log: (line) => console.log(line) });
  if (node) console.log(`kafka ${KAFKA_VERSION}: startKafka() took ${((Date.now() - startedAt) / 1000).toFixed(1)}s`);
  const brokers = node?.brokers ?? external?.split(',') ?? [];
  const onInterrupt = (): void => void node?.stop().finally(() => process.exit(130));
  process.once('SIGINT', onInterrupt);
  try {
    const results = await checkKafkaWithKafkajs(brokers);
    for (const result of results) {
      console.log(`${result.ok ? 'OK  ' : 'FAIL'} ${result.step}${result.error ? ` — ${result.error}` : ''}`);
    }
    const failed = results.filter((result) => !result.ok).length;
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exitCode = failed > 0 ? 1 : 0;
  } finally {
    process.removeListener('SIGINT', onInterrupt);
    await node?.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  });
}
