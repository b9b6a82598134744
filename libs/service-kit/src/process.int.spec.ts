import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase, kafkaBrokers, type TestDatabase } from '@tremplin/testing';

// A real service process (the intake service's entry point), as `npm start` runs it.
const repo = join(__dirname, '..', '..', '..');
const entry = join(repo, 'services', 'intake', 'src', 'main.ts');

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', entry], {
    cwd: repo,
    env: { PATH: process.env.PATH, SWC_NODE_PROJECT: join(repo, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exit, output: () => output };
}

describe('a service process', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('service_process');
  });
  afterAll(async () => db.drop());

  it('exits with code 1 and one line naming the missing variable when its configuration is incomplete', async () => {
    const service = run({ KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(await service.exit).toEqual({ code: 1, signal: null });
    const line = JSON.parse(service.output().trim().split('\n').pop()!) as { level: string; msg: string };
    expect(line).toMatchObject({ level: 'fatal' });
    expect(line.msg).toMatch(/^intake: invalid configuration: DATABASE_URL is required/);
  });

  it('runs its migrations as the owner, serves, and shuts down cleanly on SIGTERM', async () => {
    const service = run({ PORT: '0', DATABASE_URL: db.appUrl, MIGRATION_DATABASE_URL: db.ownerUrl, KAFKA_BROKERS: kafkaBrokers().join(',') });
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not listening: ${service.output()}`)), 60_000);
      service.child.stdout.on('data', () => {
        const match = /listening on (http:\/\/[^"\s]+)/.exec(service.output());
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    expect((await fetch(`${url}/health`)).status).toBe(200);
    service.child.kill('SIGTERM');
    expect(await service.exit).toEqual({ code: 0, signal: null });
  });
});
