import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { withTransaction, type Pool } from '@tremplin/pg';
import { loggerOf, PG_POOL, SERVICE_CONFIG, type BaseConfig } from '@tremplin/service-kit';
import type { ConsumedEvent } from '../facts/facts';
import { escalationKeyOf, fileKeyOf, FOLDS, loanKeyOf } from '../facts/facts.folds';
import { ESCALATION_FACT, FILE_FACT, LOAN_FACT, selectRows, type Table } from '../facts/facts.store';
import { createReplay, FOLD_LOCK, scopeAllTenants, writeFacts } from './rebuild';

const BATCH = 5_000;
// While messages keep arriving the folder lets the log grow past its position (up to BATCH, at most this long): a loan
// touched by several messages of a burst is then read and written once instead of once per chunk the consumer committed.
const GATHER_MS = 1_000;

/*
 * Why folding "the next visible positions past the last folded one" never skips a committed message (ADR 0013):
 * every append takes LOG_APPEND_LOCK (facts.store.ts) before its positions and holds it until it ends, and a
 * transaction is visible to new snapshots before its locks are released. Let U be visible to a read's snapshot and T
 * not. If T had taken the lock before U, T would have ended before U took it, so before U committed, so before the
 * snapshot was taken: T committed is visible, T rolled back never will be. So T took the lock after U and its
 * positions are above U's: whatever commits later is above every position read now. The folder reads the first
 * `limit` visible positions past its own and advances to the last one read: a position at or below it that it did not
 * read (a rolled-back append, a gap of the sequence) will never become visible.
 */

/**
 * Folds up to `limit` logged messages past the folded position into the facts in one transaction: the touched loans
 * read once, folded in log order with the same code as a rebuild, written once with the new position. Returns how
 * many it folded (0 when another folder holds the lock or nothing waits).
 */
export async function foldWaiting(pool: Pool, limit = BATCH): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const { rows: locked } = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS ok`, [FOLD_LOCK]);
    if (!locked[0]!.ok) return 0;
    const tenants = await scopeAllTenants(tx);
    const { rows } = await tx.query<{ seq: string; message_id: string; name: string; tenant_id: string; occurred_at: string; payload: Record<string, unknown> }>(
      `SELECT seq, message_id, name, tenant_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, payload
       FROM reporting.consumed_event WHERE seq > (SELECT folded_up_to FROM reporting.fold_progress) ORDER BY seq LIMIT $1`,
      [limit],
    );
    if (rows.length === 0) return 0;
    // The scope was read by an earlier statement (an earlier snapshot): a tenant's first message committed in between
    // is hidden from this read by row-level security, and folding past it would skip it. Tenants are only ever added,
    // with their first message: the same count now means every message read above was in scope.
    const { rows: known } = await tx.query<{ n: number }>(`SELECT count(*)::int AS n FROM reporting.known_tenant`);
    if (known[0]!.n !== tenants.length) return 0;
    const events: ConsumedEvent[] = rows.map((row) => ({ messageId: row.message_id, name: row.name, tenantId: row.tenant_id, occurredAt: row.occurred_at, payload: row.payload }));
    // The facts later events fold into, read once for the whole batch.
    const touched = { loan: new Map<string, [string, string]>(), file: new Map<string, [string, string]>(), escalation: new Map<string, [string, string]>() };
    for (const event of events) {
      const target = FOLDS.get(event.name)?.target;
      if (target === 'loan') {
        const key = loanKeyOf(event);
        touched.loan.set(`${key.tenantId}\u0000${key.loanId}`, [key.tenantId, key.loanId]);
      } else if (target === 'file') {
        const key = fileKeyOf(event);
        touched.file.set(`${key.tenantId}\u0000${key.applicationId}`, [key.tenantId, key.applicationId]);
      } else if (target === 'escalation') {
        const key = escalationKeyOf(event);
        touched.escalation.set(`${key.tenantId}\u0000${key.escalationId}`, [key.tenantId, key.escalationId]);
      }
    }
    const read = async <T>(table: Table<T>, keys: Map<string, [string, string]>): Promise<T[]> => {
      if (keys.size === 0) return [];
      const pairs = [...keys.values()];
      return selectRows(tx, table, `(${table.key.join(', ')}) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [pairs.map((k) => k[0]), pairs.map((k) => k[1])]);
    };
    const replay = createReplay({ loans: await read(LOAN_FACT, touched.loan), files: await read(FILE_FACT, touched.file), escalations: await read(ESCALATION_FACT, touched.escalation) });
    events.forEach(replay.apply);
    await writeFacts(tx, replay.facts(), rows[rows.length - 1]!.seq);
    return rows.length;
  });
}

/**
 * How many logged messages wait past the folded position (counted up to `limit`). The log is under row-level security:
 * counted with every known tenant open, as the folder reads it.
 */
export async function waitingToFold(pool: Pool, limit = BATCH): Promise<number> {
  return withTransaction(pool, async (tx) => {
    await scopeAllTenants(tx);
    const { rows } = await tx.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT 1 FROM reporting.consumed_event WHERE seq > (SELECT folded_up_to FROM reporting.fold_progress) LIMIT $1) AS waiting`,
      [limit],
    );
    return rows[0]!.n;
  });
}

/** The service's folder: folds what waits in the log while there is work, then polls. */
@Injectable()
export class LogFolder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = loggerOf('reporting');
  private running?: Promise<void>;
  private stopping = false;
  private wake?: () => void;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: BaseConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.running = this.loop();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.running;
  }

  private async loop(): Promise<void> {
    let drained = true;
    while (!this.stopping) {
      let folded = 0;
      try {
        // Nothing waits: no fold transaction, just the next look after a pause.
        folded = drained && (await this.gather()) === 0 ? 0 : await foldWaiting(this.pool);
      } catch (error) {
        this.log('warn', 'reporting: folding the log failed, retrying', { error: (error as Error).message });
      }
      drained = folded < BATCH;
      if (drained) await this.pause();
    }
  }

  private pause(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.wake = resolve;
      setTimeout(resolve, this.config.PROJECTION_POLL_MS);
    });
  }

  /**
   * Waits while what waits is growing and below a batch (bounded by GATHER_MS); returns at once when it is still or
   * nothing. Returns how many it last saw waiting.
   */
  private async gather(): Promise<number> {
    const deadline = Date.now() + GATHER_MS;
    let seen = -1;
    while (!this.stopping && Date.now() < deadline) {
      const waiting = await waitingToFold(this.pool, BATCH);
      if (waiting === 0 || waiting >= BATCH || waiting === seen) return waiting;
      seen = waiting;
      await this.pause();
    }
    return seen;
  }
}
