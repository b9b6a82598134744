/** The service's only source of time: deciders get `now` from here, and tests drive it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export const CLOCK = Symbol('CLOCK');
