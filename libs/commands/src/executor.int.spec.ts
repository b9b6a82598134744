import { randomUUID } from 'node:crypto';
import { applicationTransmittedV1, contractRegistry, createEnvelope, withTopicPrefix } from '@tremplin/contracts';
import { stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import { eventStoreMigrations, PostgresEventStore } from '@tremplin/event-store-postgres';
import { createInboxConsumer, createKafkaTransport, createOutboxRelay, enqueue, ensureTopics, messagingMigrations, on, type MessageTransport } from '@tremplin/messaging';
import { createPool, withTransaction, type Pool } from '@tremplin/pg';
import { tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { commandsMigrations, createCommandExecutor } from './executor';

jest.setTimeout(90_000);

// A counter that only accepts the next number: a command decided on stale state is refused, not silently fine.
type Count = { type: 'Count'; sequence: number };
type Counted = { type: 'Counted'; data: { sequence: number } };
const counterDecider: Decider<Count, Counted, number> = {
  initialState: () => 0,
  evolve: (_state, event) => event.data.sequence,
  decide: (command, state) => {
    if (command.sequence !== state + 1) throw stateError('OUT_OF_ORDER', `expected ${state + 1}, got ${command.sequence}`);
    return [{ type: 'Counted', data: { sequence: command.sequence } }];
  },
};
const counter: Aggregate<Count, Counted, number> = { category: 'counter', decider: counterDecider };

describe('commands inside one inbox transaction', () => {
  let db: TestDatabase;
  let pool: Pool;
  let transport: MessageTransport;

  beforeAll(async () => {
    db = await createTestDatabase('commands_executor', [tenancyMigrations, eventStoreMigrations, messagingMigrations, commandsMigrations]);
    pool = createPool(db.appUrl);
    transport = createKafkaTransport({ brokers: kafkaBrokers(), clientId: 'commands-int-spec' });
  });
  afterAll(async () => {
    await transport?.close();
    await pool?.end();
    await db?.drop();
  });

  it('applies several messages for one stream in one chunk, each once, in order, without a retry', async () => {
    const prefix = `t-${randomUUID().slice(0, 8)}.`;
    const registry = withTopicPrefix(contractRegistry, prefix);
    await ensureTopics(transport, registry);
    const tenantId = 'ccas-tarbes';
    const applicationId = `app-${randomUUID().slice(0, 8)}`;
    // Ten messages with one key: one partition, one fetch, one inbox transaction (transactionSize 100).
    await withTransaction(pool, (tx) =>
      enqueue(
        tx,
        Array.from({ length: 10 }, (_, i) =>
          createEnvelope(
            applicationTransmittedV1,
            { tenantId, applicationId, beneficiaryId: 'b-1', bankPartnerId: 'bank-parcours', product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12, transmittedAt: '2026-01-05T10:00:00.000Z', commissionDecisionId: `seq-${i + 1}` },
            { messageId: randomUUID(), occurredAt: '2026-01-05T10:00:00.000Z', correlationId: randomUUID() },
          ),
        ),
        registry,
      ),
    );
    const relay = createOutboxRelay({ pool, transport, name: 'commands-spec-relay' });
    relay.start();
    await eventually(async () => Number((await pool.query(`SELECT count(*) AS n FROM messaging.outbox WHERE sent_at IS NULL`)).rows[0].n) === 0);
    await relay.stop();

    const executor = createCommandExecutor({ pool, store: new PostgresEventStore(pool), registry });
    let calls = 0;
    const consumer = createInboxConsumer({
      name: `${prefix}counter`,
      pool,
      transport,
      registry,
      transactionSize: 100,
      handlers: [
        on(applicationTransmittedV1, async (payload, { tx, envelope }) => {
          calls += 1;
          const outcome = await executor.execute({
            aggregate: counter,
            tenantId: payload.tenantId,
            streamId: `counter-${payload.applicationId}`,
            command: { type: 'Count', sequence: Number(payload.commissionDecisionId.slice('seq-'.length)) },
            commandId: envelope.messageId,
            metadata: { correlationId: envelope.correlationId, occurredAt: envelope.occurredAt },
            respond: (decided) => ({ statusCode: 200, body: { version: decided.streamVersion } }),
            tx,
          });
          if (outcome.kind === 'refused') throw outcome.error;
        }),
      ],
    });
    await consumer.start();
    await eventually(async () => Number((await pool.query(`SELECT count(*) AS n FROM messaging.inbox WHERE consumer = $1`, [`${prefix}counter`])).rows[0].n) === 10);
    await consumer.stop();

    const store = new PostgresEventStore(pool);
    const stream = await store.readStream({ tenantId, streamId: `counter-${applicationId}` });
    expect(stream.map((event) => (event.data as { sequence: number }).sequence)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(calls).toBe(10);
    expect(consumer.stats()).toMatchObject({ handled: 10, deadLettered: 0 });
  });
});

async function eventually(probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
