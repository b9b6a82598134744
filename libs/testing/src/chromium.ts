import { execFileSync, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

// Browser tests drive a real headless Chromium through playwright-core. Playwright's own browser download
// reaches a CDN that production sites and these machines may not have; Debian's `chromium` package comes from
// the distribution's mirrors like every other system package. So the browser is found on the machine, or
// installed once with apt-get (as root, under a lock so two test workers never run apt at the same time):
// a fresh machine runs `npm test` with no manual step.

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];
const LOCK = '/tmp/tremplin-chromium-install.lock';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const configured = env['CHROMIUM_PATH'];
  if (configured) return executable(configured) ? configured : undefined;
  return CANDIDATES.find(executable);
}

/** The path of a Chromium the machine has, installing Debian's package first when there is none. */
export function ensureChromium(log: (line: string) => void = (line) => process.stderr.write(`${line}\n`)): string {
  const found = findChromium();
  if (found) return found;
  if (process.env['CHROMIUM_PATH']) throw new Error(`CHROMIUM_PATH=${process.env['CHROMIUM_PATH']} is not an executable`);
  const apt = spawnSync('sh', ['-c', 'command -v apt-get'], { encoding: 'utf8' });
  if (apt.status !== 0) throw new Error('no Chromium found and no apt-get to install it: install a Chromium and set CHROMIUM_PATH');
  if (process.getuid?.() !== 0) throw new Error('no Chromium found: run `sudo apt-get install -y chromium` (or set CHROMIUM_PATH)');
  log('[chromium] installing Debian’s chromium package (once per machine)…');
  // flock serialises concurrent installers; the second one finds the browser already there.
  const script = `command -v chromium >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }`;
  execFileSync('flock', [LOCK, 'sh', '-c', script], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 10 * 60_000 });
  const installed = findChromium();
  if (!installed) throw new Error('apt-get installed chromium but no executable was found in /usr/bin');
  log(`[chromium] ready: ${installed}`);
  return installed;
}

/** Flags for Chromium in a container or CI as root: no sandbox (it needs user namespaces), no GPU. */
export const CHROMIUM_ARGS: readonly string[] = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--font-render-hinting=none'];
