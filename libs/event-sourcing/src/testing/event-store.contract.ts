import { randomUUID } from 'node:crypto';
import { compareLogPositions, LOG_START, VersionConflictError, type AppendResult, type ExpectedVersion, type NewEvent, type RecordedEvent, type StreamRef } from '../envelope';
import type { EventStore } from '../event-store.port';

/** An open transaction of the adapter holding an append: the late-commit and rollback cases need one. */
export interface HeldTransaction {
  append(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  commit(): Promise<void>;
  rollback(): Promise<void>;
}

export interface ContractSubscriber {
  stop(): Promise<void>;
}

/** What an adapter gives the contract suite: the store plus the few things only the adapter can do. */
export interface EventStoreContractHarness {
  readonly store: EventStore;
  beginTransaction(): Promise<HeldTransaction>;
  /** Changes one stored event's data behind the store's back (as a database owner could). */
  tamper(stream: StreamRef, streamVersion: number, data: unknown): Promise<void>;
  /** A named subscriber over one tenant's events; restarting with the same name resumes from its checkpoint. */
  startSubscriber(name: string, options: { tenantId: string; handle: (events: ReadonlyArray<RecordedEvent>) => Promise<void> }): Promise<ContractSubscriber>;
  close(): Promise<void>;
}

export function contractEvent(type = 'ThingHappened', data: unknown = { n: 1 }, occurredAt = '2026-01-05T10:00:00.000Z'): NewEvent {
  return { eventId: randomUUID(), type, schemaVersion: 1, data, metadata: { correlationId: randomUUID(), occurredAt } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

/**
 * The global log shows an event once no older transaction is still open anywhere on the server (the horizon is
 * cluster-wide): other work running at the same time may hold it back for a moment, never forever.
 */
export async function readAllOnceVisible(store: Pick<EventStore, 'readAll'>, tenantId: string, count: number, timeoutMs = 20_000): Promise<RecordedEvent[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const all = await store.readAll(LOG_START, 100, { tenantId });
    if (all.length >= count || Date.now() > deadline) return all;
    await sleep(20);
  }
}

async function conflictOf(promise: Promise<unknown>): Promise<VersionConflictError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof VersionConflictError) return error;
    throw error;
  }
  throw new Error('expected a VersionConflictError');
}

