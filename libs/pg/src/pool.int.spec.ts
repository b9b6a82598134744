import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { runInContext } from '@tremplin/tenancy';
import { createPool, withTransaction } from './pool';

describe('withTransaction', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pg_pool');
  });
  afterAll(async () => db.drop());

  it('sets the tenant of the current context transaction-locally, never for the next user of the connection', async () => {
    const pool = createPool(db.appUrl, { max: 1 });
    try {
      const inside = await runInContext({ tenantId: 'ccas-tarbes', correlationId: 'c-1' }, () =>
        withTransaction(pool, async (tx) => (await tx.query(`SELECT current_setting('app.tenant_id', true) AS t`)).rows[0].t),
      );
      const after = (await pool.query(`SELECT current_setting('app.tenant_id', true) AS t`)).rows[0].t;
      expect({ inside, after }).toEqual({ inside: 'ccas-tarbes', after: '' });
    } finally {
      await pool.end();
    }
  });

  it('a connection the server ends mid-transaction fails that transaction, not the process, and is not reused', async () => {
    const pool = createPool(db.appUrl, { max: 1 });
    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    try {
      let killedPid = 0;
      await expect(
        withTransaction(pool, async (tx) => {
          killedPid = (await tx.query('SELECT pg_backend_pid() AS pid')).rows[0].pid;
          await admin.query('SELECT pg_terminate_backend($1)', [killedPid]);
          // The termination reaches the idle client as an 'error' event before the next statement.
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.query('SELECT 1');
        }),
      ).rejects.toThrow();
      const next = await withTransaction(pool, async (tx) => (await tx.query('SELECT pg_backend_pid() AS pid')).rows[0].pid);
      expect(next).not.toBe(killedPid);
    } finally {
      await admin.end();
      await pool.end();
    }
  });
});
