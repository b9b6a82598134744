import { Registry } from 'prom-client';
import { Client } from 'pg';
import { createEnvelope, instalmentMissedV1 } from '@tremplin/contracts';
import { eventStoreMigrations } from '@tremplin/event-store-postgres';
import { withTransaction, type PoolClient } from '@tremplin/pg';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { HEADERS } from './headers';
import { messagingMigrations } from './migrations';
import { appendWithOutbox, enqueue } from './outbox';
import { OUTBOX_LANES, RelayCrashedError, notifyOutbox } from './relay';
import { appliedOrder, arrearsOf, createFaultRig, expectedOrder, loanIds, waitFor, writeLoans, type FaultRig } from './testing/fault-rig';

jest.setTimeout(60_000);

describe('outbox relay (issue 4 fault tests 2, 5, 6)', () => {
  let db: TestDatabase;
  let rig: FaultRig;

  // A database and a topic per test: each one starts from an empty outbox and an empty log.
  beforeEach(async () => {
    db = await createTestDatabase('messaging_relay', [eventStoreMigrations, messagingMigrations]);
    rig = await createFaultRig(db, kafkaBrokers());
  });
  afterEach(async () => {
    await rig?.close();
    await db?.drop();
    rig = undefined as unknown as FaultRig;
    db = undefined as unknown as TestDatabase;
  });

  it('2. a relay killed after Kafka acknowledged a batch but before marking it sent: the restarted relay republishes it and the inbox absorbs every duplicate', async () => {
    const loans = loanIds(8);
    await writeLoans(rig, loans, 25);
    const consumer = rig.consumer('fault2');
    await consumer.start();

    let crashedOn: readonly string[] = [];
    const doomed = rig.relay({
      batchSize: 60,
      hooks: {
        afterPublish: (rows) => {
          crashedOn = rows.map((r) => r.messageId);
          throw new Error('process killed');
        },
      },
    });
    await expect(doomed.done).rejects.toBeInstanceOf(RelayCrashedError);
    expect(crashedOn).toHaveLength(60);
    expect(await rig.unsent()).toBe(200);

    const restarted = rig.relay();
    await waitFor(async () => consumer.stats().handled + consumer.stats().duplicates === 260, 30_000, 'all 260 deliveries consumed');
    await restarted.stop();

    const offsets = await rig.transport.topicOffsets(rig.topic);
    expect(offsets.reduce((sum, p) => sum + Number(p.high), 0)).toBe(260); // the 60 really went out twice
    expect(consumer.stats()).toEqual({ handled: 200, duplicates: 60, ignored: 0, deadLettered: 0 });
    const effects = await rig.effects('fault2');
    expect(effects).toHaveLength(200);
    expect(appliedOrder(effects)).toEqual(expectedOrder(loans, 25));
    expect(await rig.unsent()).toBe(0);
    await consumer.stop();
  });

  it('5. two relays at once share the lanes: every outbox row is published exactly once and each key keeps its order', async () => {
    const first = rig.relay({ name: 'relay-a', rebalanceIntervalMs: 100 });
    const second = rig.relay({ name: 'relay-b', rebalanceIntervalMs: 100 });
    await waitFor(async () => first.stats().lanes.length === OUTBOX_LANES / 2 && second.stats().lanes.length === OUTBOX_LANES / 2, 15_000, 'the lanes to be split');
    expect(new Set([...first.stats().lanes, ...second.stats().lanes]).size).toBe(OUTBOX_LANES);

    const loans = loanIds(40);
    const ids = await writeLoans(rig, loans, 30);
    await waitFor(async () => (await rig.unsent()) === 0, 30_000, 'the outbox to drain');
    await Promise.all([first.stop(), second.stop()]);

    expect(first.stats().published).toBeGreaterThan(0);
    expect(second.stats().published).toBeGreaterThan(0);
    expect(first.stats().published + second.stats().published).toBe(1_200);

    const published = await rig.readTopic(rig.topic);
    const messageIds = published.map((m) => m.headers[HEADERS.messageId]);
    expect(messageIds).toHaveLength(1_200);
    expect(new Set(messageIds)).toEqual(new Set(ids));
    const order = new Map<string, number[]>();
    for (const message of published) {
      const { payload } = JSON.parse(message.value!.toString()) as { payload: { loanId: string; instalmentNumber: number } };
      order.set(payload.loanId, [...(order.get(payload.loanId) ?? []), payload.instalmentNumber]);
    }
    expect(order).toEqual(expectedOrder(loans, 30));
  });

  it('6. a forced rollback of the writing transaction publishes nothing, and the domain events roll back with it', async () => {
    const relay = rig.relay();
    const consumer = rig.consumer('fault6');
    await consumer.start();
    const [loanId] = loanIds(1);
    const stream = { tenantId: rig.tenantId, streamId: `loan-${loanId}` };

    // The mapper fails after the append: the domain event must not stay without its integration event.
    const orphan = { eventId: '00000000-0000-4000-8000-000000000065', type: 'InstalmentMissed', schemaVersion: 1, data: {}, metadata: { correlationId: 'corr-rollback', occurredAt: '2026-01-02T00:00:00.000Z' } };
    await expect(
      appendWithOutbox(rig.store, rig.pool, stream, [orphan], 'no-stream', () => {
        throw new Error('mapping failed');
      }),
    ).rejects.toThrow('mapping failed');

    // The writer itself aborts after the append and the enqueue.
    const rolledBack = createEnvelope(
      instalmentMissedV1,
      { tenantId: rig.tenantId, loanId: loanId!, instalmentNumber: 1, dueDate: '2026-01-02', unpaidCount: 1, daysPastDue: 3, arrearsCents: arrearsOf(1) },
      { messageId: '00000000-0000-4000-8000-000000000066', occurredAt: '2026-01-02T00:00:00.000Z', correlationId: 'corr-rollback' },
    );
    await expect(
      withTransaction(rig.pool, async (tx) => {
        await rig.store.append(stream, [{ eventId: '00000000-0000-4000-8000-000000000067', type: 'InstalmentMissed', schemaVersion: 1, data: rolledBack.payload, metadata: { correlationId: 'corr-rollback', occurredAt: rolledBack.occurredAt } }], 'no-stream', { tx });
        await enqueue(tx, [rolledBack], rig.registry);
        throw new Error('forced rollback');
      }),
    ).rejects.toThrow('forced rollback');

    const sentinel = await rig.write(loanId!, 1);
    await waitFor(async () => consumer.stats().handled === 1, 20_000, 'the sentinel to be consumed');
    await relay.stop();

    expect(await rig.effects('fault6')).toEqual([{ loanId, seq: 1 }]);
    const onTopic = (await rig.readTopic(rig.topic)).map((m) => m.headers[HEADERS.messageId]);
    expect(onTopic).toContain(sentinel);
    expect(onTopic).not.toContain(rolledBack.messageId);
    expect((await rig.pool.query('SELECT count(*)::int AS n FROM messaging.outbox WHERE message_id = $1', [rolledBack.messageId])).rows[0].n).toBe(0);
    const stored = (await rig.store.readStream(stream)).map((e) => e.eventId);
    expect(stored).toHaveLength(1);
    expect(stored).not.toContain('00000000-0000-4000-8000-000000000065');
    expect(stored).not.toContain('00000000-0000-4000-8000-000000000067');
    await consumer.stop();
  });
});

