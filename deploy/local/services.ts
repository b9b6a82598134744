import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { freePort } from './ports';
import { withParentDeathSignal } from './processes';

export const SERVICES = ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'] as const;
export type ServiceName = (typeof SERVICES)[number];

export const PREFERRED_PORTS: Record<ServiceName, number> = {
  intake: 3101,
  lending: 3102,
  'guarantee-fund': 3103,
  accompaniment: 3104,
  reporting: 3105,
};

const repo = join(__dirname, '..', '..');

/** Where npm start writes the running services' URLs (for npm run clock and other local tools). */
export const LOCAL_SERVICES_FILE = join(repo, '.tremplin', 'services.json');

export interface ServiceProcess {
  readonly name: ServiceName;
  readonly url: string;
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** Uses the service's usual port when it is free, another free one otherwise (a second run must not collide). */
export async function portFor(name: ServiceName): Promise<number> {
  const { createServer } = await import('node:net');
  const preferred = PREFERRED_PORTS[name];
  const free = await new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(preferred, '127.0.0.1', () => server.close(() => resolve(true)));
  });
  return free ? preferred : freePort();
}

export function spawnService(name: ServiceName, port: number, env: NodeJS.ProcessEnv, onLine: (line: string) => void): ServiceProcess {
  // SIGTERM on parent death: a service still shuts down gracefully if `npm start` itself is killed.
  const [command, args] = withParentDeathSignal(process.execPath, ['-r', '@swc-node/register', join(repo, 'services', name, 'src', 'main.ts')], 'SIGTERM');
  const child = spawn(command, args, {
    cwd: repo,
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1', SWC_NODE_PROJECT: join(repo, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => line && onLine(line));
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until /health answers 200 (Postgres and Kafka ready) or the process dies or time runs out. */
export async function waitHealthy(service: ServiceProcess, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (service.child.exitCode !== null) throw new Error(`${service.name} exited with code ${service.child.exitCode} before it was ready`);
    try {
      const response = await fetch(`${service.url}/health`, { signal: AbortSignal.timeout(3_000) });
      if (response.status === 200) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${service.name} not healthy after ${timeoutMs} ms: ${last}`);
}
