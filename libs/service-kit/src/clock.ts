/** A service's only source of time: handlers stamp commands with it, deciders get `now` passed in, tests drive it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export const CLOCK = Symbol('CLOCK');

export type ClockMode = 'running' | 'frozen';

export interface ClockState {
  readonly now: string;
  readonly mode: ClockMode;
}

/**
 * A clock an operator of a demo or a test platform can move (CLOCK_CONTROL=on, refused in production): set to
 * an instant, it either runs on from there at the real pace or stays frozen. It never goes back, so events keep
 * their order in time.
 */
export interface ControllableClock extends Clock {
  state(): ClockState;
  /** Moves the clock to `to`; refuses an instant before the current one. */
  set(to: Date, mode: ClockMode): ClockState;
}

export class ClockBackwardsError extends Error {
  readonly code = 'CLOCK_BACKWARDS';
  constructor(readonly current: string, readonly requested: string) {
    super(`the clock is at ${current} and never goes back (asked for ${requested})`);
  }
}

export function controllableClock(real: Clock = systemClock): ControllableClock {
  let offsetMs = 0;
  let frozenAt: Date | undefined;
  const now = () => (frozenAt ? new Date(frozenAt) : new Date(real().getTime() + offsetMs));
  const state = (): ClockState => ({ now: now().toISOString(), mode: frozenAt ? 'frozen' : 'running' });
  return Object.assign(now, {
    state,
    set(to: Date, mode: ClockMode): ClockState {
      const current = now();
      if (to.getTime() < current.getTime()) throw new ClockBackwardsError(current.toISOString(), to.toISOString());
      if (mode === 'frozen') frozenAt = new Date(to);
      else {
        frozenAt = undefined;
        offsetMs = to.getTime() - real().getTime();
      }
      return state();
    },
  });
}

/**
 * A controllable clock frozen at `start` when one is given (CLOCK_START): a test platform's process started again
 * after a fault takes the platform's time back before its consumers handle anything. A start before the real now
 * is refused like any move back.
 */
export function startedClock(start: string | undefined, real: Clock = systemClock): ControllableClock {
  const clock = controllableClock(real);
  if (start !== undefined) clock.set(new Date(start), 'frozen');
  return clock;
}
