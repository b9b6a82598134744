import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { Client } from 'pg';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';

/** The migration Job's command (deploy/k8s, deploy/compose), run as the container runs it, on a real PostgreSQL. */
const repo = join(__dirname, '..');

function migrateCli(service: string, env: Record<string, string>) {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', join('deploy', 'migrate.ts'), service], {
    cwd: repo,
    env: { PATH: process.env.PATH ?? '', SWC_NODE_PROJECT: join(repo, 'tsconfig.json'), ...env },
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase('deploy_migrate');
});

afterAll(async () => {
  await db?.drop();
});

it('applies every migration of the service as the owner role, once', async () => {
  const first = migrateCli('lending', { MIGRATION_DATABASE_URL: db.ownerUrl });
  expect(first.stderr).toBe('');
  expect(first.status).toBe(0);
  const applied = (JSON.parse(first.stdout) as { applied: string[] }).applied;
  expect(applied.length).toBeGreaterThan(0);

  const client = new Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('SELECT id FROM platform.schema_migrations ORDER BY id');
    expect(rows.map((r) => r.id).sort()).toEqual([...applied].sort());
    const { rows: owners } = await client.query<{ owner: string }>(`SELECT tableowner AS owner FROM pg_tables WHERE schemaname = 'lending' GROUP BY tableowner`);
    expect(owners).toEqual([{ owner: 'tremplin_owner' }]);
  } finally {
    await client.end();
  }

  const again = migrateCli('lending', { MIGRATION_DATABASE_URL: db.ownerUrl });
  expect(again.status).toBe(0);
  expect(JSON.parse(again.stdout)).toMatchObject({ msg: 'migrations applied: 0', applied: [] });
});

it('exits 1 with one line naming the problem', () => {
  const unknown = migrateCli('billing', { MIGRATION_DATABASE_URL: db.ownerUrl });
  expect(unknown.status).toBe(1);
  expect(unknown.stderr).toContain('unknown service \\"billing\\"');
  const missing = migrateCli('intake', {});
  expect(missing.status).toBe(1);
  expect(missing.stderr).toContain('MIGRATION_DATABASE_URL is required');
});
