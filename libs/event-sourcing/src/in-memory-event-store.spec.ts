import { InMemoryEventStore } from './in-memory-event-store';
import { LOG_START, VersionConflictError, type NewEvent } from './envelope';

const event = (id: string): NewEvent => ({ eventId: id, type: 'T', schemaVersion: 1, data: { id }, metadata: { correlationId: 'c', occurredAt: '2026-01-05T10:00:00.000Z' } });
const stream = { tenantId: 't', streamId: 'loan-1' };

describe('InMemoryEventStore (the fake for unit tests)', () => {
  it('follows the expected-version rules of the real store', async () => {
    const store = new InMemoryEventStore();
    await expect(store.append(stream, [event('a')], 'stream-exists')).rejects.toBeInstanceOf(VersionConflictError);
    await store.append(stream, [event('a')], 'no-stream');
    await expect(store.append(stream, [event('b')], 'no-stream')).rejects.toMatchObject({ actual: 1 });
    expect((await store.append(stream, [event('b')], 1)).streamVersion).toBe(2);
  });

  it('is idempotent on event ids at the same position and refuses them elsewhere', async () => {
    const store = new InMemoryEventStore();
    const first = await store.append(stream, [event('a')], 'no-stream');
    expect(await store.append(stream, [event('a')], 'no-stream')).toEqual(first);
    await expect(store.append({ ...stream, streamId: 'loan-2' }, [event('a')], 'any')).rejects.toBeInstanceOf(VersionConflictError);
  });

  it('chains hashes that verify, and reads the log in order', async () => {
    const store = new InMemoryEventStore();
    await store.append(stream, [event('a'), event('b')], 'no-stream');
    await store.append({ ...stream, streamId: 'loan-2' }, [event('c')], 'no-stream');
    expect(await store.verify(stream)).toEqual({ ok: true, checked: 2 });
    expect((await store.readAll(LOG_START, 10)).map((e) => e.eventId)).toEqual(['a', 'b', 'c']);
    expect(await store.verifyAll('t')).toEqual({ ok: true, streams: 2, events: 3, broken: [] });
  });
});
