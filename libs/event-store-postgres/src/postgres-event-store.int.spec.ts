import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createPool, type Pool } from '@tremplin/pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import {
  contractEvent,
  createCommandHandler,
  describeEventStoreContract,
  type Decider,
  LOG_START,
  readAllOnceVisible,
  type DomainEvent,
  type RecordedEvent,
} from '@tremplin/event-sourcing';
import { PostgresEventStore, eventStoreMigrations, PostgresSnapshotStore, startSubscriber, type Subscriber } from './index';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

let db: TestDatabase;
let pool: Pool;

beforeAll(async () => {
  db = await createTestDatabase('event_store', [eventStoreMigrations]);
  pool = createPool(db.appUrl, { max: 60 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describeEventStoreContract('PostgreSQL', async () => {
  const store = new PostgresEventStore(pool);
  return {
    store,
    async beginTransaction() {
      const tx = await pool.connect();
      await tx.query('BEGIN');
      return {
        append: (stream, events, expected) => store.append(stream, events, expected, { tx }),
        async commit() {
          await tx.query('COMMIT');
          tx.release();
        },
        async rollback() {
          await tx.query('ROLLBACK');
          tx.release();
        },
      };
    },
    async tamper(stream, streamVersion, data) {
      const owner = new Client({ connectionString: db.ownerUrl });
      await owner.connect();
      try {
        await owner.query('UPDATE es.events SET data = $4 WHERE tenant_id = $1 AND stream_id = $2 AND stream_version = $3', [
          stream.tenantId,
          stream.streamId,
          streamVersion,
          JSON.stringify(data),
        ]);
      } finally {
        await owner.end();
      }
    },
    async startSubscriber(name, options) {
      return startSubscriber(pool, { name, tenantId: options.tenantId, pollIntervalMs: 20, handle: (events) => options.handle(events) });
    },
    async close() {
      // The pool belongs to this file.
    },
  };
});

describe('PostgreSQL event store, beyond the contract', () => {
  const tenant = () => `tenant-${randomUUID().slice(0, 8)}`;

  it('lets the app role insert and read events but never update or delete them', async () => {
    const store = new PostgresEventStore(pool);
    const stream = { tenantId: tenant(), streamId: `loan-${randomUUID()}` };
    await store.append(stream, [contractEvent()], 'no-stream');
    await expect(pool.query(`UPDATE es.events SET type = 'Forged' WHERE tenant_id = $1`, [stream.tenantId])).rejects.toThrow(/permission denied/);
    await expect(pool.query(`DELETE FROM es.events WHERE tenant_id = $1`, [stream.tenantId])).rejects.toThrow(/permission denied/);
    await expect(pool.query(`TRUNCATE es.events`)).rejects.toThrow(/permission denied/);
  });

  it('joins the caller transaction: its append and the caller’s own writes commit or vanish together', async () => {
    const store = new PostgresEventStore(pool);
    const stream = { tenantId: tenant(), streamId: `loan-${randomUUID()}` };
    const tx = await pool.connect();
    try {
      await tx.query('BEGIN');
      await store.append(stream, [contractEvent()], 'no-stream', { tx });
      await expect(store.append(stream, [contractEvent()], 'no-stream', { tx })).rejects.toMatchObject({ code: 'VERSION_CONFLICT', actual: 1 });
      // A conflict is reported without aborting the caller's transaction.
      await store.append(stream, [contractEvent()], 1, { tx });
      await tx.query('COMMIT');
    } finally {
      tx.release();
    }
    expect((await store.readStream(stream)).map((e) => e.streamVersion)).toEqual([1, 2]);
  });

  it('keeps a stream in version order in the log when the transaction that appends later got its id first', async () => {
    // An inbox consumer writes its inbox row (taking a transaction id) and only then waits for the stream's lock,
    // while an HTTP command that got its id later takes the lock, appends and commits first.
    const store = new PostgresEventStore(pool);
    const tenantId = tenant();
    const stream = { tenantId, streamId: `plan-${randomUUID()}` };
    const early = await pool.connect();
    const later = await pool.connect();
    try {
      await early.query('BEGIN');
      await early.query('SELECT pg_current_xact_id()');
      await later.query('BEGIN');
      await store.append(stream, [contractEvent('First')], 'no-stream', { tx: later });
      const waiting = store.append(stream, [contractEvent('Second')], 1, { tx: early });
      await sleep(100);
      await later.query('COMMIT');
      await waiting;
      await early.query('COMMIT');
    } finally {
      early.release();
      later.release();
    }
    const log = await readAllOnceVisible(store, tenantId, 2);
    expect(log.map((event) => [event.type, event.streamVersion])).toEqual([
      ['First', 1],
      ['Second', 2],
    ]);
  });

  it('orders the log numerically across a change in the number of digits of positions', async () => {
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    const next = Number((await owner.query(`SELECT coalesce(max(global_position), 0) + 1 AS n FROM es.events`)).rows[0].n);
    const restart = 10 ** String(next + 10).length - 5;
    await owner.query(`ALTER TABLE es.events ALTER COLUMN global_position RESTART WITH ${restart}`);
    await owner.end();
    const store = new PostgresEventStore(pool);
    const tenantId = tenant();
    for (let i = 0; i < 10; i += 1) await store.append({ tenantId, streamId: `loan-${i}` }, [contractEvent('E', { i })], 'no-stream');
    await readAllOnceVisible(store, tenantId, 10);
    const firstPage = await store.readAll(LOG_START, 4, { tenantId });
    const rest = await store.readAll(firstPage[3], 100, { tenantId });
    expect([...firstPage, ...rest].map((e) => (e.data as { i: number }).i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(rest[rest.length - 1].globalPosition).toBe(BigInt(restart + 9));
  });

  it('chains the same hash the client-side canonical form gives, whatever characters ids, types and content hold', async () => {
    const store = new PostgresEventStore(pool);
    const odd = 'q"uote \\ back\nline\ttab \u0001\u001f\u007f é ✓ \u2028 😀';
    const stream = { tenantId: `${tenant()}-${odd}`, streamId: `loan-${odd}` };
    const events = [
      { ...contractEvent(`Type ${odd}`, { [odd]: odd, list: [odd, 1.5, 0, 1e21, null, true], nested: { z: 1, a: { y: [], b: {} } } }), eventId: `id-${odd}-${randomUUID()}` },
      // Metadata that differs from one event to the next travels per event rather than shared.
      { ...contractEvent('Second', { n: 2 }), metadata: { correlationId: odd, causationId: 'c', occurredAt: '2026-01-05T10:00:00.000Z' } },
    ];
    const result = await store.append(stream, events, 'no-stream');
    expect(await store.verify(stream)).toEqual({ ok: true, checked: 2 });
    const read = await store.readStream(stream);
    expect(read).toEqual(result.events);
    expect(read.map((e) => [e.eventId, e.type, e.data, e.metadata])).toEqual(events.map((e) => [e.eventId, e.type, JSON.parse(JSON.stringify(e.data)), e.metadata]));
    expect((await store.verifyAll(stream.tenantId)).ok).toBe(true);
  });

  it('refuses 0 and other invalid expected versions with a typed error', async () => {
    const store = new PostgresEventStore(pool);
    await expect(store.append({ tenantId: tenant(), streamId: 'loan-x' }, [contractEvent()], 0)).rejects.toMatchObject({ code: 'INVALID_EXPECTED_VERSION' });
  });

  describe('subscribers', () => {
    it('commits the handler’s writes with the checkpoint, and a failed batch moves neither', async () => {
      const owner = new Client({ connectionString: db.ownerUrl });
      await owner.connect();
      await owner.query(`CREATE TABLE IF NOT EXISTS public.seen (event_id text PRIMARY KEY); GRANT SELECT, INSERT ON public.seen TO tremplin_app`);
      await owner.end();
      const store = new PostgresEventStore(pool);
      const tenantId = tenant();
      const stream = { tenantId, streamId: `loan-${randomUUID()}` };
      await store.append(stream, [contractEvent(), contractEvent()], 'no-stream');
      let failOnce = true;
      const errors: unknown[] = [];
      const subscriber = startSubscriber(pool, {
        name: `seen-${randomUUID().slice(0, 8)}`,
        tenantId,
        pollIntervalMs: 10,
        onError: (error) => errors.push(error),
        handle: async (events, tx) => {
          for (const event of events) await tx.query('INSERT INTO public.seen (event_id) VALUES ($1)', [event.eventId]);
          if (failOnce) {
            failOnce = false;
            throw new Error('projection crashed');
          }
        },
      });
      try {
        await subscriber.caughtUp();
        const seen = await pool.query('SELECT count(*)::int AS n FROM public.seen s JOIN es.events e ON e.event_id = s.event_id WHERE e.tenant_id = $1', [tenantId]);
        expect(seen.rows[0].n).toBe(2);
        expect(errors).toHaveLength(1);
      } finally {
        await subscriber.stop();
      }
    });

    it('has one active owner per name; a standby takes over when the owner stops', async () => {
      const store = new PostgresEventStore(pool);
      const tenantId = tenant();
      const stream = { tenantId, streamId: `loan-${randomUUID()}` };
      const name = `owner-${randomUUID().slice(0, 8)}`;
      const byA: RecordedEvent[] = [];
      const byB: RecordedEvent[] = [];
      const a = startSubscriber(pool, { name, tenantId, pollIntervalMs: 10, handle: async (events) => void byA.push(...events) });
      await eventually(() => a.isOwner());
      const b: Subscriber = startSubscriber(pool, { name, tenantId, pollIntervalMs: 10, handle: async (events) => void byB.push(...events) });
      try {
        await store.append(stream, [contractEvent(), contractEvent()], 'no-stream');
        await eventually(() => byA.length === 2);
        await sleep(100);
        expect(b.isOwner()).toBe(false);
        expect(byB).toHaveLength(0);
        await a.stop();
        await store.append(stream, [contractEvent()], 2);
        await eventually(() => byB.length === 1, 5_000);
        expect(byB[0].streamVersion).toBe(3);
        expect(byA).toHaveLength(2);
      } finally {
        await a.stop();
        await b.stop();
      }
    });
  });

  describe('snapshots and the command handler on PostgreSQL', () => {
    type Counter = { total: number };
    type Add = { amount: number };
    const decider: Decider<Add, DomainEvent<'Added', { amount: number }>, Counter> = {
      initialState: () => ({ total: 0 }),
      evolve: (state, event) => ({ total: state.total + event.data.amount }),
      decide: (command) => [{ type: 'Added', data: { amount: command.amount } }],
    };
    const metadata = { correlationId: 'c-1', occurredAt: '2026-01-05T10:00:00.000Z' };

    it('rebuilds from the latest snapshot of the same evolve version and ignores another version’s', async () => {
      const store = new PostgresEventStore(pool);
      const snapshots = new PostgresSnapshotStore(pool);
      const stream = { tenantId: tenant(), streamId: `counter-${randomUUID()}` };
      const handle = createCommandHandler({ decider, store, snapshots: { store: snapshots, evolveVersion: 'v1', every: 3 } });
      for (let i = 1; i <= 4; i += 1) await handle(stream, { amount: i }, { commandId: `cmd-${stream.streamId}-${i}`, metadata });
      expect(await snapshots.load(stream, 'counter@v1')).toEqual({ streamVersion: 3, state: { total: 6 } });
      expect(await snapshots.load(stream, 'counter@v2')).toBeUndefined();
      const result = await handle(stream, { amount: 10 }, { commandId: `cmd-${stream.streamId}-5`, metadata });
      expect(result.state).toEqual({ total: 20 });
      expect(result.streamVersion).toBe(5);
      const retried = await handle(stream, { amount: 10 }, { commandId: `cmd-${stream.streamId}-5`, metadata });
      expect(retried).toMatchObject({ duplicate: true, streamVersion: 5 });
      expect(await store.readStream(stream)).toHaveLength(5);
    });
  });
});
