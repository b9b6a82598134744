import { createPool, withTransaction, type Pool } from '@tremplin/pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { appendAllToLog, READ_MODEL_TABLES } from '../facts/facts.store';
import { escalation, evaluationRecorded, fileOpenedAndDecided, grantedLoan, supportGranted } from '../facts/scenario.test-support';
import { service } from '../service';
import { foldWaiting, waitingToFold } from './log-folder';
import { readModelChecksums, rebuildFromLog, replayLogInto, scopeAllTenants } from './rebuild';

// A rebuild fills fresh twins of the fact tables and swaps them in (migration 0009, ADR 0011): the tables it leaves
// must be the live ones in every respect but their rows' physical place — same rows, indexes, primary keys, forced
// row-level security, policy, owner, grants and storage options — analyzed (migration 0012), and a replay that is
// rolled back must leave the live tables alone.

let db: TestDatabase;
let pool: Pool;

const catalogue = async () => {
  const { rows } = await withTransaction(pool, (tx) =>
    tx.query<{ relation: string; oid: number; rls: boolean; forced: boolean; owner: string; acl: string; options: string | null; policies: string; indexes: string; pkey: string }>(
      `SELECT c.relname AS relation, c.oid::int AS oid, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced, pg_get_userbyid(c.relowner) AS owner, c.relacl::text AS acl, c.reloptions::text AS options,
              (SELECT string_agg(p.polname || ' ' || pg_get_expr(p.polqual, p.polrelid) || ' ' || pg_get_expr(p.polwithcheck, p.polrelid), '; ') FROM pg_policy p WHERE p.polrelid = c.oid) AS policies,
              (SELECT string_agg(pg_get_indexdef(i.indexrelid), '; ' ORDER BY pg_get_indexdef(i.indexrelid)) FROM pg_index i WHERE i.indrelid = c.oid) AS indexes,
              (SELECT string_agg(con.conname || ' ' || pg_get_constraintdef(con.oid), '; ' ORDER BY con.conname) FROM pg_constraint con WHERE con.conrelid = c.oid) AS pkey
         FROM pg_class c WHERE c.relnamespace = 'reporting'::regnamespace AND c.relkind = 'r' AND (c.relname LIKE '%\\_fact%' OR c.relname LIKE 'loan\\_activity%')
        ORDER BY 1`,
    ),
  );
  return rows;
};
const withoutOids = (rows: Awaited<ReturnType<typeof catalogue>>) => rows.map(({ oid: _oid, ...rest }) => rest);

