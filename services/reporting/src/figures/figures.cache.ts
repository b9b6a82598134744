import { createHash } from 'node:crypto';
import type { Pool } from '@tremplin/pg';

/**
 * The read models change only when the folder folds the log (a rebuild rewrites them equal): the log's last position
 * and how many messages still wait to be folded say whether an answer computed earlier still holds.
 */
export async function readModelVersion(pool: Pool): Promise<string> {
  const { rows } = await pool.query<{ seq: string | null; waiting: string }>(
    `SELECT pg_sequence_last_value('reporting.consumed_event_seq_seq') AS seq, (SELECT count(*) FROM reporting.unfolded) AS waiting`,
  );
  return `${rows[0]!.seq ?? 0}:${rows[0]!.waiting}`;
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
