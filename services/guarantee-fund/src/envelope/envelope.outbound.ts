import { createEnvelope, envelopeCapacityVotedV1, type Envelope } from '@tremplin/contracts';
import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { deriveMessageId } from '@tremplin/messaging';
import { envelopeAggregate, evolveEnvelope, headroomOf, type EnvelopeState } from './envelope.decider';

/** Envelope events → guarantee.* contracts (ids and amounts: the reporting service and lending read them). */
export function envelopeMessages(tenantId: string, before: EnvelopeState, recorded: readonly RecordedEvent[]): Envelope[] {
  const envelopes: Envelope[] = [];
  let state = before;
  for (const record of recorded) {
    const event = decodeEvent(envelopeAggregate, record);
    state = evolveEnvelope(state, event);
    switch (event.type) {
      case 'EnvelopeCapacityVoted': {
        const d = event.data;
        envelopes.push(
          createEnvelope(
            envelopeCapacityVotedV1,
            {
              tenantId,
              guarantorId: d.guarantorId,
              capacityCents: d.capacityCents,
              previousCapacityCents: d.previousCapacityCents,
              reservedCents: state.status === 'open' ? state.reservedCents : 0,
              headroomCents: headroomOf(state),
              decisionDate: d.decisionDate,
              decisionReference: d.decisionReference,
              votedAt: record.metadata.occurredAt,
            },
            {
              messageId: deriveMessageId(record.eventId, envelopeCapacityVotedV1.name),
              occurredAt: record.metadata.occurredAt,
              correlationId: record.metadata.correlationId,
              causationId: record.eventId,
            },
          ) as Envelope,
        );
        break;
      }
      // Movements leave as the guarantee's own facts (granted, released, claim paid, recovery shared).
      case 'EnvelopeReserved':
      case 'EnvelopeReleased':
      case 'EnvelopeConsumed':
      case 'EnvelopeReplenished':
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unmapped event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return envelopes;
}