/** The behaviour every EventStore adapter must have; run it from an adapter's `*.int.spec.ts`. */
export function describeEventStoreContract(name: string, setup: () => Promise<EventStoreContractHarness>): void {
  describe(`EventStore contract: ${name}`, () => {
    let h: EventStoreContractHarness;
    let store: EventStore;
    beforeAll(async () => {
      h = await setup();
      store = h.store;
    });
    afterAll(async () => h?.close());

    const newStream = (category = 'loan'): StreamRef => ({ tenantId: `tenant-${randomUUID().slice(0, 8)}`, streamId: `${category}-${randomUUID()}` });

    describe('append', () => {
      it('numbers a new stream from 1 and returns what it recorded, chained by hash', async () => {
        const stream = newStream();
        const events = [contractEvent('LoanRequested', { amountCents: 120_000 }), contractEvent('LoanApproved', { by: 'commission' })];
        const result = await store.append(stream, events, 'no-stream');
        expect(result.streamVersion).toBe(2);
        expect(result.events.map((e) => [e.streamVersion, e.eventId, e.type, e.tenantId, e.streamId])).toEqual([
          [1, events[0].eventId, 'LoanRequested', stream.tenantId, stream.streamId],
          [2, events[1].eventId, 'LoanApproved', stream.tenantId, stream.streamId],
        ]);
        expect(result.events[1].previousHash).toBe(result.events[0].hash);
        expect(result.events[0].globalPosition < result.events[1].globalPosition).toBe(true);
        expect(new Date(result.events[0].recordedAt).toISOString()).toBe(result.events[0].recordedAt);
        const read = await store.readStream(stream);
        expect(read).toEqual(result.events);
        expect(read[0].data).toEqual({ amountCents: 120_000 });
        expect(read[0].metadata).toEqual(events[0].metadata);
      });

      it('enforces every expected-version mode, reporting expected and actual', async () => {
        const stream = newStream();
        expect(await conflictOf(store.append(stream, [contractEvent()], 'stream-exists'))).toMatchObject({ code: 'VERSION_CONFLICT', expected: 'stream-exists', actual: 0, streamId: stream.streamId });
        expect(await conflictOf(store.append(stream, [contractEvent()], 1))).toMatchObject({ expected: 1, actual: 0 });
        expect((await store.append(stream, [contractEvent()], 'no-stream')).streamVersion).toBe(1);
        expect(await conflictOf(store.append(stream, [contractEvent()], 'no-stream'))).toMatchObject({ expected: 'no-stream', actual: 1 });
        expect(await conflictOf(store.append(stream, [contractEvent()], 2))).toMatchObject({ expected: 2, actual: 1 });
        expect((await store.append(stream, [contractEvent()], 1)).streamVersion).toBe(2);
        expect((await store.append(stream, [contractEvent()], 'stream-exists')).streamVersion).toBe(3);
        expect((await store.append(stream, [contractEvent()], 'any')).streamVersion).toBe(4);
        expect((await store.append(newStream(), [contractEvent()], 'any')).streamVersion).toBe(1);
        expect((await store.readStream(stream)).map((e) => e.streamVersion)).toEqual([1, 2, 3, 4]);
      });

      it('lets exactly one of 50 concurrent appends at the same expected version win, leaving no gap', async () => {
        const stream = newStream();
        await store.append(stream, [contractEvent()], 'no-stream');
        const outcomes = await Promise.allSettled(Array.from({ length: 50 }, (_, i) => store.append(stream, [contractEvent('Raced', { i }), contractEvent('Raced', { i })], 1)));
        const won = outcomes.filter((o) => o.status === 'fulfilled');
        const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
        expect(won).toHaveLength(1);
        expect(lost).toHaveLength(49);
        for (const o of lost) expect(o.reason).toMatchObject({ code: 'VERSION_CONFLICT', expected: 1, actual: 3 });
        const read = await store.readStream(stream);
        expect(read.map((e) => e.streamVersion)).toEqual([1, 2, 3]);
        expect(new Set(read.slice(1).map((e) => (e.data as { i: number }).i)).size).toBe(1);
        expect((await store.verify(stream)).ok).toBe(true);
      });

      it('serialises concurrent appends with "any" without losing one', async () => {
        const stream = newStream();
        await Promise.all(Array.from({ length: 20 }, (_, i) => store.append(stream, [contractEvent('Any', { i })], 'any')));
        const read = await store.readStream(stream);
        expect(read.map((e) => e.streamVersion)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
        expect((await store.verify(stream)).ok).toBe(true);
      });

      it('returns the earlier result when the same events are appended again at the same position', async () => {
        const stream = newStream();
        const events = [contractEvent(), contractEvent()];
        const first = await store.append(stream, events, 'no-stream');
        const again = await store.append(stream, events, 'no-stream');
        expect(again).toEqual(first);
        await store.append(stream, [contractEvent()], 2);
        expect(await store.append(stream, events, 'any')).toEqual(first);
        expect(await store.readStream(stream)).toHaveLength(3);
      });

      it('refuses an event id already stored at another position or in another stream of the tenant', async () => {
        const stream = newStream();
        const event = contractEvent();
        await store.append(stream, [event], 'no-stream');
        await store.append(stream, [contractEvent()], 1);
        await conflictOf(store.append(stream, [event], 2));
        await conflictOf(store.append({ ...stream, streamId: `loan-${randomUUID()}` }, [event], 'no-stream'));
        // Another tenant is another id space.
        expect((await store.append({ ...stream, tenantId: `${stream.tenantId}-other` }, [event], 'no-stream')).streamVersion).toBe(1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('leaves no trace of a rolled-back append', async () => {
        const stream = newStream();
        const tx = await h.beginTransaction();
        const event = contractEvent();
        await tx.append(stream, [event], 'no-stream');
        await tx.rollback();
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.readAll(LOG_START, 100, { tenantId: stream.tenantId })).toEqual([]);
        const after = await store.append(stream, [event], 'no-stream');
        expect(after.events[0]).toMatchObject({ streamVersion: 1, eventId: event.eventId });
        expect((await store.verify(stream)).ok).toBe(true);
      });
    });

    describe('reading a stream', () => {
      it('reads a version range', async () => {
        const stream = newStream();
        await store.append(stream, Array.from({ length: 6 }, (_, i) => contractEvent('E', { i })), 'no-stream');
        expect((await store.readStream(stream, { fromVersion: 2, toVersion: 4 })).map((e) => e.streamVersion)).toEqual([2, 3, 4]);
        expect((await store.readStream(stream, { fromVersion: 6 })).map((e) => e.streamVersion)).toEqual([6]);
        expect(await store.readStream(stream, { fromVersion: 7 })).toEqual([]);
      });

      it('returns the stream as it stood at an instant (as-of)', async () => {
        const stream = newStream();
        const before = new Date(Date.now() - 1000);
        await store.append(stream, [contractEvent('First')], 'no-stream');
        await sleep(30);
        const instant = new Date();
        await sleep(30);
        await store.append(stream, [contractEvent('Second')], 1);
        expect((await store.readStream(stream, { asOf: instant })).map((e) => e.type)).toEqual(['First']);
        expect((await store.readStream(stream, { asOf: instant.toISOString() })).map((e) => e.type)).toEqual(['First']);
        expect(await store.readStream(stream, { asOf: before })).toEqual([]);
        expect((await store.readStream(stream, { asOf: new Date(Date.now() + 1000) })).map((e) => e.type)).toEqual(['First', 'Second']);
      });

      it("keeps tenants apart: another tenant's stream of the same id reads as empty", async () => {
        const stream = newStream();
        await store.append(stream, [contractEvent()], 'no-stream');
        const other = { tenantId: `${stream.tenantId}-x`, streamId: stream.streamId };
        expect(await store.readStream(other)).toEqual([]);
        expect((await store.append(other, [contractEvent()], 'no-stream')).streamVersion).toBe(1);
        expect(await store.readAll(LOG_START, 100, { tenantId: 'nobody' })).toEqual([]);
      });
    });

    describe('the global log', () => {
      it('reads after a position in (transaction, position) order, page by page', async () => {
        const a = newStream();
        const b = { tenantId: a.tenantId, streamId: `beneficiary-${randomUUID()}` };
        await store.append(a, [contractEvent(), contractEvent()], 'no-stream');
        await store.append(b, [contractEvent()], 'no-stream');
        await store.append(a, [contractEvent()], 2);
        const all = await readAllOnceVisible(store, a.tenantId, 4);
        expect(all.map((e) => `${e.streamId === a.streamId ? 'a' : 'b'}${e.streamVersion}`)).toEqual(['a1', 'a2', 'b1', 'a3']);
        for (let i = 1; i < all.length; i += 1) expect(compareLogPositions(all[i - 1], all[i])).toBe(-1);
        const page1 = await store.readAll(LOG_START, 2, { tenantId: a.tenantId });
        const page2 = await store.readAll(page1[1], 2, { tenantId: a.tenantId });
        expect([...page1, ...page2]).toEqual(all);
      });

      it('never skips an event committed late by a transaction that was open while later ones committed', async () => {
        const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
        const early = { tenantId, streamId: `loan-${randomUUID()}` };
        const late = { tenantId, streamId: `loan-${randomUUID()}` };
        const delivered: RecordedEvent[] = [];
        const subscriber = await h.startSubscriber(`contract-late-${randomUUID().slice(0, 8)}`, {
          tenantId,
          handle: async (events) => {
            delivered.push(...events);
          },
        });
        try {
          await store.append(early, [contractEvent('Before')], 'no-stream');
          await eventually(() => delivered.length === 1);
          const held = await h.beginTransaction();
          await held.append(early, [contractEvent('HeldOpen')], 1);
          for (let i = 0; i < 5; i += 1) await store.append(late, [contractEvent('CommittedMeanwhile', { i })], i === 0 ? 'no-stream' : i);
          await sleep(300);
          // The later commits are invisible to the log until the older transaction ends: no one can overtake it.
          expect(delivered.map((e) => e.type)).toEqual(['Before']);
          expect((await store.readAll(delivered[0], 100, { tenantId })).length).toBe(0);
          await held.commit();
          await eventually(() => delivered.length === 7);
          await sleep(100);
          expect(delivered.map((e) => e.type)).toEqual(['Before', 'HeldOpen', ...Array(5).fill('CommittedMeanwhile')]);
          expect(new Set(delivered.map((e) => e.eventId)).size).toBe(7);
          for (let i = 1; i < delivered.length; i += 1) expect(compareLogPositions(delivered[i - 1], delivered[i])).toBe(-1);
          // The held event got the lower global position yet committed last: a position-only checkpoint would have skipped it.
          const held1 = delivered[1];
          expect(delivered.slice(2).every((e) => e.globalPosition > held1.globalPosition)).toBe(true);
        } finally {
          await subscriber.stop();
        }
      });

      it('resumes a restarted subscriber exactly after its checkpoint', async () => {
        const stream = newStream();
        const name = `contract-restart-${randomUUID().slice(0, 8)}`;
        const seen: string[] = [];
        const handle = async (events: ReadonlyArray<RecordedEvent>) => {
          seen.push(...events.map((e) => e.eventId));
        };
        const first = [contractEvent(), contractEvent(), contractEvent()];
        await store.append(stream, first, 'no-stream');
        const s1 = await h.startSubscriber(name, { tenantId: stream.tenantId, handle });
        await eventually(() => seen.length === 3);
        await s1.stop();
        const second = [contractEvent(), contractEvent()];
        await store.append(stream, second, 3);
        const s2 = await h.startSubscriber(name, { tenantId: stream.tenantId, handle });
        try {
          await eventually(() => seen.length === 5);
          await sleep(100);
          expect(seen).toEqual([...first, ...second].map((e) => e.eventId));
        } finally {
          await s2.stop();
        }
      });
    });

    describe('tamper evidence', () => {
      it('verifies an untouched stream', async () => {
        const stream = newStream();
        await store.append(stream, [contractEvent(), contractEvent()], 'no-stream');
        await store.append(stream, [contractEvent('WithUnicode', { note: 'élève “ok” \n\t ✓', nested: { z: 1, a: [1, 2.5, null, true] } })], 2);
        expect(await store.verify(stream)).toEqual({ ok: true, checked: 3 });
      });

      it('names the first event whose stored content was changed', async () => {
        const stream = newStream();
        const events = [contractEvent('A', { amountCents: 100 }), contractEvent('B', { amountCents: 200 }), contractEvent('C', { amountCents: 300 })];
        await store.append(stream, events, 'no-stream');
        const clean = newStream();
        const cleanTenant = { ...clean, tenantId: stream.tenantId };
        await store.append(cleanTenant, [contractEvent()], 'no-stream');
        await h.tamper(stream, 2, { amountCents: 999_999 });
        const result = await store.verify(stream);
        expect(result).toMatchObject({ ok: false, brokenAt: { streamVersion: 2, eventId: events[1].eventId } });
        const all = await store.verifyAll(stream.tenantId);
        expect(all).toMatchObject({ ok: false, streams: 2, events: 4 });
        expect(all.broken).toEqual([expect.objectContaining({ streamId: stream.streamId, streamVersion: 2, eventId: events[1].eventId })]);
      });
    });
  });
}
