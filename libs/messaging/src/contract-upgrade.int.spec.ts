import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { createEnvelope, createRegistry, defineContract, dlqTopicOf, topic, type Contract, type ContractRegistry, type Envelope } from '@tremplin/contracts';
import { createPool, withTransaction, type Pool } from '@tremplin/pg';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { createInboxConsumer, DLQ_HEADERS, on, type HandlerBinding, type InboxConsumer } from './consumer';
import { replayDeadLetters } from './dead-letters';
import { createKafkaTransport } from './kafkajs.transport';
import { messagingMigrations } from './migrations';
import { enqueue } from './outbox';
import { createOutboxRelay, type OutboxRelay } from './relay';
import type { IncomingMessage, MessageTransport } from './transport';

// Issue 16: a contract goes from v1 to v2 while producers and consumers roll out one pod at a time, on the
// run's real Kafka and PostgreSQL. Producers of both releases publish through the outbox side by side; three
// consumer groups read the topic: one still on the old release (knows v1 only), one on the new release (reads
// both), and one whose libs know v2 but whose handler was not written yet. A message a consumer cannot read
// is dead-lettered with reason UNSUPPORTED_VERSION, never skipped, never a crash; once that consumer is
// upgraded, replaying its dead letters applies them exactly once everywhere.

jest.setTimeout(120_000);

const TENANT = 'ccas-annecy';
const prefix = `u${randomUUID().slice(0, 8)}.`;
const TOPIC = `${prefix}upgrade.loan`;
const key = (payload: { loanId: string }) => payload.loanId;
const notedV1 = defineContract({
  name: 'upgrade.loan-noted.v1',
  topic: TOPIC,
  schema: z.object({ tenantId: z.string(), loanId: z.string(), amountCents: z.number().int() }).strict(),
  key,
});
// v2 is a breaking change (an amount with its currency): v1 readers cannot read it.
const notedV2 = defineContract({
  name: 'upgrade.loan-noted.v2',
  topic: TOPIC,
  schema: z.object({ tenantId: z.string(), loanId: z.string(), amount: z.object({ cents: z.number().int(), currency: z.literal('EUR') }).strict() }).strict(),
  key,
});
const topics = [topic(TOPIC, { partitions: 2 })];
const oldRelease: ContractRegistry = createRegistry(topics, [notedV1]);
const newRelease: ContractRegistry = createRegistry(topics, [notedV1, notedV2]);

let db: TestDatabase;
let pool: Pool;
let transport: MessageTransport;
let relay: OutboxRelay;
const consumers: InboxConsumer[] = [];

const handlers = (consumer: string, versions: Array<1 | 2>): HandlerBinding[] => {
  const record = (tx: { query: Client['query'] }, envelope: Envelope, loanId: string, version: number, cents: number) =>
    tx.query(`INSERT INTO upgrade.effects (consumer, message_id, loan_id, version, amount_cents) VALUES ($1, $2, $3, $4, $5)`, [consumer, envelope.messageId, loanId, version, cents]);
  return [
    ...(versions.includes(1) ? [on(notedV1, (p, { tx, envelope }) => record(tx, envelope, p.loanId, 1, p.amountCents).then(() => undefined))] : []),
    ...(versions.includes(2) ? [on(notedV2, (p, { tx, envelope }) => record(tx, envelope, p.loanId, 2, p.amount.cents).then(() => undefined))] : []),
  ];
};

function consumer(name: string, registry: ContractRegistry, versions: Array<1 | 2>, metrics?: Registry): InboxConsumer {
  const created = createInboxConsumer({ name, pool, transport, registry, handlers: handlers(name, versions), topics: [TOPIC], retry: { attempts: 1 }, heartbeatIntervalMs: 500, metrics });
  consumers.push(created);
  return created;
}

/** A producer pod of one release: writes the message in its outbox with its own registry (which refuses a contract it does not know). */
async function publish<C extends Contract>(registry: ContractRegistry, contract: C, payload: z.input<C['schema']>): Promise<string> {
  const envelope = createEnvelope(contract, payload, { messageId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: `corr-${randomUUID().slice(0, 8)}` });
  await withTransaction(pool, (tx) => enqueue(tx, [envelope as Envelope], registry), { tenantId: TENANT });
  return envelope.messageId;
}

async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 45_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function effects(name: string): Promise<Array<{ message_id: string; loan_id: string; version: number; amount_cents: string }>> {
  return (await pool.query(`SELECT message_id, loan_id, version, amount_cents::text FROM upgrade.effects WHERE consumer = $1 ORDER BY applied`, [name])).rows;
}

