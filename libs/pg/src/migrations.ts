import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';

export interface MigrationSource {
  /** Stable name of the owner of these files, e.g. 'event-store' or 'lending'. */
  readonly name: string;
  readonly directory: string;
}

export interface AppliedMigration {
  readonly id: string;
  readonly appliedNow: boolean;
}

/**
 * Applies `NNNN_name.sql` files in order, each in its own transaction, once. Runs as the owner role; an
 * advisory lock makes concurrent starts of several services on one database safe.
 */
export async function runMigrations(ownerUrl: string, sources: readonly MigrationSource[]): Promise<AppliedMigration[]> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  const applied: AppliedMigration[] = [];
  try {
    await client.query(`SELECT pg_advisory_lock(hashtext('tremplin.migrations'))`);
    await client.query(`CREATE SCHEMA IF NOT EXISTS platform`);
    await client.query(`CREATE TABLE IF NOT EXISTS platform.schema_migrations (
      id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const done = new Set((await client.query<{ id: string }>('SELECT id FROM platform.schema_migrations')).rows.map((r) => r.id));
    for (const source of sources) {
      const files = (await readdir(source.directory)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort();
      for (const file of files) {
        const id = `${source.name}/${file}`;
        if (done.has(id)) {
          applied.push({ id, appliedNow: false });
          continue;
        }
        const sql = await readFile(join(source.directory, file), 'utf8');
        await client.query('BEGIN');
        try {
          await client.query(sql);
          await client.query('INSERT INTO platform.schema_migrations (id) VALUES ($1)', [id]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`migration ${id} failed: ${(error as Error).message}`);
        }
        applied.push({ id, appliedNow: true });
      }
    }
  } finally {
    await client.query(`SELECT pg_advisory_unlock(hashtext('tremplin.migrations'))`).catch(() => undefined);
    await client.end();
  }
  return applied;
}
