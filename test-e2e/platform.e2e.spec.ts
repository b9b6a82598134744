import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { applicationTransmittedV1, createEnvelope, headersOf } from '@tremplin/contracts';
import { kafkaBrokers } from '@tremplin/testing';

// The whole platform as `npm start` runs it (deploy/local/start.ts), on the run's PostgreSQL and Kafka: five
// service processes, a transmitted application arriving on Kafka as the intake service publishes it, the loan
// read through the lending API with a development token, then Ctrl-C (SIGINT) and nothing left running.
const repo = join(__dirname, '..');
const SERVICES = ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'];
const TENANT = 'ccas-tarbes';

function childrenOf(pid: number): number[] {
  const found = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' });
  return found.stdout.split('\n').filter(Boolean).map(Number);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the platform started by npm start', () => {
  let platform: ChildProcess;
  let output = '';
  const urls = new Map<string, string>();

  beforeAll(async () => {
    platform = spawn(process.execPath, ['-r', '@swc-node/register', join(repo, 'deploy', 'local', 'start.ts')], {
      cwd: repo,
      env: { ...process.env, DATABASE_URL: process.env.TREMPLIN_PG_ADMIN_URL, KAFKA_BROKERS: kafkaBrokers().join(','), SWC_NODE_PROJECT: join(repo, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    platform.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    platform.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`platform not running after 120 s:\n${output.slice(-3000)}`)), 120_000);
      platform.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${output.slice(-3000)}`)));
      const check = setInterval(() => {
        if (!output.includes('Tremplin is running')) return;
        clearInterval(check);
        clearTimeout(timer);
        resolve();
      }, 100);
    });
    for (const name of SERVICES) {
      const match = new RegExp(`^\\s+${name}\\s+(http://\\S+)`, 'm').exec(output);
      if (match) urls.set(name, match[1]);
    }
  });

  afterAll(async () => {
    if (platform.exitCode === null) platform.kill('SIGKILL');
  });

  it('prints the URL of all five services, each ready on its real PostgreSQL and Kafka', async () => {
    expect([...urls.keys()]).toEqual(SERVICES);
    for (const url of urls.values()) {
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ readiness: true, details: { postgres: { status: 'up' }, kafka: { status: 'up' } } });
    }
  });

  it('a file transmitted by a CCAS commission on Kafka becomes a loan the bank advisor sees through the lending API', async () => {
    const applicationId = `app-e2e-${randomUUID().slice(0, 8)}`;
    const envelope = createEnvelope(
      applicationTransmittedV1,
      {
        tenantId: TENANT,
        applicationId,
        beneficiaryId: 'ben-e2e-1',
        bankPartnerId: 'bank-parcours',
        product: 'classic',
        purposeCategory: 'employmentTraining',
        requestedAmountCents: 182_500,
        requestedTermMonths: 24,
        transmittedAt: new Date().toISOString(),
        commissionDecisionId: 'commission-e2e',
      },
      { messageId: randomUUID(), occurredAt: new Date().toISOString(), correlationId: `corr-${applicationId}` },
    );
    const producer = new Kafka({ clientId: 'e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING }).producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await producer.send({ topic: applicationTransmittedV1.topic, messages: [{ key: applicationId, value: JSON.stringify(envelope), headers: headersOf(envelope) }] });
    await producer.disconnect();

    // The token a bank advisor gets in development, through the command the README gives.
    const token = spawnSync('npm', ['run', '-s', 'token', '--', '--role', 'bankAdvisor', '--tenant', TENANT, '--user', 'bank-anne', '--org', 'bank-parcours'], {
      cwd: repo,
      encoding: 'utf8',
    }).stdout.trim();
    expect(token.split('.')).toHaveLength(3);

    const lending = urls.get('lending')!;
    const deadline = Date.now() + 30_000;
    let loans: Array<{ applicationId: string; status: string; amountCents: number }> = [];
    while (Date.now() < deadline) {
      const answer = await fetch(`${lending}/tenants/${TENANT}/loans`, { headers: { authorization: `Bearer ${token}` } });
      expect(answer.status).toBe(200);
      loans = ((await answer.json()) as { loans: typeof loans }).loans;
      if (loans.some((loan) => loan.applicationId === applicationId)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(loans.find((loan) => loan.applicationId === applicationId)).toMatchObject({ status: 'applicationReceived', amountCents: 182_500 });

    const otherTenant = await fetch(`${lending}/tenants/ccas-laval/loans`, { headers: { authorization: `Bearer ${token}` } });
    expect(otherTenant.status).toBe(404);
  });

  it('stops every service on Ctrl-C and leaves no process behind', async () => {
    // The five services (and the infrastructure process while it runs servers of its own), with their children.
    const started = childrenOf(platform.pid!);
    const descendants = [...started, ...started.flatMap(childrenOf)];
    expect(started.length).toBeGreaterThanOrEqual(SERVICES.length);
    const exited = new Promise<number | null>((resolve) => platform.once('exit', (code) => resolve(code)));
    platform.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('[start] everything stopped');
    expect(descendants.filter(alive)).toEqual([]);
  });
});
