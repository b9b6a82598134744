import type { EventCodec } from './command-handler';
import type { Decider } from './decider';
import type { RecordedEvent } from './envelope';
import { createUpcasterRegistry, type UpcasterRegistry } from './upcasting';

/** One stream category's decider with how its stored events are read back: every read path goes through here. */
export interface Aggregate<Command, Event, State> {
  /** `loan` for `loan-<id>` streams. */
  readonly category: string;
  readonly decider: Decider<Command, Event, State>;
  readonly codec?: EventCodec<Event>;
  readonly upcasters?: UpcasterRegistry;
}

const noUpcasters = createUpcasterRegistry();

/** A stored event as the aggregate's domain event: upcast to the current schema version, then decoded. */
export function decodeEvent<Event>(aggregate: Pick<Aggregate<never, Event, unknown>, 'codec' | 'upcasters'>, event: RecordedEvent): Event {
  const current = (aggregate.upcasters ?? noUpcasters).upcast(event);
  return aggregate.codec ? aggregate.codec.decode(current) : ({ type: current.type, data: current.data } as Event);
}

/** The aggregate's state after these stored events. */
// `never` as the command type: folding only evolves, so any aggregate fits whatever commands it takes.
export function foldStream<Event, State>(aggregate: Aggregate<never, Event, State>, events: Iterable<RecordedEvent>, from: State = aggregate.decider.initialState()): State {
  let state = from;
  for (const event of events) state = aggregate.decider.evolve(state, decodeEvent(aggregate, event));
  return state;
}

export function streamIdOf(aggregate: Pick<Aggregate<never, unknown, unknown>, 'category'>, id: string): string {
  return `${aggregate.category}-${id}`;
}