async function readToEnd(name: string): Promise<IncomingMessage[]> {
  const ends = new Map((await transport.topicOffsets(name)).map((p) => [p.partition, BigInt(p.high)]));
  const seen = new Map<number, bigint>();
  const received: IncomingMessage[] = [];
  const subscription = await transport.subscribe({
    groupId: `reader-${randomUUID()}`,
    topics: [name],
    fromBeginning: true,
    heartbeatIntervalMs: 500,
    onBatch: async (batch, control) => {
      for (const message of batch.messages) {
        if (BigInt(message.offset) <= (seen.get(message.partition) ?? -1n)) continue;
        received.push(message);
        seen.set(message.partition, BigInt(message.offset));
        control.resolve(message.offset);
      }
    },
  });
  try {
    await waitFor(`${name} read to its end`, () => [...ends].every(([partition, end]) => end === 0n || (seen.get(partition) ?? -1n) + 1n >= end));
  } finally {
    await subscription.stop();
  }
  return received;
}

/** Still consuming: neither stopped nor crashed. */
const running = (c: InboxConsumer) => Promise.race([c.done.then(() => 'stopped', (error: Error) => `crashed: ${error.message}`), new Promise((resolve) => setTimeout(() => resolve('running'), 200))]);

beforeAll(async () => {
  db = await createTestDatabase('messaging_upgrade', [messagingMigrations]);
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  await owner.query(`
    CREATE SCHEMA upgrade;
    GRANT USAGE ON SCHEMA upgrade TO tremplin_app;
    CREATE TABLE upgrade.effects (applied bigserial PRIMARY KEY, consumer text NOT NULL, message_id uuid NOT NULL, loan_id text NOT NULL, version int NOT NULL, amount_cents bigint NOT NULL);
    GRANT SELECT, INSERT ON upgrade.effects TO tremplin_app;
    GRANT USAGE ON ALL SEQUENCES IN SCHEMA upgrade TO tremplin_app;`);
  await owner.end();
  pool = createPool(db.appUrl, { max: 8 });
  transport = createKafkaTransport({ brokers: kafkaBrokers(), clientId: 'contract-upgrade-spec' });
  await transport.ensureTopics(newRelease.topicsToCreate());
  relay = createOutboxRelay({ pool, transport, idleDelayMs: 20 });
  relay.start();
});

afterAll(async () => {
  await relay?.stop();
  for (const c of consumers) await c.stop().catch(() => undefined);
  await transport?.close();
  await pool?.end();
  await db?.drop();
});

