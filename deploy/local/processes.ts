import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Written into each temp folder of a local server: which Node process owns it, so orphans can be found. */
export const OWNER_FILE = 'owner.json';

/**
 * An 'exit' handler does not run when Node itself is killed by a signal, so on Linux child servers (the Kafka
 * broker, the services of `npm start`) are started through setpriv with a parent-death signal: the kernel
 * stops them when the Node process that started them goes away, whatever way it goes.
 */
export function withParentDeathSignal(command: string, args: string[], signal: 'SIGKILL' | 'SIGTERM' | 'SIGINT' = 'SIGKILL'): [string, string[]] {
  if (process.platform !== 'linux') return [command, args];
  const setpriv = findExecutable('setpriv');
  return setpriv ? [setpriv, ['--pdeathsig', signal, '--', command, ...args]] : [command, args];
}

export function findExecutable(name: string): string | undefined {
  for (const dir of (process.env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

export function writeOwnerFile(dir: string): void {
  fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, host: os.hostname() }));
}

/** Temp folders of earlier runs whose Node process died without stop() (killed, crashed). */
export function removeOrphanedTempDirs(prefix: string, tmp = os.tmpdir()): void {
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(prefix)) continue;
    const dir = path.join(tmp, name);
    try {
      const owner = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as { pid: number; host: string };
      if (owner.host === os.hostname() && !isAlive(owner.pid)) fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // not ours, or being created right now
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
