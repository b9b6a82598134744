import { randomUUID } from 'node:crypto';
import { createPool, withTransaction, type Pool } from '@tremplin/pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import type { ConsumedEvent } from '../facts/facts';
import { appendAllToLog, appendToLog } from '../facts/facts.store';
import { service } from '../service';

// The consumer appends chunks of several partitions at once: positions must follow commit order, or the folder
// (which folds the queue in position order) could fold a later fact of a loan before an earlier one still uncommitted.

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
    const { rows } = await tx.query<{ message_id: string; seq: string; payload: Record<string, unknown>; queued: boolean }>(
      `SELECT message_id, seq, payload, EXISTS (SELECT 1 FROM reporting.unfolded u WHERE u.seq = e.seq) AS queued
       FROM reporting.consumed_event e WHERE message_id = ANY($1::uuid[]) ORDER BY seq`,
      [ids],
    );
    return rows;
  });

beforeAll(async () => {
  db = await createTestDatabase('reporting_append', service.migrations);
  pool = createPool(db.appUrl);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('appending to the log', () => {
  it('keeps a chunk in its order, payloads intact, each message queued once and a repeat skipped', async () => {
    const chunk = [paid('ccas-tarbes', 'l1'), paid('ccas-pau', 'l2'), paid('ccas-tarbes', 'l3')];
    const first = await withTransaction(pool, (tx) => appendAllToLog(tx, chunk));
    const again = await withTransaction(pool, (tx) => appendAllToLog(tx, [chunk[1]!, paid('ccas-pau', 'l4')]));
    expect([first, again]).toEqual([3, 1]);
    const rows = await logged(chunk.map((e) => e.messageId));
    expect(rows.map((r) => r.message_id)).toEqual(chunk.map((e) => e.messageId));
    expect(rows.map((r) => r.payload)).toEqual(chunk.map((e) => e.payload));
    expect(rows.every((r) => r.queued)).toBe(true);
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
