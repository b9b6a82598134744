import { ClockBackwardsError, controllableClock, startedClock } from './clock';

describe('controllableClock', () => {
  let real = new Date('2026-11-28T10:00:00.000Z').getTime();
  const clock = controllableClock(() => new Date(real));

  it('runs with the real clock until moved', () => {
    expect(clock().toISOString()).toBe('2026-11-28T10:00:00.000Z');
    real += 1_000;
    expect(clock.state()).toEqual({ now: '2026-11-28T10:00:01.000Z', mode: 'running' });
  });

  it('set running: runs on from the instant at the real pace', () => {
    expect(clock.set(new Date('2027-03-01T09:00:00.000Z'), 'running')).toEqual({ now: '2027-03-01T09:00:00.000Z', mode: 'running' });
    real += 60_000;
    expect(clock().toISOString()).toBe('2027-03-01T09:01:00.000Z');
  });

  it('set frozen: stays at the instant whatever the real clock does', () => {
    clock.set(new Date('2027-06-30T23:59:59.000Z'), 'frozen');
    real += 3_600_000;
    expect(clock.state()).toEqual({ now: '2027-06-30T23:59:59.000Z', mode: 'frozen' });
  });

  it('never goes back, and stays where it was when refused', () => {
    expect(() => clock.set(new Date('2027-06-01T00:00:00.000Z'), 'running')).toThrow(ClockBackwardsError);
    expect(clock.state()).toEqual({ now: '2027-06-30T23:59:59.000Z', mode: 'frozen' });
    // From frozen to running at the same instant is allowed.
    expect(clock.set(new Date('2027-06-30T23:59:59.000Z'), 'running').mode).toBe('running');
  });
});

describe('startedClock (CLOCK_START)', () => {
  const real = () => new Date('2026-12-07T10:00:00.000Z');

  it('starts frozen at the instant given, and moves on from there', () => {
    const clock = startedClock('2027-03-12T15:00:00.000Z', real);
    expect(clock.state()).toEqual({ now: '2027-03-12T15:00:00.000Z', mode: 'frozen' });
    expect(() => clock.set(new Date('2027-03-12T14:00:00.000Z'), 'frozen')).toThrow(ClockBackwardsError);
    expect(clock.set(new Date('2027-03-15T09:00:00.000Z'), 'frozen').now).toBe('2027-03-15T09:00:00.000Z');
  });

  it('runs with the real clock without one, and refuses a start before the real now', () => {
    expect(startedClock(undefined, real).state()).toEqual({ now: '2026-12-07T10:00:00.000Z', mode: 'running' });
    expect(() => startedClock('2026-12-01T00:00:00.000Z', real)).toThrow(ClockBackwardsError);
  });
});
