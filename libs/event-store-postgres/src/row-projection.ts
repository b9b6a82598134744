import type { PoolClient } from 'pg';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import type { Projection } from './rebuild';

/**
 * The usual read model: one row per stream (a loan, an envelope, a file), folded by a pure `evolve`. The kit does
 * the rest the same way for every service: per batch and per tenant it sets `app.tenant_id` (row-level security
 * applies to projections too), loads the rows the batch touches in one query, folds, and writes the changed rows
 * in one statement; a rebuild folds in memory and replaces each tenant's rows.
 */
export interface RowProjectionSpec<Row extends { readonly tenantId: string }> {
  readonly name: string;
  readonly label?: string;
  readonly rowsName?: string;
  readonly categories: readonly string[];
  /** The table it writes, schema-qualified (`lending.loan_summary`): what a replay check compares. */
  readonly table: string;
  /** The row's key within its tenant; by default the stream id without its category (`loan-abc` → `abc`). */
  readonly keyOf?: (event: RecordedEvent) => string;
  /** Pure. An event already applied must return the row it was given (the same object). */
  evolve(row: Row | undefined, event: RecordedEvent): Row | undefined;
  /** The current rows for these keys, as evolve needs them (RLS has set the tenant). */
  load(tx: PoolClient, keys: readonly string[]): Promise<ReadonlyMap<string, Row>>;
  /** Inserts or updates these rows of one tenant. */
  save(tx: PoolClient, rows: readonly Row[]): Promise<void>;
  /** Deletes the tenant's rows before a rebuild writes them again (RLS scopes it to the tenant). */
  clear(tx: PoolClient): Promise<void>;
}

const streamKey = (event: RecordedEvent) => event.streamId.slice(event.streamId.indexOf('-') + 1);

function byTenant(events: readonly RecordedEvent[]): Map<string, RecordedEvent[]> {
  const groups = new Map<string, RecordedEvent[]>();
  for (const event of events) {
    const group = groups.get(event.tenantId);
    if (group) group.push(event);
    else groups.set(event.tenantId, [event]);
  }
  return groups;
}

export function rowProjection<Row extends { readonly tenantId: string }>(spec: RowProjectionSpec<Row>): Projection {
  const keyOf = spec.keyOf ?? streamKey;
  return {
    name: spec.name,
    ...(spec.label ? { label: spec.label } : {}),
    ...(spec.rowsName ? { rowsName: spec.rowsName } : {}),
    categories: spec.categories,
    tables: [spec.table],
    async project(events, tx) {
      for (const [tenantId, tenantEvents] of byTenant(events)) {
        await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
        const current = await spec.load(tx, [...new Set(tenantEvents.map(keyOf))]);
        const changed = new Map<string, Row>();
        for (const event of tenantEvents) {
          const key = keyOf(event);
          const previous = changed.get(key) ?? current.get(key);
          const next = spec.evolve(previous, event);
          if (next && next !== previous) changed.set(key, next);
        }
        if (changed.size) await spec.save(tx, [...changed.values()]);
      }
      await tx.query(`SELECT set_config('app.tenant_id', '', true)`);
    },
    rebuilder() {
      const rows = new Map<string, Row>();
      return {
        fold(event) {
          const key = `${event.tenantId}\u001f${keyOf(event)}`;
          const next = spec.evolve(rows.get(key), event);
          if (next) rows.set(key, next);
        },
        async replace(tx, tenantId) {
          await spec.clear(tx);
          const mine = [...rows.values()].filter((row) => row.tenantId === tenantId);
          if (mine.length) await spec.save(tx, mine);
        },
        rows: () => rows.size,
      };
    },
  };
}
