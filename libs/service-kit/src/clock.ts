/** A service's only source of time: handlers stamp commands with it, deciders get `now` passed in, tests drive it. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export const CLOCK = Symbol('CLOCK');
