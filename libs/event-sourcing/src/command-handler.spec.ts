import { createCommandHandler, deterministicEventId } from './command-handler';
import { VersionConflictError, type ExpectedVersion, type NewEvent, type StreamRef } from './envelope';
import { InMemoryEventStore } from './in-memory-event-store';
import { createUpcasterRegistry } from './upcasting';
import { loanDecider, LoanRuleError } from './loan-example.test-support';

const stream: StreamRef = { tenantId: 'ccas-lyon', streamId: 'loan-42' };
const metadata = { correlationId: 'corr-1', actorId: 'user-1', role: 'social_worker', occurredAt: '2026-01-05T10:00:00.000Z' };
const fixedClock = () => new Date('2026-01-05T10:00:00.000Z');

describe('command handler', () => {
  it('loads, decides and appends with the expected version, stamping the command id', async () => {
    const store = new InMemoryEventStore({ now: fixedClock });
    const handle = createCommandHandler({ decider: loanDecider, store });
    const first = await handle(stream, { type: 'RequestLoan', amountCents: 90_000 }, { commandId: 'cmd-1', metadata });
    const second = await handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'cmd-2', metadata });
    expect(first).toMatchObject({ streamVersion: 1, duplicate: false, state: { status: 'requested', amountCents: 90_000 } });
    expect(second).toMatchObject({ streamVersion: 2, state: { status: 'approved' } });
    expect(second.events[0]).toMatchObject({ eventId: deterministicEventId('cmd-2', 0), type: 'LoanApproved', metadata: { ...metadata, commandId: 'cmd-2' } });
  });

  it('answers with the state the events were decided on and the domain events themselves, for outbound mappings', async () => {
    const store = new InMemoryEventStore({ now: fixedClock });
    const handle = createCommandHandler({ decider: loanDecider, store });
    await handle(stream, { type: 'RequestLoan', amountCents: 90_000 }, { commandId: 'cmd-1', metadata });
    const approved = await handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'cmd-2', metadata });
    expect(approved.before).toMatchObject({ status: 'requested' });
    expect(approved.decided).toEqual([{ type: 'LoanApproved', data: { approvedOn: '2026-01-05' } }]);
    const again = await handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'cmd-2', metadata });
    expect(again).toMatchObject({ duplicate: true, decided: [] });
  });

  it('returns the first result when the same command id is handled again, appending nothing', async () => {
    const store = new InMemoryEventStore({ now: fixedClock });
    const handle = createCommandHandler({ decider: loanDecider, store });
    const first = await handle(stream, { type: 'RequestLoan', amountCents: 90_000 }, { commandId: 'cmd-1', metadata });
    const again = await handle(stream, { type: 'RequestLoan', amountCents: 90_000 }, { commandId: 'cmd-1', metadata });
    expect(again).toMatchObject({ duplicate: true, streamVersion: 1, events: first.events });
    expect(await store.readStream(stream)).toHaveLength(1);
  });

  it('retries on a version conflict against the fresh state', async () => {
    const store = new InMemoryEventStore({ now: fixedClock });
    await store.append(stream, [newEvent('LoanRequested', { amountCents: 50_000 })], 'no-stream');
    let interfered = false;
    const racing = {
      readStream: store.readStream.bind(store),
      async append(s: StreamRef, events: NewEvent[], expected: ExpectedVersion) {
        if (!interfered) {
          interfered = true;
          await store.append(s, [newEvent('LoanApproved', { approvedOn: '2026-01-04' })], 'any');
        }
        return store.append(s, events, expected);
      },
    };
    const handle = createCommandHandler({ decider: loanDecider, store: racing });
    // The concurrent approval already happened: on retry the decider sees it and decides nothing.
    const result = await handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'cmd-9', metadata });
    expect(result).toMatchObject({ streamVersion: 2, events: [], state: { status: 'approved' } });
  });

  it('gives up after a bounded number of attempts with the conflict', async () => {
    const store = new InMemoryEventStore();
    let appends = 0;
    const handle = createCommandHandler({
      decider: loanDecider,
      maxAttempts: 3,
      store: {
        readStream: store.readStream.bind(store),
        append: async () => {
          appends += 1;
          throw new VersionConflictError(stream.streamId, 'no-stream', 1);
        },
      },
    });
    await expect(handle(stream, { type: 'RequestLoan', amountCents: 1 }, { commandId: 'c', metadata })).rejects.toBeInstanceOf(VersionConflictError);
    expect(appends).toBe(3);
  });

  it('lets a broken business rule through as the decider’s typed error', async () => {
    const handle = createCommandHandler({ decider: loanDecider, store: new InMemoryEventStore() });
    await expect(handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'c', metadata })).rejects.toMatchObject({ code: 'LOAN_NOT_REQUESTED' });
    await expect(handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'c', metadata })).rejects.toBeInstanceOf(LoanRuleError);
  });

  it('starts from a snapshot of the same evolve version and reads only the events after it', async () => {
    const store = new InMemoryEventStore({ now: fixedClock });
    const reads: Array<number | undefined> = [];
    const spying = { append: store.append.bind(store), readStream: (s: StreamRef, o?: { fromVersion?: number }) => (reads.push(o?.fromVersion), store.readStream(s, o)) };
    const handle = createCommandHandler({ decider: loanDecider, store: spying, snapshots: { store, evolveVersion: '1', every: 1 } });
    await handle(stream, { type: 'RequestLoan', amountCents: 70_000 }, { commandId: 'c1', metadata });
    expect(await store.load(stream, 'loan@1')).toEqual({ streamVersion: 1, state: { status: 'requested', amountCents: 70_000 } });
    const result = await handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'c2', metadata });
    expect(reads).toEqual([undefined, 2]);
    expect(result.state).toEqual({ status: 'approved', amountCents: 70_000 });
  });

  it('upcasts old stored events before evolving, and writes new ones at the current schema version', async () => {
    const store = new InMemoryEventStore({ now: fixedClock });
    await store.append(stream, [{ ...newEvent('LoanRequested', { amount: 30_000 }), schemaVersion: 1 }], 'no-stream');
    const upcasters = createUpcasterRegistry([
      { type: 'LoanRequested', fromVersion: 1, upcast: (data) => ({ amountCents: (data as { amount: number }).amount }) },
    ]);
    const handle = createCommandHandler({ decider: loanDecider, store, upcasters });
    const result = await handle(stream, { type: 'ApproveLoan', approvedOn: '2026-01-05' }, { commandId: 'c', metadata });
    expect(result.state).toEqual({ status: 'approved', amountCents: 30_000 });
    expect((await store.readStream(stream))[0]).toMatchObject({ schemaVersion: 1, data: { amount: 30_000 } });
    expect(result.events[0].schemaVersion).toBe(1);
  });

  it('derives stable, UUID-shaped event ids from the command id', () => {
    expect(deterministicEventId('cmd-1', 0)).toBe(deterministicEventId('cmd-1', 0));
    expect(deterministicEventId('cmd-1', 0)).not.toBe(deterministicEventId('cmd-1', 1));
    expect(deterministicEventId('cmd-1', 0)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

function newEvent(type: string, data: unknown): NewEvent {
  return { eventId: `${type}-${Math.random()}`, type, schemaVersion: 1, data, metadata };
}
