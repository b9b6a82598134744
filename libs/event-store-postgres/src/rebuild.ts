import type { Pool, PoolClient } from 'pg';
import { LOG_START, logPositionOf, streamCategory, type LogPosition, type RecordedEvent } from '@tremplin/event-sourcing';
import { withTransaction } from '@tremplin/pg';
import { readAllOn } from './postgres-event-store';
import { startSubscriber, type Subscriber, type SubscriberOptions } from './subscriber';

export interface RebuildProgress {
  readonly phase: 'replaying' | 'swapping' | 'done';
  readonly events: number;
  readonly totalEvents: number;
  readonly rows: number;
}

export interface RebuildResult {
  readonly events: number;
  readonly rows: number;
  readonly tenants: number;
  readonly position: LogPosition;
  readonly millis: number;
}

/** A read model fed from the global log by a named subscriber, and rebuildable from zero while it runs. */
export interface Projection {
  /** The subscriber's name: its checkpoint, and where a rebuild moves it. */
  readonly name: string;
  /** What people call it in progress lines (its table), and what its rows count (`loans`). */
  readonly label?: string;
  readonly rowsName?: string;
  /** Stream categories the projection folds (`loan` for `loan-…` streams); other events never reach it. */
  readonly categories: readonly string[];
  /** The tables it writes (`lending.loan_summary`), which a replay check compares with a rebuild. */
  readonly tables?: readonly string[];
  /** Applies a batch in the transaction that moves the checkpoint. */
  project(events: readonly RecordedEvent[], tx: PoolClient): Promise<void>;
  /** A fresh in-memory fold for a rebuild. */
  rebuilder(): ProjectionRebuild;
}

export interface ProjectionRebuild {
  /** Folds one event into the projection's in-memory copy. */
  fold(event: RecordedEvent): void;
  /** Replaces the tenant's rows with the folded ones, in the transaction that moves the checkpoint. */
  replace(tx: PoolClient, tenantId: string): Promise<void>;
  /** How many rows the fold holds so far. */
  rows(): number;
}

/** Starts the projection's subscriber on the global log (one owner per name across replicas). */
export function startProjection(pool: Pool, projection: Projection, options: Omit<SubscriberOptions, 'name' | 'handle'> = {}): Subscriber {
  const categories = new Set(projection.categories);
  return startSubscriber(pool, {
    ...options,
    name: projection.name,
    handle: async (events, tx) => {
      const mine = events.filter((event) => categories.has(streamCategory(event.streamId)));
      if (mine.length) await projection.project(mine, tx);
    },
  });
}

/** Folds the global log after `from` into a rebuild, page by page; the projection's categories only. */
export async function foldLog(
  db: Pool | PoolClient,
  projection: Projection,
  rebuild: ProjectionRebuild,
  from: LogPosition,
  pageSize: number,
  onPage: (events: number) => void = () => undefined,
): Promise<{ position: LogPosition; events: number }> {
  const categories = new Set(projection.categories);
  let position = from;
  let events = 0;
  for (;;) {
    const page = await readAllOn(db, position, pageSize);
    for (const event of page) {
      if (!categories.has(streamCategory(event.streamId))) continue;
      rebuild.fold(event);
      events += 1;
    }
    if (page.length) position = logPositionOf(page[page.length - 1]);
    onPage(events);
    if (page.length < pageSize) return { position, events };
  }
}

/**
 * Rebuilds a projection from zero. The log is folded in memory outside any transaction (a long transaction
 * would hold back every subscriber's snapshot horizon); then one short transaction locks the live subscriber's
 * checkpoint, folds what was appended meanwhile, replaces every tenant's rows and moves the checkpoint. The live
 * subscriber's next compare-and-swap fails, so it resumes from the rebuilt position.
 */
export async function rebuildProjection(
  pool: Pool,
  projection: Projection,
  options: { onProgress?: (progress: RebuildProgress) => void; pageSize?: number } = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const pageSize = options.pageSize ?? 2_000;
  const report = options.onProgress ?? (() => undefined);
  const rebuild = projection.rebuilder();
  const patterns = projection.categories.map((category) => `${category}-%`);
  const totalEvents = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM es.events WHERE stream_id LIKE ANY($1::text[])`, [patterns])).rows[0].n);
  const replayed = await foldLog(pool, projection, rebuild, LOG_START, pageSize, (events) => report({ phase: 'replaying', events, totalEvents, rows: rebuild.rows() }));
  let { position, events } = replayed;
  report({ phase: 'swapping', events, totalEvents, rows: rebuild.rows() });
  const tenants = await withTransaction(pool, async (tx) => {
    await tx.query(`INSERT INTO es.subscriptions (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [projection.name]);
    await tx.query(`SELECT 1 FROM es.subscriptions WHERE name = $1 FOR UPDATE`, [projection.name]);
    const rest = await foldLog(tx, projection, rebuild, position, pageSize);
    position = rest.position;
    events += rest.events;
    const tenantIds = (await tx.query<{ tenant_id: string }>(`SELECT DISTINCT tenant_id FROM es.events WHERE stream_id LIKE ANY($1::text[])`, [patterns])).rows.map((r) => r.tenant_id);
    for (const tenantId of tenantIds) {
      // Row-level security: the projection acts for one tenant at a time.
      await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      await rebuild.replace(tx, tenantId);
    }
    await tx.query(`SELECT set_config('app.tenant_id', '', true)`);
    await tx.query(`UPDATE es.subscriptions SET transaction_id = $2::xid8, global_position = $3, updated_at = now() WHERE name = $1`, [
      projection.name,
      position.transactionId.toString(),
      position.globalPosition.toString(),
    ]);
    return tenantIds.length;
  });
  report({ phase: 'done', events, totalEvents, rows: rebuild.rows() });
  return { events, rows: rebuild.rows(), tenants, position, millis: Date.now() - started };
}
