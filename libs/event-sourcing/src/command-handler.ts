import { createHash } from 'node:crypto';
import type { Decider } from './decider';
import { streamCategory, VersionConflictError, type EventMetadata, type RecordedEvent, type StreamRef } from './envelope';
import type { EventStore, SnapshotStore } from './event-store.port';
import { createUpcasterRegistry, type UpcasterRegistry } from './upcasting';

/** The default shape of domain events (as in Emmett): a type and its data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  readonly type: Type;
  readonly data: Data;
}

export interface EventCodec<Event> {
  encode(event: Event): { type: string; data: unknown };
  decode(event: RecordedEvent): Event;
}

export interface CommandHandlerConfig<Command, Event, State> {
  readonly decider: Decider<Command, Event, State>;
  readonly store: Pick<EventStore, 'append' | 'readStream'>;
  readonly upcasters?: UpcasterRegistry;
  readonly codec?: EventCodec<Event>;
  readonly snapshots?: {
    readonly store: SnapshotStore;
    /** Bump when `evolve` changes so old snapshots are ignored. */
    readonly evolveVersion: string;
    /** Take a snapshot each time the stream crosses a multiple of this many events. */
    readonly every: number;
  };
  /** Attempts in all, on version conflicts; default 3. */
  readonly maxAttempts?: number;
}

export interface CommandContext {
  /** Idempotency key: handling the same command id again returns the first result. */
  readonly commandId: string;
  readonly metadata: Omit<EventMetadata, 'commandId'>;
}

export interface CommandResult<State, Event = unknown> {
  readonly streamVersion: number;
  readonly events: ReadonlyArray<RecordedEvent>;
  /** The state before this command's events (the state they were decided on). */
  readonly before: State;
  readonly state: State;
  /** The domain events decided now (none for a duplicate), before encoding: what outbound mappings read. */
  readonly decided: ReadonlyArray<Event>;
  /** True when this command id had already been handled and its earlier events are returned. */
  readonly duplicate: boolean;
}

/**
 * A command that needs facts beyond its own stream (the product version in force for an offer) is completed
 * from the state it is decided on, by the caller, inside the same transaction as the load and the append.
 */
export type CommandResolver<Command, State> = (state: State) => Command | Promise<Command>;

export type CommandHandler<Command, State, Event = unknown> = (stream: StreamRef, command: Command | CommandResolver<Command, State>, context: CommandContext) => Promise<CommandResult<State, Event>>;

const defaultCodec: EventCodec<DomainEvent> = {
  encode: (event) => ({ type: event.type, data: event.data }),
  decode: (event) => ({ type: event.type, data: event.data }),
};

/** load (from a snapshot when there is one) → decide → append with the expected version, retried on conflict. */
export function createCommandHandler<Command, Event, State>(config: CommandHandlerConfig<Command, Event, State>): CommandHandler<Command, State, Event> {
  const codec = config.codec ?? (defaultCodec as unknown as EventCodec<Event>);
  const upcasters = config.upcasters ?? createUpcasterRegistry();
  const maxAttempts = config.maxAttempts ?? 3;
  const snapshotKey = (stream: StreamRef) => config.snapshots && `${streamCategory(stream.streamId)}@${config.snapshots.evolveVersion}`;

  const load = async (stream: StreamRef, useSnapshot: boolean) => {
    const key = snapshotKey(stream);
    const snapshot = useSnapshot && key ? await config.snapshots!.store.load<State>(stream, key) : undefined;
    const tail = await config.store.readStream(stream, snapshot ? { fromVersion: snapshot.streamVersion + 1 } : {});
    let state = snapshot ? snapshot.state : config.decider.initialState();
    for (const event of tail) state = config.decider.evolve(state, codec.decode(upcasters.upcast(event)));
    const version = tail.length ? tail[tail.length - 1].streamVersion : (snapshot?.streamVersion ?? 0);
    return { state, version, tail };
  };

  return async (stream, command, context) => {
    for (let attempt = 1; ; attempt += 1) {
      // After a conflict, load the whole stream: the command may have been handled before the last snapshot.
      const { state, version, tail } = await load(stream, attempt === 1);
      const earlier = tail.filter((event) => event.metadata.commandId === context.commandId);
      if (earlier.length) return { streamVersion: earlier[earlier.length - 1].streamVersion, events: earlier, before: state, state, decided: [], duplicate: true };

      const resolved = typeof command === 'function' ? await (command as CommandResolver<Command, State>)(state) : command;
      const decided = config.decider.decide(resolved, state);
      if (decided.length === 0) return { streamVersion: version, events: [], before: state, state, decided, duplicate: false };
      const newEvents = decided.map((event, index) => {
        const { type, data } = codec.encode(event);
        return {
          eventId: deterministicEventId(context.commandId, index),
          type,
          schemaVersion: upcasters.currentVersion(type),
          data,
          metadata: { ...context.metadata, commandId: context.commandId },
        };
      });
      try {
        const result = await config.store.append(stream, newEvents, version === 0 ? 'no-stream' : version);
        let next = state;
        for (const event of decided) next = config.decider.evolve(next, event);
        await maybeSnapshot(stream, version, result.streamVersion, next);
        return { streamVersion: result.streamVersion, events: result.events, before: state, state: next, decided, duplicate: false };
      } catch (error) {
        if (!(error instanceof VersionConflictError) || attempt >= maxAttempts) throw error;
      }
    }
  };

  async function maybeSnapshot(stream: StreamRef, before: number, after: number, state: State): Promise<void> {
    const key = snapshotKey(stream);
    if (!key || !config.snapshots) return;
    const every = config.snapshots.every;
    if (Math.floor(after / every) > Math.floor(before / every)) await config.snapshots.store.save(stream, key, { streamVersion: after, state });
  }
}

/** Same command id → same event ids, so a retried append is recognised by the store as the same append. */
export function deterministicEventId(commandId: string, index: number): string {
  const hex = createHash('sha256').update(`${commandId}/${index}`).digest('hex');
  // Shaped as an RFC 4122 UUID (version 8, variant 10) so it fits anywhere a UUID is expected.
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
