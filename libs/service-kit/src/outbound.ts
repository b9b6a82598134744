import type { z } from 'zod';
import { createEnvelope, type Contract, type Envelope, type PayloadSchema } from '@tremplin/contracts';
import { decodeEvent, type Aggregate, type RecordedEvent } from '@tremplin/event-sourcing';
import { deriveMessageId } from '@tremplin/messaging';

/** One integration event to publish: a contract and its payload (checked against the contract's schema). */
export interface OutboundMessage {
  readonly contract: Contract<PayloadSchema>;
  readonly payload: unknown;
}

/** Typed at the call site, stored untyped: the payload must fit its own contract. */
export const outbound = <S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>): OutboundMessage => ({ contract, payload }) as unknown as OutboundMessage;

/**
 * Recorded domain events → the integration events they cause, for a handler's `toMessages`: each event is decoded
 * through the aggregate's codec and upcasters and folded onto the state before it, so `map` sees the state after
 * the event. Message ids derive from the event id and the contract name: mapping the same event again yields the
 * same ids, so a retried append cannot enqueue a second copy. Correlation and causation come from the event.
 */
export function outboundMessages<Command, Event, State>(
  aggregate: Aggregate<Command, Event, State>,
  before: State,
  recorded: readonly RecordedEvent[],
  map: (after: State, event: Event, record: RecordedEvent) => OutboundMessage | readonly OutboundMessage[] | undefined,
): Envelope[] {
  const envelopes: Envelope[] = [];
  let state = before;
  for (const record of recorded) {
    const event = decodeEvent(aggregate, record);
    state = aggregate.decider.evolve(state, event);
    const mapped = map(state, event, record);
    for (const message of mapped === undefined ? [] : Array.isArray(mapped) ? mapped : [mapped as OutboundMessage]) {
      envelopes.push(
        createEnvelope(message.contract, message.payload as z.input<PayloadSchema>, {
          messageId: deriveMessageId(record.eventId, message.contract.name),
          occurredAt: record.metadata.occurredAt,
          correlationId: record.metadata.correlationId,
          causationId: record.eventId,
        }) as Envelope,
      );
    }
  }
  return envelopes;
}
