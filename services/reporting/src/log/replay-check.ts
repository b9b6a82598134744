import { createHash } from 'node:crypto';
import type { ReplayCheck, TableCheck } from '@tremplin/event-store-postgres';
import type { Pool, PoolClient } from '@tremplin/pg';
import { READ_MODEL_TABLES } from '../facts/facts.store';
import { foldWaiting, waitingToFold } from './log-folder';
import { FOLD_LOCK, replayLogInto, scopeAllTenants } from './rebuild';

type Digests = Map<string, Map<string, { rows: number; digest: string }>>;

async function tenantDigests(tx: PoolClient): Promise<Digests> {
  const result: Digests = new Map();
  for (const table of READ_MODEL_TABLES) {
    const { rows } = await tx.query<{ tenant_id: string; n: string; digest: string }>(
      `SELECT t.tenant_id, count(*) AS n, md5(string_agg(t::text, '|' ORDER BY ${table.key.map((k) => `t.${k}`).join(', ')})) AS digest
         FROM ${table.name} t GROUP BY t.tenant_id`,
    );
    result.set(table.name, new Map(rows.map((row) => [row.tenant_id, { rows: Number(row.n), digest: row.digest }])));
  }
  return result;
}

const overall = (tenants: Map<string, { digest: string }>) =>
  createHash('sha256')
    .update([...tenants].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([t, d]) => `${t}:${d.digest}`).join('\n'))
    .digest('hex');

/**
 * Replay equals live for reporting: the read-model tables rebuilt from the consumed log, compared tenant by tenant with
 * the live ones, in one transaction that is always rolled back. The log is locked against the consumer first and what
 * waits folded by the folder's own code, so both sides are the production code over the same log.
 */
export async function checkLogReplayEqualsLive(pool: Pool, onProgress: (events: number) => void = () => undefined, timeoutMs = 60_000): Promise<ReplayCheck> {
  const started = Date.now();
  const tx = await pool.connect();
  try {
    await tx.query('BEGIN');
    await tx.query(`LOCK TABLE reporting.consumed_event IN EXCLUSIVE MODE`);
    // What was consumed before the lock may still wait past the folded position: folded (by this or the service's
    // folder) until none waits. The lock holds appends off, so the count only goes down.
    for (;;) {
      const waiting = await waitingToFold(pool);
      if (waiting === 0) break;
      if (Date.now() - started > timeoutMs) throw new Error(`${waiting} consumed message(s) still wait to be folded after ${timeoutMs} ms`);
      if ((await foldWaiting(pool)) === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await tx.query(`SELECT pg_advisory_xact_lock($1)`, [FOLD_LOCK]);
    const tenants = await scopeAllTenants(tx);
    const live = await tenantDigests(tx);
    const { events } = await replayLogInto(tx, ({ replayed }) => onProgress(replayed));
    const replayed = await tenantDigests(tx);
    const tables: TableCheck[] = READ_MODEL_TABLES.map(({ name }) => {
      const before = live.get(name)!;
      const after = replayed.get(name)!;
      const tenantsDiffering = [...new Set([...before.keys(), ...after.keys()])].filter((t) => before.get(t)?.digest !== after.get(t)?.digest).sort();
      const count = (m: Map<string, { rows: number }>) => [...m.values()].reduce((sum, d) => sum + d.rows, 0);
      return { table: name, liveRows: count(before), replayedRows: count(after), live: overall(before), replayed: overall(after), equal: tenantsDiffering.length === 0, tenantsDiffering };
    });
    return { projection: 'reporting.consumed-log', events, tenants: tenants.length, tables, equal: tables.every((t) => t.equal), millis: Date.now() - started };
  } finally {
    await tx.query('ROLLBACK').catch(() => undefined);
    tx.release();
  }
}
