import { envelopeCapacityVotedV1 } from '@tremplin/contracts';
import type { Aggregate, RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages } from './outbound';

// A two-event aggregate: votes accumulate a capacity; a note is internal and publishes nothing.
type Event = { type: 'Voted'; data: { capacityCents: number; reference: string } } | { type: 'Noted'; data: Record<string, never> };
type State = { capacityCents: number; votes: number };
const aggregate: Aggregate<never, Event, State> = {
  category: 'probe',
  decider: {
    initialState: () => ({ capacityCents: 0, votes: 0 }),
    evolve: (state, event) => (event.type === 'Voted' ? { capacityCents: event.data.capacityCents, votes: state.votes + 1 } : state),
    decide: () => [],
  },
};

const recorded = (eventId: string, streamVersion: number, type: Event['type'], data: Record<string, unknown>): RecordedEvent =>
  ({
    eventId,
    streamId: 'probe-g1',
    streamVersion,
    tenantId: 'ccas-probe',
    type,
    data,
    metadata: { occurredAt: `2026-03-0${streamVersion}T09:00:00.000Z`, correlationId: `corr-${streamVersion}` },
  }) as unknown as RecordedEvent;

const events = [
  recorded('00000000-0000-4000-8000-000000000001', 1, 'Voted', { capacityCents: 100_000, reference: 'CA-1' }),
  recorded('00000000-0000-4000-8000-000000000002', 2, 'Noted', {}),
  recorded('00000000-0000-4000-8000-000000000003', 3, 'Voted', { capacityCents: 150_000, reference: 'CA-2' }),
];

const map = (before: State) =>
  outboundMessages(aggregate, before, events, (after, event, record) =>
    event.type === 'Voted'
      ? outbound(envelopeCapacityVotedV1, {
          tenantId: record.tenantId,
          guarantorId: 'g1',
          capacityCents: event.data.capacityCents,
          previousCapacityCents: 0,
          reservedCents: 0,
          headroomCents: after.capacityCents,
          decisionDate: record.metadata.occurredAt.slice(0, 10),
          decisionReference: event.data.reference,
          votedAt: record.metadata.occurredAt,
        })
      : undefined,
  );

describe('outboundMessages', () => {
  it('maps each event with the state after it, skips internal events, and takes correlation and causation from the event', () => {
    const envelopes = map(aggregate.decider.initialState());
    expect(envelopes.map((envelope) => [envelope.name, envelope.causationId, envelope.correlationId, envelope.occurredAt])).toEqual([
      ['guarantee.envelope-capacity-voted.v1', events[0].eventId, 'corr-1', '2026-03-01T09:00:00.000Z'],
      ['guarantee.envelope-capacity-voted.v1', events[2].eventId, 'corr-3', '2026-03-03T09:00:00.000Z'],
    ]);
    expect(envelopes.map((envelope) => envelope.payload)).toMatchObject([{ headroomCents: 100_000 }, { headroomCents: 150_000 }]);
  });

  it('derives the same message ids when the same events are mapped again, and distinct ones per event', () => {
    const first = map(aggregate.decider.initialState()).map((envelope) => envelope.messageId);
    const again = map(aggregate.decider.initialState()).map((envelope) => envelope.messageId);
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(2);
  });

  it('refuses a payload that breaks its contract, naming it', () => {
    expect(() => outboundMessages(aggregate, aggregate.decider.initialState(), events.slice(0, 1), () => outbound(envelopeCapacityVotedV1, { tenantId: 'ccas-probe' } as never))).toThrow(
      /guarantee\.envelope-capacity-voted\.v1/,
    );
  });
});
