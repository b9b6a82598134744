import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { createPool, type Pool } from '@tremplin/pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { messagingMigrations } from './migrations';
import { checkPurgeRetention, purgeMessaging, PurgeRetentionError, startPurgeJob } from './purge';

// Purge jobs on real PostgreSQL, run as the service role: sent outbox rows past their retention go, unsent ones
// never do; inbox rows go only once no copy of their message can still be delivered.

let db: TestDatabase;
let pool: Pool;

async function asOwner<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const outboxRow = (sentDaysAgo: number | null, createdDaysAgo: number) =>
  asOwner((client) =>
    client.query(
      `INSERT INTO messaging.outbox (message_id, name, topic, key, payload, tenant_id, created_at, sent_at)
       VALUES ($1, 'probe.v1', 'probe', 'k', '{}', 'ccas-probe', now() - make_interval(days => $2::int), CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(days => $3::int) END)`,
      [randomUUID(), createdDaysAgo, sentDaysAgo],
    ),
  );
const inboxRow = (daysAgo: number) =>
  asOwner((client) =>
    client.query(`INSERT INTO messaging.inbox (consumer, message_id, name, topic, partition, "offset", processed_at) VALUES ('probe', $1, 'probe.v1', 'probe', 0, 1, now() - make_interval(days => $2::int))`, [randomUUID(), daysAgo]),
  );
const counts = () =>
  asOwner(async (client) => ({
    sent: Number((await client.query(`SELECT count(*) AS n FROM messaging.outbox WHERE sent_at IS NOT NULL`)).rows[0].n),
    unsent: Number((await client.query(`SELECT count(*) AS n FROM messaging.outbox WHERE sent_at IS NULL`)).rows[0].n),
    inbox: Number((await client.query(`SELECT count(*) AS n FROM messaging.inbox`)).rows[0].n),
  }));

beforeAll(async () => {
  db = await createTestDatabase('messaging_purge', [messagingMigrations]);
  pool = createPool(db.appUrl, { max: 2 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

it('deletes sent outbox rows and inbox rows past their retention, in batches, as the service role; never an unsent row', async () => {
  for (let i = 0; i < 5; i += 1) await outboxRow(10, 11); // sent 10 days ago
  await outboxRow(2, 3); // sent 2 days ago
  await outboxRow(null, 30); // never sent, for a month (a broken broker): kept
  for (let i = 0; i < 3; i += 1) await inboxRow(200);
  await inboxRow(100);
  await inboxRow(1);

  expect(await purgeMessaging(pool, { outboxRetentionDays: 7, inboxRetentionDays: 120 }, 2)).toEqual({ outbox: 5, inbox: 3 });
  expect(await counts()).toEqual({ sent: 1, unsent: 1, inbox: 2 });
  expect(await purgeMessaging(pool, { outboxRetentionDays: 7, inboxRetentionDays: 120 })).toEqual({ outbox: 0, inbox: 0 });
});

it('runs on an interval and reports what it purged', async () => {
  await outboxRow(30, 31);
  const results: unknown[] = [];
  const job = startPurgeJob(pool, { outboxRetentionDays: 7, inboxRetentionDays: 120 }, { intervalMs: 50, onResult: (result) => results.push(result) });
  const deadline = Date.now() + 10_000;
  while (!results.some((result) => (result as { outbox: number }).outbox === 1) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
  await job.stop();
  expect(results).toContainEqual({ outbox: 1, inbox: 0 });
});

it('refuses an inbox retention that a redelivered message could outlive', () => {
  const ninetyDays = 90 * 24 * 60 * 60 * 1000;
  expect(() => checkPurgeRetention({ outboxRetentionDays: 7, inboxRetentionDays: 60 }, ninetyDays)).toThrow(PurgeRetentionError);
  expect(() => checkPurgeRetention({ outboxRetentionDays: 7, inboxRetentionDays: 90 }, ninetyDays)).toThrow(/at least 91 days/);
  expect(() => checkPurgeRetention({ outboxRetentionDays: 0, inboxRetentionDays: 120 }, ninetyDays)).toThrow(/outbox retention/);
  expect(() => checkPurgeRetention({ outboxRetentionDays: 7, inboxRetentionDays: 91 }, ninetyDays)).not.toThrow();
});
