import { createHash } from 'node:crypto';
import type { Pool } from '@tremplin/pg';

/**
 * The read models change only when facts are written (a folded batch, a rebuild), and each such write counts itself
 * in its own transaction (`reporting.fold_progress`): an answer computed at one count holds until the next. Read before
 * the facts, so an answer can only be newer than its version (recomputed once more), never older.
 */
export async function readModelVersion(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ writes: string }>(`SELECT writes::text FROM reporting.fold_progress`);
  return rows[0]?.writes ?? '0';
}

/**
 * The same count per CCAS: a CCAS's facts are unchanged while its count is. A CCAS with no facts yet has no row
 * (`none`); its first facts give it one.
 */
export async function tenantVersions(pool: Pool, tenants: readonly string[]): Promise<Map<string, string>> {
  const { rows } = await pool.query<{ tenant_id: string; writes: string }>(`SELECT tenant_id, writes::text FROM reporting.known_tenant WHERE tenant_id = ANY($1::text[])`, [tenants]);
  const versions = new Map(rows.map((row) => [row.tenant_id, row.writes]));
  return new Map(tenants.map((tenant) => [tenant, versions.get(tenant) ?? 'none']));
}

/** The scope and filters an answer depends on, hashed (a Caisse des Dépôts scope lists hundreds of CCAS). */
export function answerKey(parts: Readonly<Record<string, string | number | boolean | undefined | readonly string[]>>): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url');
}

/** Answers kept while the read models stay as they were, the least recently used dropped first. */
export class AnswerCache<T> {
  private readonly entries = new Map<string, { readonly version: string; readonly value: T }>();

  constructor(private readonly capacity: number) {}

  get(key: string, version: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    if (entry.version !== version) return undefined;
    this.entries.set(key, entry);
    return entry.value;
  }

  set(key: string, version: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { version, value });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
