import { Kafka, logLevel } from 'kafkajs';

/**
 * A last check before the services start: the broker answers admin calls. Topics themselves are created by each
 * service at start-up from the contracts registry (never auto-created by the broker).
 */
export async function checkBrokerAnswers(brokers: string[], log: (line: string) => void): Promise<void> {
  const admin = new Kafka({ clientId: 'tremplin-start', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    const topics = await admin.listTopics();
    log(`[start] Kafka answers (${topics.length} topics)`);
  } finally {
    await admin.disconnect();
  }
}
