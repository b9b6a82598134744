import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';
import { SERVICES } from '../local/services';
import { runTool } from '../tools/tools';

/**
 * The production overlay's processes, run without a cluster: for each service, the migration Job's command
 * with its owner-role URL, then the Deployment's command with the overlay's ConfigMap and env, probed on the
 * Deployment's own readiness and liveness paths, then stopped as Kubernetes stops a pod (SIGTERM, within the
 * grace period). PostgreSQL and Kafka are the tests' real servers; only addresses and secrets are swapped in.
 */
const repo = join(__dirname, '..', '..');

interface Container {
  command: string[];
  env?: { name: string; value: string }[];
  readinessProbe: { httpGet: { path: string }; timeoutSeconds: number };
  livenessProbe: { httpGet: { path: string }; timeoutSeconds: number; failureThreshold: number };
}
interface PodTemplate {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec: { template: { spec: { containers: Container[]; terminationGracePeriodSeconds?: number } } };
}

function rendered(): PodTemplate[] {
  const result = runTool('kubectl', ['kustomize', join(__dirname, 'overlays', 'production')]);
  if (result.status !== 0) throw new Error(result.stderr);
  return parseAllDocuments(result.stdout).map((d) => d.toJSON() as PodTemplate);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Runs a container's command from the repository root, as the image's WORKDIR /app holds it. */
function run(command: string[], env: Record<string, string>): ChildProcess {
  const [executable, ...args] = command;
  expect(executable).toBe('node');
  return spawn(process.execPath, args, { cwd: repo, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** One probe as the kubelet sends it: an answer within the probe's timeout, or a failure. */
async function probe(url: string, timeoutSeconds: number): Promise<number | string> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(timeoutSeconds * 1_000) })).status;
  } catch (error) {
    return (error as Error).message;
  }
}

let workdir: string;
const databases: TestDatabase[] = [];
const children: ChildProcess[] = [];

beforeAll(() => {
  workdir = mkdtempSync(join(tmpdir(), 'tremplin-rollout-'));
});

afterAll(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await Promise.all(databases.map((db) => db.drop()));
  rmSync(workdir, { recursive: true, force: true });
});

it('migrates, becomes ready and live, and stops on SIGTERM within the grace period, for every service', async () => {
  const objects = rendered();
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith('tremplin-config'))!;
  const prefix = `rollout-${process.pid}.`;

  await Promise.all(
    SERVICES.map(async (service) => {
      const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === `${service}-server`)!;
      const job = objects.find((o) => o.kind === 'Job' && o.metadata.name === `${service}-migrate`)!;
      const db = await createTestDatabase(`rollout_${service}`);
      databases.push(db);
      const common = { SWC_NODE_PROJECT: join(repo, 'tsconfig.json'), TMPDIR: workdir };

      // The migration Job: owner role only.
      const migration = job.spec.template.spec.containers[0]!;
      const migrate = spawnSync(process.execPath, migration.command.slice(1), { cwd: repo, env: { PATH: process.env.PATH ?? '', ...common, MIGRATION_DATABASE_URL: db.ownerUrl }, encoding: 'utf8' });
      expect({ service, status: migrate.status, stderr: migrate.stderr }).toEqual({ service, status: 0, stderr: '' });

      // The Deployment's container: the overlay's configuration, the Secret's keys, the test servers' addresses.
      const container = deployment.spec.template.spec.containers[0]!;
      const port = await freePort();
      const env: Record<string, string> = {
        ...configMap.data,
        ...Object.fromEntries((container.env ?? []).map((e) => [e.name, e.value])),
        ...common,
        DATABASE_URL: db.appUrl,
        PRIVACY_MASTER_KEY: Buffer.alloc(32, 1).toString('base64'),
        KAFKA_BROKERS: kafkaBrokers().join(','),
        KAFKA_TOPIC_PREFIX: prefix,
        HOST: '127.0.0.1',
        PORT: String(port),
      };
      expect(env['NODE_ENV']).toBe('production');
      const child = run(container.command, env);
      children.push(child);
      let output = '';
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

      const ready = `http://127.0.0.1:${port}${container.readinessProbe.httpGet.path}`;
      const deadline = Date.now() + 60_000;
      let last: number | string = 'not started';
      while (Date.now() < deadline && child.exitCode === null && (last = await probe(ready, container.readinessProbe.timeoutSeconds)) !== 200) await new Promise((r) => setTimeout(r, 250));
      expect({ service, ready: last, output: last === 200 ? '' : output.slice(-2_000) }).toEqual({ service, ready: 200, output: '' });
      // The kubelet restarts a container after failureThreshold failed liveness probes in a row, not after one.
      const liveness = container.livenessProbe;
      let live: number | string = 'not probed';
      for (let attempt = 0; attempt < liveness.failureThreshold && live !== 200; attempt += 1) live = await probe(`http://127.0.0.1:${port}${liveness.httpGet.path}`, liveness.timeoutSeconds);
      expect({ service, live, output: live === 200 ? '' : output.slice(-2_000) }).toEqual({ service, live: 200, output: '' });

      const stopping = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(Date.now() - stopping).toBeLessThan((deployment.spec.template.spec.terminationGracePeriodSeconds ?? 30) * 1_000);
    }),
  );
});
