import { contractRegistry, createEnvelope } from '@tremplin/contracts';
import { headersOf, type MessageTransport } from '@tremplin/messaging';
import type { ConsumedEvent } from './facts/facts';

/** Publishes scripted facts on the harness's topics as the other services' relays do: validated envelopes, keyed by aggregate, with their headers. */
export async function publish(h: { readonly transport: MessageTransport; topic(name: string): string }, events: readonly ConsumedEvent[]): Promise<void> {
  const producer = await h.transport.producer();
  try {
    await producer.send(
      events.map((e) => {
        const contract = contractRegistry.get(e.name);
        if (!contract) throw new Error(`no contract ${e.name}`);
        const envelope = createEnvelope(contract, e.payload as never, { messageId: e.messageId, occurredAt: e.occurredAt, correlationId: `corr-${e.messageId}` });
        return { topic: h.topic(contract.topic), key: contract.key(envelope.payload as never), value: JSON.stringify(envelope), headers: headersOf(envelope) };
      }),
    );
  } finally {
    await producer.close();
  }
}
