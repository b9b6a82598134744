import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { createEnvelope, dlqTopicOf, instalmentMissedV1 } from '@tremplin/contracts';
import { eventStoreMigrations } from '@tremplin/event-store-postgres';
import { currentContext } from '@tremplin/tenancy';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { ConsumerCrashedError, DLQ_HEADERS, createInboxConsumer, on, type HandlerBinding } from './consumer';
import { HEADERS, headersOf } from './headers';
import { messagingMigrations } from './migrations';
import { appliedOrder, createFaultRig, expectedOrder, loanIds, waitFor, writeLoans, type FaultRig } from './testing/fault-rig';

jest.setTimeout(60_000);

describe('inbox consumer (issue 4 fault tests 3, 4)', () => {
  let db: TestDatabase;
  let rig: FaultRig;

  beforeEach(async () => {
    db = await createTestDatabase('messaging_consumer', [eventStoreMigrations, messagingMigrations]);
    rig = await createFaultRig(db, kafkaBrokers());
  });
  afterEach(async () => {
    await rig?.close();
    await db?.drop();
    rig = undefined as unknown as FaultRig;
    db = undefined as unknown as TestDatabase;
  });

  it('3. a consumer killed mid-batch before its offset commit: a second member of the group finishes, nothing is lost or doubled, and the read model equals a replay from scratch', async () => {
    const loans = loanIds(10);
    await writeLoans(rig, loans, 30);
    const relay = rig.relay();
    await waitFor(async () => (await rig.unsent()) === 0, 20_000, 'the outbox to drain');
    await relay.stop();

    let seen = 0;
    const doomed = rig.consumer('fault3', {
      commitEvery: 10_000,
      hooks: {
        afterTransaction: () => {
          if (++seen === 137) throw new Error('SIGKILL');
        },
      },
    });
    await doomed.start();
    await expect(doomed.done).rejects.toBeInstanceOf(ConsumerCrashedError);
    expect(doomed.stats().handled).toBe(136); // the 137th (and the rest of its transaction) committed, then it died

    const survivor = rig.consumer('fault3');
    await survivor.start();
    const high = await rig.transport.topicOffsets(rig.topic);
    await waitFor(
      async () => {
        const committed = await rig.transport.committedOffsets('fault3', rig.topic);
        return high.every((h) => h.high === '0' || committed.find((c) => c.partition === h.partition)?.offset === h.high);
      },
      30_000,
      'the group to commit every partition to its end',
    );
    await survivor.stop();

    // At least the 137th came back: its transaction had committed, its offset had not.
    expect(survivor.stats().duplicates).toBeGreaterThanOrEqual(1);
    const effects = await rig.effects('fault3');
    expect(effects).toHaveLength(300);
    expect(appliedOrder(effects)).toEqual(expectedOrder(loans, 30));
    expect(await rig.loanView('fault3')).toEqual(await rig.replayLoanView());
  });

  it('4. a message that fails its schema and one whose handler always throws both land in the DLQ with the reason; the messages after them are processed', async () => {
    const [poisoned, healthy] = loanIds(2) as [string, string];
    let attemptsOnPoison = 0;
    const registry = new Registry();
    const consumer = rig.consumer('fault4', {
      metrics: registry,
      failFor: (loanId, seq) => {
        const poison = loanId === poisoned && seq === 2;
        if (poison) attemptsOnPoison += 1;
        return poison;
      },
    });
    await rig.write(poisoned, 1);
    const poisonId = await rig.write(poisoned, 2);

    // A publisher that bypassed the outbox: same key, so same partition, right behind the poison.
    const raw = await rig.transport.producer();
    const valid = createEnvelope(
      instalmentMissedV1,
      { tenantId: rig.tenantId, loanId: poisoned, instalmentNumber: 99, dueDate: '2026-02-01', unpaidCount: 2, daysPastDue: 40, arrearsCents: 5_000 },
      { messageId: randomUUID(), occurredAt: '2026-02-01T00:00:00.000Z', correlationId: 'corr-raw' },
    );
    const invalid = { ...valid, messageId: randomUUID(), payload: { ...valid.payload, arrearsCents: 50.5 } };
    const unknown = { ...valid, messageId: randomUUID(), name: 'lending.loan-vanished.v1' };
    await raw.send([
      { topic: rig.topic, key: poisoned, value: JSON.stringify(invalid), headers: headersOf(invalid) },
      { topic: rig.topic, key: poisoned, value: JSON.stringify(unknown), headers: headersOf(unknown) },
      { topic: rig.topic, key: poisoned, value: '{"not": "an envelope"', headers: {} },
    ]);
    await raw.close();
    await rig.write(poisoned, 3);
    await rig.write(healthy, 1);
    const relay = rig.relay();
    await consumer.start();

    await waitFor(async () => consumer.stats().handled === 3 && consumer.stats().deadLettered === 4, 30_000, 'three effects and four dead letters');
    await relay.stop();
    await consumer.stop();

    expect(attemptsOnPoison).toBe(3);
    expect(appliedOrder(await rig.effects('fault4'))).toEqual(new Map([[poisoned, [1, 3]], [healthy, [1]]]));
    const dead = await rig.readTopic(dlqTopicOf(rig.topic));
    expect(dead.map((m) => m.headers[DLQ_HEADERS.reason]).sort()).toEqual(['HANDLER_FAILED', 'INVALID_PAYLOAD', 'MALFORMED_MESSAGE', 'UNKNOWN_CONTRACT']);
    const failed = dead.find((m) => m.headers[DLQ_HEADERS.reason] === 'HANDLER_FAILED')!;
    expect(failed.headers[HEADERS.messageId]).toBe(poisonId);
    expect(failed.headers[DLQ_HEADERS.error]).toMatch(/cannot apply instalment 2/);
    expect(failed.headers[DLQ_HEADERS.attempts]).toBe('3');
    expect(failed.headers[DLQ_HEADERS.group]).toBe('fault4');
    expect(failed.key).toBe(poisoned);
    expect(JSON.parse(failed.value!.toString())).toMatchObject({ messageId: poisonId, payload: { loanId: poisoned, instalmentNumber: 2 } });
    const schemaFailure = dead.find((m) => m.headers[DLQ_HEADERS.reason] === 'INVALID_PAYLOAD')!;
    expect(schemaFailure.headers[DLQ_HEADERS.error]).toMatch(/arrearsCents/);
    expect(schemaFailure.value!.toString()).toBe(JSON.stringify(invalid));
    for (const letter of dead) {
      expect(letter.headers[DLQ_HEADERS.topic]).toBe(rig.topic);
      expect(letter.headers[DLQ_HEADERS.offset]).toMatch(/^\d+$/);
      expect(letter.headers[DLQ_HEADERS.partition]).toMatch(/^\d+$/);
    }
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/tremplin_dead_letters_total\{[^}]*reason="HANDLER_FAILED"[^}]*\} 1/);
    expect(metrics).toMatch(/tremplin_consumer_lag\{/);
  });

  it('applies a message once when the same id arrives twice within one transaction chunk, and the next one still runs', async () => {
    const [loanId] = loanIds(1) as [string];
    const envelope = (seq: number) =>
      createEnvelope(
        instalmentMissedV1,
        { tenantId: rig.tenantId, loanId, instalmentNumber: seq, dueDate: '2026-02-01', unpaidCount: seq, daysPastDue: 5, arrearsCents: 1_000 * seq },
        { messageId: randomUUID(), occurredAt: '2026-02-01T00:00:00.000Z', correlationId: 'corr-repeat' },
      );
    const [first, second] = [envelope(1), envelope(2)];
    const raw = await rig.transport.producer();
    // Written before the consumer starts, so its first fetch brings all three in one batch of one partition.
    await raw.send([first, first, second].map((e) => ({ topic: rig.topic, key: loanId, value: JSON.stringify(e), headers: headersOf(e) })));
    await raw.close();
    const consumer = rig.consumer('repeat');
    await consumer.start();
    await waitFor(async () => consumer.stats().handled + consumer.stats().duplicates === 3, 30_000, 'three deliveries consumed');
    await consumer.stop();

    expect(consumer.stats()).toEqual({ handled: 2, duplicates: 1, ignored: 0, deadLettered: 0 });
    expect(appliedOrder(await rig.effects('repeat'))).toEqual(new Map([[loanId, [1, 2]]]));
    const inbox = await rig.pool.query(`SELECT message_id FROM messaging.inbox WHERE consumer = 'repeat' ORDER BY "offset"`);
    expect(inbox.rows.map((r) => r.message_id)).toEqual([first.messageId, second.messageId]);
  });

  it('restores tenant and correlation from the headers and runs the handler with the message as its cause', async () => {
    const [loanId] = loanIds(1);
    const seen: unknown[] = [];
    const consumer = createInboxConsumer({
      name: 'context-probe',
      pool: rig.pool,
      transport: rig.transport,
      registry: rig.registry,
      handlers: [
        on(instalmentMissedV1, async (_payload, { tx }) => {
          const setting = (await tx.query(`SELECT current_setting('app.tenant_id', true) AS tenant`)).rows[0].tenant;
          seen.push({ ...currentContext(), setting });
        }),
      ],
    });
    const messageId = await rig.write(loanId!, 1);
    const relay = rig.relay();
    await consumer.start();
    await waitFor(async () => seen.length === 1, 20_000, 'the message to be handled');
    await relay.stop();
    await consumer.stop();
    expect(seen[0]).toEqual({ tenantId: rig.tenantId, correlationId: `corr-${loanId}`, causationId: messageId, setting: rig.tenantId });
  });

  it('hands consecutive new messages to a batch handler in one call (a repeat skipped), and replays a failing batch one message at a time through handle', async () => {
    const [loanId] = loanIds(1) as [string];
    const envelope = (seq: number) =>
      createEnvelope(
        instalmentMissedV1,
        { tenantId: rig.tenantId, loanId, instalmentNumber: seq, dueDate: '2026-02-01', unpaidCount: seq, daysPastDue: 5, arrearsCents: 1_000 * seq },
        { messageId: randomUUID(), occurredAt: '2026-02-01T00:00:00.000Z', correlationId: 'corr-batch' },
      );
    const messages = [1, 2, 3, 4, 5].map(envelope);
    const raw = await rig.transport.producer();
    // Written before the consumers start, so a first fetch brings them all in one batch of one partition.
    await raw.send([...messages.slice(0, 3), messages[1]!, ...messages.slice(3)].map((e) => ({ topic: rig.topic, key: loanId, value: JSON.stringify(e), headers: headersOf(e) })));
    await raw.close();

    const batches: number[][] = [];
    const single: number[] = [];
    const binding = (handleBatch: NonNullable<HandlerBinding['handleBatch']>): HandlerBinding => ({
      contract: instalmentMissedV1.name,
      handle: async (payload) => {
        single.push(payload.instalmentNumber as number);
      },
      handleBatch,
    });
    const batched = createInboxConsumer({
      name: 'batched',
      pool: rig.pool,
      transport: rig.transport,
      registry: rig.registry,
      handlers: [binding(async (items, { tx }) => {
        await tx.query('SELECT 1');
        batches.push(items.map((item) => item.payload.instalmentNumber as number));
      })],
    });
    await batched.start();
    await waitFor(async () => batched.stats().handled + batched.stats().duplicates === 6, 30_000, 'six deliveries consumed');
    await batched.stop();
    expect(batched.stats()).toEqual({ handled: 5, duplicates: 1, ignored: 0, deadLettered: 0 });
    expect(batches).toEqual([[1, 2, 3, 4, 5]]);
    expect(single).toEqual([]);

    // A batch handler that fails: the chunk rolls back (its inbox rows too) and each message runs alone through handle.
    let failures = 0;
    const fallback = createInboxConsumer({
      name: 'batch-fallback',
      pool: rig.pool,
      transport: rig.transport,
      registry: rig.registry,
      handlers: [binding(async () => {
        failures += 1;
        throw new Error('one row of the batch is refused');
      })],
    });
    await fallback.start();
    await waitFor(async () => fallback.stats().handled + fallback.stats().duplicates === 6, 30_000, 'six deliveries consumed one by one');
    await fallback.stop();
    expect(failures).toBeGreaterThanOrEqual(1);
    expect(fallback.stats()).toEqual({ handled: 5, duplicates: 1, ignored: 0, deadLettered: 0 });
    expect(single).toEqual([1, 2, 3, 4, 5]);
    const inbox = await rig.pool.query(`SELECT count(*)::int AS n FROM messaging.inbox WHERE consumer = 'batch-fallback'`);
    expect(inbox.rows[0].n).toBe(5);
  });
});
