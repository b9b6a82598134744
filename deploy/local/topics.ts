import { Kafka, logLevel } from 'kafkajs';

/** Placeholder until the contracts registry exists: checks that the broker answers admin calls. */
export async function ensurePlatformTopics(brokers: string[], log: (line: string) => void): Promise<void> {
  const admin = new Kafka({ clientId: 'tremplin-start', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    log(`[start] Kafka answers (${topics.length} topics)`);
  } finally {
    await admin.disconnect();
  }
}