describe('a contract upgraded from v1 to v2 during a rolling upgrade', () => {
  const metrics = new Registry();
  let oldConsumer: InboxConsumer;
  let newConsumer: InboxConsumer;
  let halfConsumer: InboxConsumer;
  const ids: Record<'m1' | 'm2' | 'm3' | 'm4', string> = { m1: '', m2: '', m3: '', m4: '' };

  it('an old producer cannot publish v2 at all: its registry refuses it before anything is stored', async () => {
    await expect(publish(oldRelease, notedV2, { tenantId: TENANT, loanId: 'loan-1', amount: { cents: 1, currency: 'EUR' } })).rejects.toThrow(/UNKNOWN_CONTRACT \(upgrade\.loan-noted\.v2\)/);
    expect((await pool.query(`SELECT count(*)::int AS n FROM messaging.outbox`)).rows[0].n).toBe(0);
  });

  it('side by side: the new consumer reads v1 and v2; the old one dead-letters v2 with the reason and carries on with v1', async () => {
    oldConsumer = consumer('upgrade-old', oldRelease, [1], metrics);
    newConsumer = consumer('upgrade-new', newRelease, [1, 2]);
    halfConsumer = consumer('upgrade-half', newRelease, [1]);
    await Promise.all([oldConsumer.start(), newConsumer.start(), halfConsumer.start()]);

    // Producer pods of both releases during their rollout, one loan's facts in order on one partition.
    ids.m1 = await publish(oldRelease, notedV1, { tenantId: TENANT, loanId: 'loan-1', amountCents: 10_000 });
    ids.m2 = await publish(newRelease, notedV2, { tenantId: TENANT, loanId: 'loan-1', amount: { cents: 20_000, currency: 'EUR' } });
    ids.m3 = await publish(oldRelease, notedV1, { tenantId: TENANT, loanId: 'loan-1', amountCents: 30_000 });
    ids.m4 = await publish(newRelease, notedV2, { tenantId: TENANT, loanId: 'loan-2', amount: { cents: 40_000, currency: 'EUR' } });

    await waitFor('every consumer through the four messages', () => {
      const [o, n, h] = [oldConsumer.stats(), newConsumer.stats(), halfConsumer.stats()];
      return n.handled === 4 && o.handled + o.deadLettered === 4 && h.handled + h.deadLettered === 4;
    });
    expect(newConsumer.stats()).toEqual({ handled: 4, duplicates: 0, ignored: 0, deadLettered: 0 });
    expect((await effects('upgrade-new')).map((e) => [e.message_id, e.version, e.amount_cents])).toEqual(
      expect.arrayContaining([
        [ids.m1, 1, '10000'],
        [ids.m2, 2, '20000'],
        [ids.m3, 1, '30000'],
        [ids.m4, 2, '40000'],
      ]),
    );
    // Old release: v1 applied (m3 too, behind the v2 it could not read), v2 dead-lettered, still consuming.
    expect(oldConsumer.stats()).toEqual({ handled: 2, duplicates: 0, ignored: 0, deadLettered: 2 });
    expect((await effects('upgrade-old')).map((e) => e.message_id)).toEqual([ids.m1, ids.m3]);
    expect(await running(oldConsumer)).toBe('running');
    // Libs upgraded but no v2 handler: v2 is not "not for me" (ignored), it is a fact this consumer wants.
    expect(halfConsumer.stats()).toEqual({ handled: 2, duplicates: 0, ignored: 0, deadLettered: 2 });
    expect(await running(halfConsumer)).toBe('running');

    const dead = await readToEnd(dlqTopicOf(TOPIC));
    const letters = dead.map((m) => ({
      id: (JSON.parse(m.value!.toString()) as Envelope).messageId,
      group: m.headers[DLQ_HEADERS.group],
      reason: m.headers[DLQ_HEADERS.reason],
      error: m.headers[DLQ_HEADERS.error],
    }));
    expect(letters.filter((l) => l.group === 'upgrade-old').map((l) => l.id).sort()).toEqual([ids.m2, ids.m4].sort());
    expect(letters.filter((l) => l.group === 'upgrade-half').map((l) => l.id).sort()).toEqual([ids.m2, ids.m4].sort());
    for (const letter of letters) {
      expect(letter.reason).toBe('UNSUPPORTED_VERSION');
      expect(letter.error).toBe(`upgrade.loan-noted.v2 is a version of a contract consumer ${letter.group} reads only as upgrade.loan-noted.v1: upgrade the consumer, then replay this dead letter to its topic`);
    }
    expect(await metrics.metrics()).toMatch(/tremplin_dead_letters_total\{[^}]*reason="UNSUPPORTED_VERSION"[^}]*\} 2/);
  });

  it('once the old consumer is upgraded, replaying its dead letters applies each exactly once, and a second replay sends nothing', async () => {
    await oldConsumer.stop();
    const upgraded = consumer('upgrade-old', newRelease, [1, 2]);
    await upgraded.start();

    const replay = await replayDeadLetters(transport, { dlqTopic: dlqTopicOf(TOPIC), consumerGroup: 'upgrade-old', reasons: ['UNSUPPORTED_VERSION'] });
    expect(replay).toMatchObject({ read: 4, replayed: 2, skipped: 2, bySourceTopic: { [TOPIC]: 2 } });

    await waitFor('the replayed v2 messages applied by the upgraded consumer', () => upgraded.stats().handled === 2);
    // Every group sees the replay on the topic: the new one had applied them (skipped by its inbox); the
    // half-upgraded one still cannot read them and dead-letters them again (nothing lost, nothing applied).
    await waitFor('the other groups through the replay', () => newConsumer.stats().duplicates === 2 && halfConsumer.stats().deadLettered === 4);
    const old = await effects('upgrade-old');
    expect(old.map((e) => [e.message_id, e.version, e.amount_cents]).sort()).toEqual(
      [
        [ids.m1, 1, '10000'],
        [ids.m2, 2, '20000'],
        [ids.m3, 1, '30000'],
        [ids.m4, 2, '40000'],
      ].sort(),
    );
    // What the wrong rollout order costs: loan-1's v2 fact was applied after the v1 fact that followed it.
    expect(old.filter((e) => e.loan_id === 'loan-1').map((e) => e.message_id)).toEqual([ids.m1, ids.m3, ids.m2]);
    expect((await effects('upgrade-new')).filter((e) => e.loan_id === 'loan-1').map((e) => e.message_id)).toEqual([ids.m1, ids.m2, ids.m3]);

    const again = await replayDeadLetters(transport, { dlqTopic: dlqTopicOf(TOPIC), consumerGroup: 'upgrade-old', reasons: ['UNSUPPORTED_VERSION'] });
    // The two letters the half-upgraded consumer dead-lettered during the replay are new, and not this group's.
    expect(again).toMatchObject({ read: 2, replayed: 0, skipped: 2 });
    expect(await running(upgraded)).toBe('running');
  });
});
