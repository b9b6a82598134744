import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { applicationTransmittedV1, createEnvelope } from '@tremplin/contracts';
import { observeTopics, startPlatformProcesses, type KafkaObserver, type Reply, type RunningPlatform } from '@tremplin/testing';

// Faults on real processes: lending runs as two replicas (one database, one consumer group) while applications
// arrive on Kafka and bank advisors send commands over HTTP; each replica is SIGKILLed in turn mid-flow (no
// shutdown hook runs) and started again. Clients retry what got no answer with the same Idempotency-Key, as the
// API guide tells them to. Afterwards every effect is there exactly once: in the event store, the read model and
// the contracts published on Kafka.

jest.setTimeout(600_000);

const TENANT = 'ccas-tarbes';
const APPLICATIONS = 40;
let platform: RunningPlatform;
let kafka: KafkaObserver;
let advisor = '';

beforeAll(async () => {
  platform = await startPlatformProcesses({ services: ['lending'], replicas: 2 });
  advisor = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT] });
  kafka = await observeTopics([`${platform.prefix}lending.loan`], `${platform.prefix}observer`, 'faults-e2e');
});

afterAll(async () => {
  await kafka?.stop();
  await platform?.stop();
});

async function ownerQuery<T extends Record<string, unknown>>(sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: platform.ownerUrl('lending') });
  await client.connect();
  try {
    await client.query(`SELECT set_config('app.tenant_id', $1, false)`, [TENANT]);
    return (await client.query<T>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

/** A client that retries, with the same key, on the other replica when a request gets no answer or a 503. */
async function untilAnswered(path: string, body: unknown, key: string, first: number): Promise<{ reply: Reply; attempts: number }> {
  for (let attempt = 1; attempt <= 40; attempt += 1) {
    try {
      const reply = await platform.call('lending', 'POST', path, { token: advisor, body, key, replica: (first + attempt - 1) % 2, timeoutMs: 20_000 });
      if (reply.status !== 503) return { reply, attempts: attempt };
    } catch {
      // Connection refused or reset: that replica is down; the next attempt goes to the other one.
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${path} never answered`);
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

it('two lending replicas, each SIGKILLed and restarted mid-flow: every application and every command recorded exactly once', async () => {
  const runId = randomUUID().slice(0, 6);
  const applicationIds = Array.from({ length: APPLICATIONS }, (_, i) => `app-${runId}-${String(i).padStart(2, '0')}`);
  const send = (ids: readonly string[]) =>
    kafka.publish(
      `${platform.prefix}intake.application`,
      ids.map((applicationId) => {
        const envelope = createEnvelope(
          applicationTransmittedV1,
          {
            tenantId: TENANT,
            applicationId,
            beneficiaryId: `ben-${applicationId}`,
            bankPartnerId: 'bank-parcours',
            product: 'classic',
            purposeCategory: 'mobility',
            requestedAmountCents: 100_000,
            requestedTermMonths: 12,
            transmittedAt: '2026-03-02T09:00:00.000Z',
            commissionDecisionId: `commission-${applicationId}`,
          },
          { messageId: randomUUID(), occurredAt: '2026-03-02T09:00:00.000Z', correlationId: `corr-${applicationId}` },
        );
        return { key: applicationId, envelope };
      }),
    );

  // Half the applications, then replica 0 dies without a shutdown while the other half arrives.
  await send(applicationIds.slice(0, APPLICATIONS / 2));
  await platform.kill('lending', 0);
  await send(applicationIds.slice(APPLICATIONS / 2));
  await platform.restart('lending', 0);

  const loans = await eventually('every application received as a loan', async () => {
    const rows = await ownerQuery<{ loan_id: string; application_id: string }>(`SELECT loan_id, application_id FROM lending.loan_summary WHERE application_id = ANY($1::text[])`, [applicationIds]);
    return rows.length === APPLICATIONS ? rows : undefined;
  });

  // Approvals over HTTP while replica 1 is killed and restarted: answers lost in the crash are retried.
  // Half the clients start on each replica.
  const approvals = loans.map(({ loan_id }, i) => untilAnswered(`/tenants/${TENANT}/loans/${loan_id}/approve`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400 }, `approve-${loan_id}`, i % 2));
  await new Promise((resolve) => setTimeout(resolve, 300));
  await platform.kill('lending', 1);
  await platform.restart('lending', 1);
  const answered = await Promise.all(approvals);

  expect(answered.map(({ reply }) => reply.status)).toEqual(loans.map(() => 200));
  const received = await ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM es.events WHERE type = 'LoanApplicationReceived' AND stream_id = ANY($1::text[])`, [loans.map(({ loan_id }) => `loan-${loan_id}`)]);
  const approved = await ownerQuery<{ stream_id: string; n: string }>(`SELECT stream_id, count(*) AS n FROM es.events WHERE type = 'LoanApproved' AND stream_id = ANY($1::text[]) GROUP BY stream_id`, [loans.map(({ loan_id }) => `loan-${loan_id}`)]);
  expect(Number(received[0].n)).toBe(APPLICATIONS);
  expect(approved).toHaveLength(APPLICATIONS);
  expect(approved.every((row) => Number(row.n) === 1)).toBe(true);

  // The read model and the published contracts: one of each per loan, whatever the relay resent after a crash.
  await eventually('the read model to show every approval', async () => {
    const rows = await ownerQuery<{ n: string }>(`SELECT count(*) AS n FROM lending.loan_summary WHERE application_id = ANY($1::text[]) AND status = 'approved'`, [applicationIds]);
    return Number(rows[0].n) === APPLICATIONS ? true : undefined;
  });
  const mine = await eventually('the contracts of every loan on Kafka', async () => {
    const found = kafka.messages.filter((envelope) => applicationIds.includes(String(envelope.payload.applicationId)) || loans.some(({ loan_id }) => envelope.payload.loanId === loan_id));
    const ids = new Set(found.map((envelope) => envelope.messageId));
    return ids.size >= APPLICATIONS * 2 ? found : undefined;
  });
  const distinct = new Map(mine.map((envelope) => [envelope.messageId, envelope]));
  const byName = [...distinct.values()].reduce<Record<string, number>>((counts, envelope) => ({ ...counts, [envelope.name]: (counts[envelope.name] ?? 0) + 1 }), {});
  expect(byName).toEqual({ 'lending.loan-application-received.v1': APPLICATIONS, 'lending.loan-approved.v1': APPLICATIONS });
  const retries = answered.filter(({ attempts }) => attempts > 1).length;
  process.stdout.write(
    `faults: 2 replicas, 2 SIGKILLs, 2 restarts; ${APPLICATIONS} applications, ${APPLICATIONS} approvals (${retries} retried with their key); ` +
      `events: ${received[0].n} received, ${approved.length} approved, 0 doubled; Kafka: ${mine.length} records, ${distinct.size} distinct messages (${mine.length - distinct.size} redelivered copies with the same id)\n`,
  );
});
