import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * An 'exit' handler does not run when Node itself is killed by a signal, so on Linux child servers (the Kafka
 * broker, the services of `npm start`) are started through setpriv with a parent-death signal: the kernel
 * stops them when the Node process that started them goes away, whatever way it goes.
 */
export function withParentDeathSignal(command: string, args: string[], signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): [string, string[]] {
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
