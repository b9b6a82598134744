import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { runMigrations } from './migrations';

describe('runMigrations', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('pg_migrations');
  });
  afterAll(async () => db.drop());

  it('applies each file once, in order, as the owner, and the app role cannot create tables', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mig-'));
    await writeFile(join(dir, '0001_first.sql'), 'CREATE TABLE demo (id int); GRANT SELECT, INSERT ON demo TO tremplin_app;');
    await writeFile(join(dir, '0002_second.sql'), 'ALTER TABLE demo ADD COLUMN label text;');
    const first = await runMigrations(db.ownerUrl, [{ name: 'demo', directory: dir }]);
    const second = await runMigrations(db.ownerUrl, [{ name: 'demo', directory: dir }]);
    expect(first.map((m) => [m.id, m.appliedNow])).toEqual([['demo/0001_first.sql', true], ['demo/0002_second.sql', true]]);
    expect(second.every((m) => !m.appliedNow)).toBe(true);

    const app = new Client({ connectionString: db.appUrl });
    await app.connect();
    try {
      await app.query(`INSERT INTO demo (id, label) VALUES (1, 'x')`);
      expect((await app.query('SELECT current_user AS who, count(*)::int AS n FROM demo')).rows).toEqual([{ who: 'tremplin_app', n: 1 }]);
      await expect(app.query('CREATE TABLE sneaky (id int)')).rejects.toThrow(/permission denied/);
    } finally {
      await app.end();
    }
  });

  it('rolls back a failing file and names it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mig-'));
    await writeFile(join(dir, '0001_broken.sql'), 'CREATE TABLE half (id int); SELECT * FROM missing_table;');
    await expect(runMigrations(db.ownerUrl, [{ name: 'broken', directory: dir }])).rejects.toThrow(/migration broken\/0001_broken.sql failed/);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    try {
      expect((await owner.query(`SELECT to_regclass('public.half') AS t`)).rows[0].t).toBeNull();
    } finally {
      await owner.end();
    }
  });
});
