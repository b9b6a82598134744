import { headersOf, type Envelope } from '@tremplin/contracts';
import { createKafkaTransport, type MessageTransport } from '@tremplin/messaging';
import { kafkaBrokers } from './database';

/** What a spec sees of Kafka: the messages published on some topics, and a way to publish as another service. */
export interface KafkaObserver {
  /** Every message of the observed topics, in arrival order (redelivered copies included). */
  readonly messages: Envelope<Record<string, unknown>>[];
  /** Publishes envelopes as the service owning the topic would, keyed by `key` (the aggregate id). */
  publish(topic: string, envelopes: ReadonlyArray<{ key: string; envelope: Envelope }>): Promise<void>;
  stop(): Promise<void>;
}

/** `brokers`: a Kafka of the spec's own (startKafka); the run's shared broker by default. */
export async function observeTopics(topics: readonly string[], groupId: string, clientId = 'spec-observer', brokers: readonly string[] = kafkaBrokers()): Promise<KafkaObserver> {
  const transport: MessageTransport = createKafkaTransport({ brokers: [...brokers], clientId });
  const messages: Envelope<Record<string, unknown>>[] = [];
  const subscription = topics.length
    ? await transport.subscribe({
        groupId,
        topics: [...topics],
        fromBeginning: true,
        onBatch: async (batch, control) => {
          for (const message of batch.messages) {
            messages.push(JSON.parse(message.value!.toString()));
            control.resolve(message.offset);
          }
          await control.commit();
        },
      })
    : undefined;
  return {
    messages,
    async publish(topic, envelopes) {
      const producer = await transport.producer();
      await producer.send(envelopes.map(({ key, envelope }) => ({ topic, key, value: JSON.stringify(envelope), headers: headersOf(envelope) })));
    },
    async stop() {
      await subscription?.stop();
      await transport.close();
    },
  };
}
