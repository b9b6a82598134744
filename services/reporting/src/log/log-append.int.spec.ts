import { randomUUID } from 'node:crypto';
import { createPool, withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import type { ConsumedEvent } from '../facts/facts';
import { appendAllToLog, appendToLog } from '../facts/facts.store';
import { event } from '../facts/scenario.test-support';
import { service } from '../service';
import { foldWaiting, waitingToFold } from './log-folder';
import { scopeAllTenants } from './rebuild';

// The consumer appends chunks of several partitions at once: positions must follow commit order, or the folder (which
// folds what lies past its position, in position order, ADR 0013) could skip a message committed after a later one.

let db: TestDatabase;
let pool: Pool;

const paid = (tenantId: string, loanId: string): ConsumedEvent => ({
  messageId: randomUUID(),
  name: 'lending.instalment-paid.v1',
  tenantId,
  occurredAt: '2026-03-05T10:00:00.000Z',
  payload: { tenantId, loanId, amountCents: 6_512, principalRepaidCents: 6_012, interestPaidCents: 500, outstandingPrincipalCents: 143_988, paidOn: '2026-03-05', recordedAt: '2026-03-05T10:00:00.000Z' },
});

const logged = async (ids: readonly string[]) =>
  withTransaction(pool, async (tx) => {
    await tx.query(`SELECT set_config('app.tenant_ids', 'ccas-tarbes,ccas-pau', true)`);
    const { rows } = await tx.query<{ message_id: string; seq: string; payload: Record<string, unknown>; waiting: boolean }>(
      `SELECT message_id, seq, payload, seq > (SELECT folded_up_to FROM reporting.fold_progress) AS waiting
       FROM reporting.consumed_event e WHERE message_id = ANY($1::uuid[]) ORDER BY seq`,
      [ids],
    );
    return rows;
  });

beforeAll(async () => {
  db = await createTestDatabase('reporting_append', service.migrations);
  pool = createPool(db.appUrl, { max: 8 });
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('appending to the log', () => {
  it('keeps a chunk in its order, payloads intact, each message once and waiting to be folded, a repeat skipped', async () => {
    const chunk = [paid('ccas-tarbes', 'l1'), paid('ccas-pau', 'l2'), paid('ccas-tarbes', 'l3')];
    const first = await withTransaction(pool, (tx) => appendAllToLog(tx, chunk));
    const again = await withTransaction(pool, (tx) => appendAllToLog(tx, [chunk[1]!, paid('ccas-pau', 'l4')]));
    expect([first, again]).toEqual([3, 1]);
    const rows = await logged(chunk.map((e) => e.messageId));
    expect(rows.map((r) => r.message_id)).toEqual(chunk.map((e) => e.messageId));
    expect(rows.map((r) => r.payload)).toEqual(chunk.map((e) => e.payload));
    expect(rows.every((r) => r.waiting)).toBe(true);
  });

  it('takes positions in commit order: a second appender waits for the first to commit', async () => {
    const early = paid('ccas-tarbes', 'early');
    const late = paid('ccas-tarbes', 'late');
    const first = await pool.connect();
    try {
      await first.query('BEGIN');
      await first.query(`SELECT set_config('app.tenant_id', 'ccas-tarbes', true)`);
      await appendAllToLog(first, [early]);
      let secondDone = false;
      const second = withTransaction(pool, (tx) => appendToLog(tx, late), { tenantId: 'ccas-tarbes' }).then(() => (secondDone = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(secondDone).toBe(false);
      await first.query('COMMIT');
      await second;
    } finally {
      first.release();
    }
    const rows = await logged([early.messageId, late.messageId]);
    expect(rows.map((r) => r.message_id)).toEqual([early.messageId, late.messageId]);
  });
});

describe('folding past the folded position while appends commit and roll back', () => {
  const missed = (tenantId: string, loanId: string, n: number) =>
    event('lending.instalment-missed.v1', tenantId, '2026-04-06T10:00:00.000Z', { loanId, instalmentNumber: n, dueDate: '2026-04-05', unpaidCount: 1, daysPastDue: 1, arrearsCents: 4_500 });
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('folds every committed message exactly once, none rolled back, whatever the interleaving', async () => {
    // Four appenders on their own connections, each committing or rolling back chunks of missed instalments (each one
    // adds 1 to its loan's count: folded twice shows, skipped shows), new tenants appearing along the way, while the
    // folder folds as fast as it can, everything visible or a small batch in turn (at the head of the log, an append
    // committed after a later one would be skipped).
    const committed = new Map<string, number>();
    let appending = true;
    const appender = async (k: number) => {
      const client = await pool.connect();
      try {
        for (let round = 0; round < 30; round++) {
          const tenantId = `ccas-race-${k}-${round % 6}`;
          const loanId = `loan-${k}-${round % 6}`;
          const chunk = Array.from({ length: 1 + ((round * 7 + k) % 4) }, (_, i) => missed(tenantId, loanId, i));
          await client.query('BEGIN');
          await appendAllToLog(client, chunk);
          await pause(((round + k) % 4) * 3);
          if ((round + k) % 3 === 0) {
            await client.query('ROLLBACK');
          } else {
            await client.query('COMMIT');
            committed.set(`${tenantId}/${loanId}`, (committed.get(`${tenantId}/${loanId}`) ?? 0) + chunk.length);
          }
        }
      } finally {
        client.release();
      }
    };
    const folder = async () => {
      let folds = 0;
      while (appending) folds += (await foldWaiting(pool, folds % 2 ? 3 : 5_000)) > 0 ? 1 : 0;
      while ((await waitingToFold(pool)) > 0) await foldWaiting(pool, 3);
      return folds;
    };
    const folding = folder();
    await Promise.all([0, 1, 2, 3].map(appender)).finally(() => (appending = false));
    // The folder ran between the appends, not only at the end.
    expect(await folding).toBeGreaterThan(5);

    const { loans, activity, position, last } = await withTransaction(pool, async (tx) => {
      await scopeAllTenants(tx);
      const loanRows = (await tx.query<{ tenant_id: string; loan_id: string; missed: number }>(`SELECT tenant_id, loan_id, missed_instalments AS missed FROM reporting.loan_fact WHERE tenant_id LIKE 'ccas-race-%'`)).rows;
      const activityRows = (await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM reporting.loan_activity WHERE tenant_id LIKE 'ccas-race-%'`)).rows;
      const progress = (await tx.query<{ folded_up_to: string }>(`SELECT folded_up_to FROM reporting.fold_progress`)).rows;
      const logged = (await tx.query<{ seq: string }>(`SELECT max(seq) AS seq FROM reporting.consumed_event`)).rows;
      return { loans: loanRows, activity: activityRows[0]!.n, position: progress[0]!.folded_up_to, last: logged[0]!.seq };
    });
    expect(new Map(loans.map((row) => [`${row.tenant_id}/${row.loan_id}`, row.missed]))).toEqual(committed);
    expect(activity).toBe([...committed.values()].reduce((sum, n) => sum + n, 0));
    expect(position).toBe(last);
  });

  it('folds past a rolled-back append but not past one still open, and folds the open one once it commits', async () => {
    const open = await pool.connect();
    try {
      const [rolledBack, first, held] = [missed('ccas-gap', 'loan-gap', 1), missed('ccas-gap', 'loan-gap', 2), missed('ccas-gap', 'loan-gap', 3)];
      await open.query('BEGIN');
      await appendAllToLog(open, [rolledBack]);
      await open.query('ROLLBACK');
      await withTransaction(pool, (tx) => appendAllToLog(tx, [first]));
      await open.query('BEGIN');
      await appendAllToLog(open, [held]);
      while ((await foldWaiting(pool)) > 0);
      expect(await waitingToFold(pool)).toBe(0);
      await open.query('COMMIT');
      expect(await waitingToFold(pool)).toBe(1);
      expect(await foldWaiting(pool)).toBe(1);
      const count = await withTransaction(pool, async (tx) => {
        await scopeAllTenants(tx);
        return (await tx.query<{ missed: number }>(`SELECT missed_instalments AS missed FROM reporting.loan_fact WHERE tenant_id = 'ccas-gap'`)).rows[0]!.missed;
      });
      expect(count).toBe(2);
    } finally {
      await open.query('ROLLBACK').catch(() => undefined);
      open.release();
    }
  });

  it('folds nothing past a new tenant’s first message committed between its scope and its read, then folds it', async () => {
    // The folder opens the known tenants by one statement and reads the log by the next: messages committed in between
    // are visible to the read, a new tenant's hidden by row-level security. Here both are committed just before the read.
    const known = missed('ccas-tarbes', 'loan-known', 1);
    const newcomer = missed(`ccas-new-${randomUUID().slice(0, 8)}`, 'loan-new', 1);
    let interleaved = false;
    const beforeTheRead = (client: PoolClient): PoolClient =>
      new Proxy(client, {
        get(target, property) {
          const value = Reflect.get(target, property, target) as unknown;
          if (property !== 'query') return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          return async (...args: Parameters<PoolClient['query']>) => {
            if (!interleaved && String(args[0]).includes('FROM reporting.consumed_event WHERE seq >')) {
              interleaved = true;
              await withTransaction(pool, (tx) => appendAllToLog(tx, [newcomer]));
              await withTransaction(pool, (tx) => appendAllToLog(tx, [known]));
            }
            return (target.query as (...a: unknown[]) => unknown)(...args);
          };
        },
      });
    const folderPool = new Proxy(pool, {
      get(target, property) {
        if (property === 'connect') return async () => beforeTheRead(await target.connect());
        const value = Reflect.get(target, property, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    while ((await foldWaiting(pool)) > 0);

    expect(await foldWaiting(folderPool)).toBe(0);
    expect(interleaved).toBe(true);
    expect(await foldWaiting(pool)).toBe(2);
    const folded = await withTransaction(pool, async (tx) => {
      await scopeAllTenants(tx);
      return (await tx.query<{ loan_id: string }>(`SELECT loan_id FROM reporting.loan_fact WHERE loan_id IN ('loan-known', 'loan-new') ORDER BY loan_id`)).rows.map((row) => row.loan_id);
    });
    expect(folded).toEqual(['loan-known', 'loan-new']);
  });
});
