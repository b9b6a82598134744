import { deepStrictEqual, fail } from 'node:assert/strict';
import type { Decider } from './decider';
import type { RecordedEvent } from './envelope';

export interface DeciderThen<Event> {
  then(expected: Event[]): void;
  thenNothing(): void;
  /** An error class, a `code`, or a predicate over the thrown error. */
  thenThrows(expected: (new (...args: never[]) => Error) | string | ((error: unknown) => boolean)): void;
}

/** given(events).when(command).then(events | nothing | error), for pure deciders. */
export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return {
    given(events: Event[] = []) {
      return {
        when(command: Command): DeciderThen<Event> {
          const run = () => {
            let state = decider.initialState();
            for (const event of events) state = decider.evolve(state, event);
            return decider.decide(command, state);
          };
          return {
            then(expected) {
              deepStrictEqual(run(), expected);
            },
            thenNothing() {
              deepStrictEqual(run(), []);
            },
            thenThrows(expected) {
              let produced: Event[];
              try {
                produced = run();
              } catch (error) {
                if (typeof expected === 'string') {
                  deepStrictEqual((error as { code?: unknown }).code, expected);
                } else if (expected.prototype instanceof Error || expected === Error) {
                  if (!(error instanceof (expected as new () => Error))) fail(`expected ${(expected as { name: string }).name}, got ${String(error)}`);
                } else if (!(expected as (e: unknown) => boolean)(error)) {
                  fail(`the thrown error does not match: ${String(error)}`);
                }
                return;
              }
              fail(`expected an error, got events ${JSON.stringify(produced)}`);
            },
          };
        },
      };
    },
  };
}

/**
 * Runs commands through a decider and records what it decides as the store would (versions, ids, metadata from the
 * command's `now` and actor), for pure specs of what reads events: projections, outbound mappings, worklists.
 */
export function recordDecisions<Command extends { readonly now: string; readonly actor: { readonly userId: string } }, Event extends { readonly type: string; readonly data: unknown }, State>(
  decider: Decider<Command, Event, State>,
  commands: readonly Command[],
  stream: { readonly tenantId: string; readonly streamId: string },
): RecordedEvent[] {
  let state = decider.initialState();
  const out: RecordedEvent[] = [];
  for (const command of commands) {
    for (const event of decider.decide(command, state)) {
      state = decider.evolve(state, event);
      const version = out.length + 1;
      out.push({
        ...event,
        eventId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
        schemaVersion: 1,
        metadata: { correlationId: 'corr-1', occurredAt: command.now, actorId: command.actor.userId },
        tenantId: stream.tenantId,
        streamId: stream.streamId,
        streamVersion: version,
        globalPosition: BigInt(version),
        transactionId: 1n,
        recordedAt: command.now,
        hash: 'h',
        previousHash: 'p',
      });
    }
  }
  return out;
}
