import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { withTransaction, type Pool } from '@tremplin/pg';
import { loggerOf, PG_POOL, SERVICE_CONFIG, type BaseConfig } from '@tremplin/service-kit';
import type { ConsumedEvent } from '../facts/facts';
import { FOLDS, loanKeyOf } from '../facts/facts.folds';
import { LOAN_FACT, selectRows } from '../facts/facts.store';
import { createReplay, FOLD_LOCK, scopeAllTenants, writeFacts } from './rebuild';

const BATCH = 5_000;

/**
 * Folds up to `limit` queued messages into the facts in one transaction: the touched loans read once, folded in
 * log order with the same code as a rebuild, written once. Returns how many it folded (0 when another folder holds
 * the lock or nothing waits).
 */
export async function foldQueued(pool: Pool, limit = BATCH): Promise<number> {
  return withTransaction(pool, async (tx) => {
    const { rows: locked } = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock($1) AS ok`, [FOLD_LOCK]);
    if (!locked[0]!.ok) return 0;
    const { rows: queued } = await tx.query<{ seq: string }>(
      `DELETE FROM reporting.unfolded WHERE seq IN (SELECT seq FROM reporting.unfolded ORDER BY seq LIMIT $1) RETURNING seq`,
      [limit],
    );
    if (queued.length === 0) return 0;
    await scopeAllTenants(tx);
    const { rows } = await tx.query<{ message_id: string; name: string; tenant_id: string; occurred_at: string; payload: Record<string, unknown> }>(
      `SELECT message_id, name, tenant_id, to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS occurred_at, payload
       FROM reporting.consumed_event WHERE seq = ANY($1::bigint[]) ORDER BY seq`,
      [queued.map((row) => row.seq)],
    );
    const events: ConsumedEvent[] = rows.map((row) => ({ messageId: row.message_id, name: row.name, tenantId: row.tenant_id, occurredAt: row.occurred_at, payload: row.payload }));
    const touched = new Map<string, { tenantId: string; loanId: string }>();
    for (const event of events) {
      if (FOLDS.get(event.name)?.target !== 'loan') continue;
      const key = loanKeyOf(event);
      touched.set(`${key.tenantId}\u0000${key.loanId}`, key);
    }
    const keys = [...touched.values()];
    const known = keys.length
      ? await selectRows(tx, LOAN_FACT, `(tenant_id, loan_id) IN (SELECT * FROM unnest($1::text[], $2::text[]))`, [keys.map((k) => k.tenantId), keys.map((k) => k.loanId)])
      : [];
    const replay = createReplay(known);
    events.forEach(replay.apply);
    await writeFacts(tx, replay.facts());
    return queued.length;
  });
}

/** The service's folder: folds the queue while there is work, then polls. */
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
    while (!this.stopping) {
      let folded = 0;
      try {
        folded = await foldQueued(this.pool);
      } catch (error) {
        this.log('warn', 'reporting: folding the log failed, retrying', { error: (error as Error).message });
      }
      if (folded < BATCH) await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, this.config.PROJECTION_POLL_MS);
      });
    }
  }
}
