import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { contractEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { createPool, type Pool } from '@tremplin/pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { eventStoreMigrations, PostgresEventStore, startSubscriber } from './index';

describe('a subscriber whose connection the server ends', () => {
  let db: TestDatabase;
  let pool: Pool;
  beforeAll(async () => {
    db = await createTestDatabase('subscriber_reconnect', [eventStoreMigrations]);
    pool = createPool(db.appUrl, { max: 5 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('reconnects, takes its lock again and goes on delivering from its checkpoint, without crashing the process', async () => {
    const store = new PostgresEventStore(pool);
    const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
    const stream = { tenantId, streamId: `loan-${randomUUID()}` };
    const delivered: RecordedEvent[] = [];
    const errors: unknown[] = [];
    const name = `reconnect-${randomUUID().slice(0, 8)}`;
    const subscriber = startSubscriber(pool, { name, tenantId, pollIntervalMs: 20, handle: async (events) => void delivered.push(...events), onError: (error) => errors.push(error) });
    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    const until = async (check: () => boolean) => {
      const deadline = Date.now() + 15_000;
      while (!check()) {
        if (Date.now() > deadline) throw new Error('not in time');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await store.append(stream, [contractEvent('First')], 'no-stream');
      await until(() => delivered.length === 1 && subscriber.isOwner());
      // The connection holding the owner's advisory lock is the one in the subscriber's session.
      const killed = await admin.query(
        `SELECT pg_terminate_backend(l.pid) AS ok FROM pg_locks l WHERE l.locktype = 'advisory' AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      );
      expect(killed.rows.length).toBeGreaterThan(0);
      await store.append(stream, [contractEvent('Second')], 1);
      await until(() => delivered.length === 2);
      expect(delivered.map((e) => e.type)).toEqual(['First', 'Second']);
      expect(errors.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
      await subscriber.stop();
    }
  });
});