describe('outbox writes and relay bookkeeping', () => {
  let db: TestDatabase;
  let rig: FaultRig;

  beforeAll(async () => {
    db = await createTestDatabase('messaging_outbox', [eventStoreMigrations, messagingMigrations]);
    rig = await createFaultRig(db, kafkaBrokers());
  });
  afterAll(async () => {
    await rig?.close();
    await db?.drop();
  });

  it('appends the domain event and its integration event together, and re-enqueueing a message id is a no-op', async () => {
    const [loanId] = loanIds(1);
    const messageId = await rig.write(loanId!, 1);
    const row = (await rig.pool.query('SELECT topic, key, tenant_id, headers, payload FROM messaging.outbox WHERE message_id = $1', [messageId])).rows[0];
    expect(row).toMatchObject({ topic: rig.topic, key: loanId, tenant_id: rig.tenantId });
    expect(row.headers).toMatchObject({ [HEADERS.tenantId]: rig.tenantId, [HEADERS.messageId]: messageId, [HEADERS.correlationId]: `corr-${loanId}` });
    const [event] = await rig.store.readStream({ tenantId: rig.tenantId, streamId: `loan-${loanId}` });
    expect(row.headers[HEADERS.causationId]).toBe(event!.eventId);
    const again = await withTransaction(rig.pool, (tx) => enqueue(tx, [row.payload], rig.registry));
    expect(again).toBe(0);
  });

  it('refuses on the write path a payload that breaks its contract, and writes nothing', async () => {
    const bad = { messageId: '00000000-0000-4000-8000-0000000000aa', name: instalmentMissedV1.name, tenantId: rig.tenantId, occurredAt: '2026-01-01T00:00:00Z', correlationId: 'c', payload: { tenantId: rig.tenantId, loanId: 'x', arrearsCents: 1.5 } };
    await expect(withTransaction(rig.pool, (tx) => enqueue(tx, [bad], rig.registry))).rejects.toMatchObject({ code: 'CONTRACT_VIOLATION', reason: 'INVALID_PAYLOAD' });
  });

  it('does not let the app role rewrite what an outbox row says', async () => {
    await expect(rig.pool.query(`UPDATE messaging.outbox SET payload = '{}'::jsonb`)).rejects.toThrow(/permission denied/);
  });

  it('holds back a row whose transaction is still open, and the rows committed after it, then publishes them in transaction order', async () => {
    const [loanId] = loanIds(1);
    const early = new Client({ connectionString: db.appUrl });
    await early.connect();
    const relay = rig.relay();
    try {
      await early.query('BEGIN');
      const envelope = (seq: number, id: string) =>
        createEnvelope(
          instalmentMissedV1,
          { tenantId: rig.tenantId, loanId: loanId!, instalmentNumber: seq, dueDate: '2026-01-02', unpaidCount: seq, daysPastDue: 3, arrearsCents: arrearsOf(seq) },
          { messageId: id, occurredAt: '2026-01-02T00:00:00.000Z', correlationId: 'corr-late' },
        );
      await enqueue(early as unknown as PoolClient, [envelope(1, '00000000-0000-4000-8000-0000000000b1')], rig.registry);
      await withTransaction(rig.pool, (tx) => enqueue(tx, [envelope(2, '00000000-0000-4000-8000-0000000000b2')], rig.registry));
      await new Promise((resolve) => setTimeout(resolve, 300));
      const held = (await rig.pool.query(`SELECT count(*)::int AS n FROM messaging.outbox WHERE key = $1 AND sent_at IS NOT NULL`, [loanId])).rows[0].n;
      expect(held).toBe(0);
      await early.query('COMMIT');
      await waitFor(async () => (await rig.unsent()) === 0, 10_000, 'both rows to be sent');
      const sent = (await rig.readTopic(rig.topic)).filter((m) => m.key === loanId).map((m) => m.headers[HEADERS.messageId]);
      expect(sent).toEqual(['00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-0000000000b2']);
    } finally {
      await early.end();
      await relay.stop();
    }
  });

  it('wakes an idle relay with a hint sent after appendWithOutbox committed, long before its next poll', async () => {
    const [loanId] = loanIds(1);
    const polls: number[] = [];
    const relay = rig.relay({ idleDelayMs: 30_000, hooks: { afterFetch: (_rows, polledAt) => polls.push(polledAt) } });
    try {
      await waitFor(async () => polls.length >= 1 && relay.stats().lanes.length === OUTBOX_LANES, 10_000, 'the relay to poll once and go idle');
      await new Promise((resolve) => setTimeout(resolve, 300));
      const pollsBefore = polls.length;
      await rig.write(loanId!, 1);
      await waitFor(async () => polls.length > pollsBefore, 3_000, 'the relay to poll on the hint');
      // The hinted poll may still find the row above the snapshot horizon (other databases' transactions count too):
      // later hints, not the 30 s poll, bring it out.
      await waitFor(
        async () => {
          await notifyOutbox(rig.pool);
          return (await rig.unsent()) === 0;
        },
        10_000,
        'the row to be sent',
      );
    } finally {
      await relay.stop();
    }
  });

  it('reports the outbox backlog, relay lag and published messages to Prometheus', async () => {
    const registry = new Registry();
    const [loanId] = loanIds(1);
    await rig.write(loanId!, 1);
    await rig.write(loanId!, 2);
    const metered = rig.relay({ metrics: registry });
    await waitFor(async () => (await rig.unsent()) === 0, 10_000, 'the outbox to drain');
    await metered.stop();
    await rig.write(loanId!, 3);
    const text = await registry.metrics();
    expect(text).toMatch(/tremplin_outbox_backlog 1\b/);
    expect(text).toMatch(/tremplin_outbox_relay_lag_seconds \d/);
    expect(text).toMatch(new RegExp(`tremplin_outbox_published_total\\{topic="${rig.topic.replace(/\./g, '\\.')}"\\} [1-9]`));
  });
});
