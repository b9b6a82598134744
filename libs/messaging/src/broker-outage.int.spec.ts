import { eventStoreMigrations } from '@tremplin/event-store-postgres';
// A private broker this test may stop (agreed for fault tests); the boundary rule has no spec-only edge to tooling yet.
import { createTestDatabase, startKafka, type KafkaNode, type TestDatabase } from '@tremplin/testing';
import { messagingMigrations } from './migrations';
import { appliedOrder, createFaultRig, expectedOrder, loanIds, waitFor, writeLoans, type FaultRig } from './testing/fault-rig';

// Stops and restarts a broker, so it runs its own instead of the one the other tests share.
describe('broker outage (issue 4 fault test 1)', () => {
  let db: TestDatabase;
  let kafka: KafkaNode;
  let rig: FaultRig;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([createTestDatabase('messaging_outage', [eventStoreMigrations, messagingMigrations]), startKafka({ heapMb: 512 })]);
    rig = await createFaultRig(db, kafka.brokers);
  }, 90_000);
  afterAll(async () => {
    await rig?.close();
    await kafka?.stop();
    await db?.drop();
  }, 30_000);

  it('1. the broker stops while 1,000 integration events are written through the outbox and starts again: every effect is applied exactly once, in order per key', async () => {
    const loans = loanIds(20);
    const relay = rig.relay({ backoff: { initialMs: 100, maxMs: 1_000 } });
    const consumer = rig.consumer('fault1');
    await consumer.start();

    let outage: Promise<void> | undefined;
    let writtenWhileDown = 0;
    await writeLoans(rig, loans, 50, (total) => {
      if (total === 250) outage = kafka.kill();
      if (outage) writtenWhileDown += 1;
    });
    await outage;
    const stranded = await rig.unsent();
    await kafka.start();

    await waitFor(async () => (await rig.effects('fault1')).length >= 1_000, 45_000, '1,000 effects');
    await waitFor(async () => (await rig.unsent()) === 0, 10_000, 'the outbox to drain');
    await relay.stop();
    await consumer.stop();

    expect(writtenWhileDown).toBeGreaterThan(500);
    expect(stranded).toBeGreaterThan(0); // the outage really held messages back
    expect(relay.stats().failures).toBeGreaterThan(0);
    const effects = await rig.effects('fault1');
    expect(effects).toHaveLength(1_000);
    expect(appliedOrder(effects)).toEqual(expectedOrder(loans, 50));
  }, 90_000);
});
