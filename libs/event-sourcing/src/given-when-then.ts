import { deepStrictEqual, fail } from 'node:assert/strict';
import type { Decider } from './decider';

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
