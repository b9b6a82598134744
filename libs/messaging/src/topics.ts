import type { ContractRegistry, TopicSpec } from '@tremplin/contracts';
import { createKafkaTransport } from './kafkajs.transport';
import type { MessageTransport, MessagingLog } from './transport';

/**
 * Creates every topic of the registry and its dead-letter topic (partitions, retention, clean-up policy);
 * the brokers have auto-creation disabled, so a misspelt topic fails loudly instead of existing unread.
 */
export async function ensureTopics(
  target: readonly string[] | MessageTransport,
  registry: ContractRegistry | readonly TopicSpec[],
  options: { log?: MessagingLog } = {},
): Promise<{ created: string[] }> {
  const specs = 'topicsToCreate' in registry ? registry.topicsToCreate() : registry;
  if (!Array.isArray(target)) return (target as MessageTransport).ensureTopics(specs);
  const transport = createKafkaTransport({ brokers: target as readonly string[], clientId: 'tremplin-topic-admin', log: options.log });
  try {
    return await transport.ensureTopics(specs);
  } finally {
    await transport.close();
  }
}