beforeAll(async () => {
  db = await createTestDatabase('reporting_rebuild', service.migrations);
  pool = createPool(db.appUrl, { max: 4 });
  const tenants = ['ccas-tarbes', 'ccas-pau'];
  const events = tenants.flatMap((tenantId, t) =>
    [0, 1, 2].flatMap((i) => {
      const loanId = `${tenantId}-l${i}`;
      const applicationId = `${tenantId}-a${i}`;
      return [
        ...fileOpenedAndDecided(tenantId, applicationId, '2026-02-02T09:00:00.000Z', '2026-02-23T09:00:00.000Z'),
        ...grantedLoan({ tenantId, loanId, applicationId, amountCents: 100_000 + 1_000 * i + t, transmittedAt: '2026-03-02T09:00:00.000Z', approvedAt: '2026-03-09T09:00:00.000Z', disbursedAt: '2026-03-16T09:00:00.000Z' }),
        supportGranted(tenantId, loanId, `support-${loanId}`, 'emergencyAid', '2026-05-01', 20_000),
        ...escalation({ tenantId, loanId, escalationId: `esc-${loanId}`, openedAt: '2026-05-06T09:00:00.000Z', deadlineDate: '2026-05-13', contact: { at: '2026-05-07T09:00:00.000Z', minutes: 1_440, workingDays: 1, late: false } }),
        evaluationRecorded(tenantId, loanId, '2026-11-02', 'improved', 'satisfied'),
      ];
    }),
  );
  await withTransaction(pool, (tx) => appendAllToLog(tx, events));
  while ((await foldWaiting(pool)) > 0);
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('rebuilding the facts from the log into fresh tables', () => {
  it('leaves the same rows in tables with the same indexes, primary keys, forced row-level security, policy, owner, grants and options', async () => {
    const live = await readModelChecksums(pool);
    const before = await catalogue();
    expect(before.map((t) => t.relation)).toEqual(READ_MODEL_TABLES.map((t) => t.name.replace('reporting.', '')).sort());
    expect(before.every((t) => t.rls && t.forced && t.policies && t.indexes)).toBe(true);

    const result = await rebuildFromLog(pool);

    expect(result.checksums).toEqual(live);
    expect(result.rows['reporting.loan_fact']).toBe(6);
    expect(result.rows['reporting.escalation_fact']).toBe(6);
    const after = await catalogue();
    expect(withoutOids(after)).toEqual(withoutOids(before));
    // The tables are new ones (the old ones were dropped): no twin is left behind.
    expect(after.map((t) => t.oid)).not.toEqual(before.map((t) => t.oid));
    expect(after.some((t) => t.relation.endsWith('_rebuilt'))).toBe(false);
  });

  it('leaves the swapped-in tables analyzed: queries right after a rebuild are planned with column statistics', async () => {
    await rebuildFromLog(pool);
    const analyzed = async () =>
      (await pool.query<{ relname: string }>(`SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'reporting' AND last_analyze IS NOT NULL AND relname = ANY($1::text[]) ORDER BY relname`, [READ_MODEL_TABLES.map((t) => t.name.replace('reporting.', ''))])).rows.map((row) => row.relname);
    // The server publishes its statistics counters within a second or so of the commit.
    const deadline = Date.now() + 5_000;
    let seen = await analyzed();
    while (seen.length < READ_MODEL_TABLES.length && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      seen = await analyzed();
    }
    expect(seen).toEqual(READ_MODEL_TABLES.map((t) => t.name.replace('reporting.', '')).sort());
  });

  it('keeps folding new messages into the rebuilt tables (their primary keys arbitrate the upserts)', async () => {
    const more = grantedLoan({ tenantId: 'ccas-pau', loanId: 'ccas-pau-l9', applicationId: 'ccas-pau-a9', amountCents: 50_000, transmittedAt: '2026-06-02T09:00:00.000Z', approvedAt: '2026-06-09T09:00:00.000Z' });
    await withTransaction(pool, (tx) => appendAllToLog(tx, more));
    while ((await foldWaiting(pool)) > 0);
    const loans = await withTransaction(pool, async (tx) => {
      await scopeAllTenants(tx);
      return (await tx.query<{ n: string }>(`SELECT count(*) AS n FROM reporting.loan_fact`)).rows[0]!.n;
    });
    expect(Number(loans)).toBe(7);
    expect((await rebuildFromLog(pool)).checksums).toEqual(await readModelChecksums(pool));
  });

  it('takes what waited to be folded into the rebuild: the folder then finds nothing left past its position', async () => {
    const more = grantedLoan({ tenantId: 'ccas-tarbes', loanId: 'ccas-tarbes-l8', applicationId: 'ccas-tarbes-a8', amountCents: 60_000, transmittedAt: '2026-07-01T09:00:00.000Z', approvedAt: '2026-07-08T09:00:00.000Z' });
    await withTransaction(pool, (tx) => appendAllToLog(tx, more));
    expect(await waitingToFold(pool)).toBe(more.length);
    const rebuilt = await rebuildFromLog(pool);
    expect(await waitingToFold(pool)).toBe(0);
    expect(await foldWaiting(pool)).toBe(0);
    expect(await readModelChecksums(pool)).toEqual(rebuilt.checksums);
  });

  it('leaves the live tables untouched when the replay is rolled back (the replay check)', async () => {
    const before = await catalogue();
    const live = await readModelChecksums(pool);
    const client = await pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
      const { events } = await replayLogInto(client);
      expect(events).toBeGreaterThan(0);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    expect(await catalogue()).toEqual(before);
    expect(await readModelChecksums(pool)).toEqual(live);
  });
});
