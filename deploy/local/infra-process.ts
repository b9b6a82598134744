import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import { READY_PREFIX } from './cli';
import type { Infra } from './infra';
import { withParentDeathSignal } from './processes';

const repo = join(__dirname, '..', '..');

/**
 * The infrastructure in a child process with its own process group: a Ctrl-C in the terminal reaches `npm start`
 * and the services, not PostgreSQL and Kafka, which are stopped last, once the services have drained. A
 * parent-death signal still stops them if `npm start` itself is killed.
 */
export function startInfraProcess(log: (line: string) => void): Promise<Infra> {
  const [command, args] = withParentDeathSignal(process.execPath, ['-r', '@swc-node/register', join(repo, 'deploy', 'local', 'cli.ts')], 'SIGTERM');
  const child = spawn(command, args, {
    cwd: repo,
    detached: true,
    env: { ...process.env, SWC_NODE_PROJECT: join(repo, 'tsconfig.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let lastError = '';
  return new Promise<Infra>((resolve, reject) => {
    const onLine = (line: string, isError: boolean) => {
      if (line.startsWith(READY_PREFIX)) {
        const ready = JSON.parse(line.slice(READY_PREFIX.length)) as { postgresAdminUrl: string; kafkaBrokers: string[] };
        resolve({
          ...ready,
          started: [],
          async stop() {
            if (child.exitCode !== null) return;
            child.kill('SIGTERM');
            await exited;
          },
        });
        return;
      }
      if (isError) lastError = line;
      if (!line.startsWith('DATABASE_URL=') && !line.startsWith('KAFKA_BROKERS=')) log(line);
    };
    for (const [stream, isError] of [[child.stdout, false], [child.stderr, true]] as const) {
      createInterface({ input: stream }).on('line', (line) => line && onLine(line, isError));
    }
    void exited.then((code) => reject(new Error(lastError || `infrastructure exited with code ${code} before it was ready`)));
  });
}
