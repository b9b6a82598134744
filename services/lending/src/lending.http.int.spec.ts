import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { Client } from 'pg';
import { startServiceHarness, tally, type Reply, type ServiceHarness } from '@tremplin/testing';
import { loanIdOf } from './loan/loan.handler';
import { lendingService } from './service';

// Lending through real HTTP on real PostgreSQL under load and abuse: many commands at once never hang the
// service and every answer matches what is recorded; refusals replay as they were; bodies and queries a client
// gets wrong are 4xx in the platform's error body, never a 500 or a stack trace.

jest.setTimeout(120_000);

const TENANT = 'ccas-tarbes';
const TODAY = '2025-11-03';
let h: ServiceHarness;
let anne = '';
let bruno = '';
const logged: string[] = [];

const call = (method: 'GET' | 'POST', path: string, options: { body?: unknown; key?: string; token?: string } = {}): Promise<Reply> =>
  h.call(method, path, { ...options, token: options.token ?? anne });

/** A raw request, for bodies fetch would not send as they are (a bogus encoding). */
function raw(path: string, headers: Record<string, string>, body: Buffer | string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const url = new URL(`${h.app.url}${path}`);
    const req = httpRequest({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers: { authorization: `Bearer ${anne}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function eventsOf(loanId: string, type: string): Promise<number> {
  return h.asTenant(TENANT, async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM es.events WHERE tenant_id = $1 AND stream_id = $2 AND type = $3`, [TENANT, `loan-${loanId}`, type]);
    return Number(rows[0].n);
  });
}

/** A disbursed 1,000 € / 12 months loan, seeded through the bank's routes. */
async function disbursedLoan(stopAt: 'offered' | 'disbursed' = 'disbursed'): Promise<string> {
  const applicationId = `app-${randomUUID().slice(0, 8)}`;
  const loanId = loanIdOf(TENANT, applicationId);
  const steps: Array<[string, unknown]> = [
    ['/applications', { applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12 }],
    [`/${loanId}/approve`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400 }],
    [`/${loanId}/offer`, { firstDueDate: '2025-12-05' }],
    ...(stopAt === 'disbursed' ? ([[`/${loanId}/sign`, { socialWorkerPresent: false }], [`/${loanId}/disburse`, {}]] as Array<[string, unknown]>) : []),
  ];
  for (const [path, body] of steps) {
    const { last: reply } = await retryingBusy(() => call('POST', `/tenants/${TENANT}/loans${path}`, { body }));
    if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return loanId;
}

/**
 * What a well-behaved client does with 503 DATABASE_BUSY (a saturated pool on a loaded machine): wait for
 * Retry-After and send the same request again, with the same Idempotency-Key.
 */
async function retryingBusy(send: () => Promise<Reply>): Promise<{ first: Reply; last: Reply; retries: number }> {
  const first = await send();
  let last = first;
  let retries = 0;
  while (last.status === 503 && retries < 30) {
    const seconds = Number(last.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(seconds, 2) * 1_000 * (0.5 + Math.random())));
    last = await send();
    retries += 1;
  }
  return { first, last, retries };
}

const pay = (loanId: string, key: string) => call('POST', `/tenants/${TENANT}/loans/${loanId}/payments`, { body: { amountCents: 101, paidOn: TODAY }, key });

async function expectHealthy(): Promise<void> {
  expect((await fetch(`${h.app.url}/health/live`)).status).toBe(200);
  expect((await fetch(`${h.app.url}/health`)).status).toBe(200);
}

beforeAll(async () => {
  const write = process.stdout.write.bind(process.stdout);
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logged.push(String(chunk));
    return write(chunk, ...(rest as []));
  });
  h = await startServiceHarness({
    name: 'lending_http',
    service: lendingService({ clock: () => new Date(`${TODAY}T10:00:00.000Z`) }),
    tenant: TENANT,
    // Lending runs alone here (no guarantee fund answers): the disbursement gate is off, tested in guarantee-gate/.
    env: { POOL_STALL_LIVENESS_MS: '2000', DISBURSEMENT_REQUIRES_GUARANTEE: 'false' },
  });
  const sign = (userId: string) => h.token({ role: 'bankAdvisor', userId, organisationId: 'bank-parcours', organisationKind: 'bank' });
  anne = await sign('bank-anne');
  bruno = await sign('bank-bruno');
});

afterAll(async () => {
  await h?.close();
  jest.restoreAllMocks();
});

describe('many commands at once', () => {
  it('50 payments at once on one loan: every request answers, one event per success, the service stays healthy', async () => {
    const loanId = await disbursedLoan();
    const sent = await Promise.all(Array.from({ length: 50 }, (_, i) => retryingBusy(() => pay(loanId, `pay-${loanId}-${i}`))));
    // First answers: queued on the stream's lock, or a fast 503 when the pool is saturated — never a hang.
    expect(Object.keys(tally(sent.map(({ first }) => first))).map(Number).every((status) => status === 200 || status === 503)).toBe(true);
    // A 503 wrote nothing: its retry with the same key is a first execution, not a replay.
    expect(sent.filter(({ retries }) => retries > 0).every(({ last }) => last.headers.get('idempotent-replayed') === null)).toBe(true);
    expect(tally(sent.map(({ last }) => last))).toEqual({ 200: 50 });
    expect(await eventsOf(loanId, 'InstalmentPaid')).toBe(50);
    await expectHealthy();
  });

  it('200 commands at once across 50 loans: every request answers and each loan records exactly its successes', async () => {
    const loans = await Promise.all(Array.from({ length: 50 }, () => disbursedLoan()));
    const sent = await Promise.all(loans.flatMap((loanId) => [0, 1, 2, 3].map(async (i) => ({ loanId, ...(await retryingBusy(() => pay(loanId, `many-${loanId}-${i}`))) }))));
    expect(Object.keys(tally(sent.map(({ first }) => first))).map(Number).every((status) => status === 200 || status === 503)).toBe(true);
    expect(sent.filter(({ retries }) => retries > 0).every(({ last }) => last.headers.get('idempotent-replayed') === null)).toBe(true);
    expect(tally(sent.map(({ last }) => last))).toEqual({ 200: 200 });
    for (const loanId of loans) expect(await eventsOf(loanId, 'InstalmentPaid')).toBe(4);
    const busy = sent.filter(({ first }) => first.status === 503).length;
    process.stdout.write(`200 payments across 50 loans: ${200 - busy} answered 200 at once, ${busy} a fast 503 then 200 on retry with the same key; 200 events\n`);
    await expectHealthy();
  });

  it('the same Idempotency-Key sent 10 times at once records one payment; the others answer 409 or replay it', async () => {
    const loanId = await disbursedLoan();
    const replies = await Promise.all(Array.from({ length: 10 }, () => pay(loanId, `same-${loanId}`)));
    const counts = tally(replies);
    expect((counts[200] ?? 0) + (counts[409] ?? 0)).toBe(10);
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'IDEMPOTENCY_IN_PROGRESS')).toBe(true);
    expect(await eventsOf(loanId, 'InstalmentPaid')).toBe(1);
  });
});

describe('a pool that stops handing out connections', () => {
  it('makes the service unready and not live while it lasts, answers every request, and recovers', async () => {
    const loanId = await disbursedLoan();
    // Another session holds the loan stream's lock: every command on it waits in its transaction, holding a
    // pooled connection, until the pool is full and further callers queue for it.
    const holder = new Client({ connectionString: h.db.ownerUrl });
    await holder.connect();
    const lock = [`hashtextextended($1::text || E'\\x1f' || $2::text, 7)`, [TENANT, `loan-${loanId}`]] as const;
    await holder.query(`SELECT pg_advisory_lock(${lock[0]})`, [...lock[1]]);
    const pending = Promise.all(Array.from({ length: 20 }, (_, i) => pay(loanId, `stuck-${loanId}-${i}`)));
    try {
      const statusOf = async (path: string) => (await fetch(`${h.app.url}${path}`, { signal: AbortSignal.timeout(10_000) })).status;
      const deadline = Date.now() + 15_000;
      let live = 200;
      while (live !== 503 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        live = await statusOf('/health/live');
      }
      expect(live).toBe(503);
      expect(await statusOf('/health')).toBe(503);
    } finally {
      await holder.query(`SELECT pg_advisory_unlock(${lock[0]})`, [...lock[1]]);
      await holder.end();
    }
    const replies = await pending;
    const counts = tally(replies);
    expect(Object.keys(counts).map(Number).every((status) => status === 200 || status === 503)).toBe(true);
    expect(replies.filter((reply) => reply.status === 503).every((reply) => reply.body.code === 'DATABASE_BUSY' && reply.headers.get('retry-after') === '1')).toBe(true);
    expect(await eventsOf(loanId, 'InstalmentPaid')).toBe(counts[200] ?? 0);
    await expectHealthy();
  });
});

describe('refusals replay as they were', () => {
  it('a state refusal replays as 409 with its code, a rule refusal as 400 with its code and field', async () => {
    const loanId = await disbursedLoan('offered');
    const first = await call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {}, key: `disburse-${loanId}` });
    expect(first.status).toBe(409);
    expect(first.body).toMatchObject({ code: 'OFFER_NOT_SIGNED' });
    const again = await call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {}, key: `disburse-${loanId}` });
    expect(again.status).toBe(409);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');

    const rule = await call('POST', `/tenants/${TENANT}/loans/${loanId}/agreement-notices`, { body: { sellerId: 'garage-1', amountCents: 100_000 }, key: `notice-${loanId}` });
    expect(rule.status).toBe(409);
    const forbidden = await disbursedLoan();
    const asked = await call('POST', `/tenants/${TENANT}/loans/${forbidden}/rescheduling-requests`, { body: { kind: 'holiday', months: 1 } });
    expect(asked.status).toBe(200);
    const selfApproval = await call('POST', `/tenants/${TENANT}/loans/${forbidden}/rescheduling-requests/${String(asked.body.requestId)}/approve`, { body: {}, key: `self-${forbidden}` });
    expect(selfApproval.status).toBe(403);
    const replayed = await call('POST', `/tenants/${TENANT}/loans/${forbidden}/rescheduling-requests/${String(asked.body.requestId)}/approve`, { body: {}, key: `self-${forbidden}` });
    expect(replayed.status).toBe(403);
    expect(replayed.body).toMatchObject({ code: 'FOUR_EYES_REQUIRED', field: 'requestId' });
    // The second pair of eyes is still free to approve: the refusal wrote nothing.
    expect((await call('POST', `/tenants/${TENANT}/loans/${forbidden}/rescheduling-requests/${String(asked.body.requestId)}/approve`, { body: {}, token: bruno })).status).toBe(200);

    const tooMuch = await call('POST', `/tenants/${TENANT}/loans/${forbidden}/payments`, { body: { amountCents: 10_000_000, paidOn: TODAY }, key: `too-much-${forbidden}` });
    const tooMuchAgain = await call('POST', `/tenants/${TENANT}/loans/${forbidden}/payments`, { body: { amountCents: 10_000_000, paidOn: TODAY }, key: `too-much-${forbidden}` });
    expect([tooMuch.status, tooMuchAgain.status]).toEqual([400, 400]);
    expect(tooMuchAgain.body).toMatchObject({ code: 'PAYMENT_EXCEEDS_BALANCE', field: 'amountCents' });
  });
});

describe('what a client gets wrong', () => {
  it('answers 413/400 in the platform error body, never 500, logs no error, and writes nothing', async () => {
    const loanId = await disbursedLoan();
    const before = await eventsOf(loanId, 'InstalmentPaid');
    const since = logged.length;
    const path = `/tenants/${TENANT}/loans/${loanId}/payments`;
    const probes = {
      oversized: await raw(path, { 'content-type': 'application/json' }, JSON.stringify({ amountCents: 101, paidOn: TODAY, pad: 'x'.repeat(200_000) })),
      badEncoding: await raw(path, { 'content-type': 'application/json', 'content-encoding': 'bogus' }, '{"amountCents":101}'),
      notGzip: await raw(path, { 'content-type': 'application/json', 'content-encoding': 'gzip' }, 'this is not gzip'),
      malformed: await raw(path, { 'content-type': 'application/json' }, '{"amountCents": 101,'),
      unknownStatus: await call('GET', `/tenants/${TENANT}/loans?status=bogus`),
      unknownParameter: await call('GET', `/tenants/${TENANT}/loans?sort=amount`),
      badAsOf: await call('GET', `/tenants/${TENANT}/loans/${loanId}?asOf=yesterday`),
      futureAsOf: await call('GET', `/tenants/${TENANT}/loans/${loanId}?asOf=2099-01-01`),
    };
    const seen = Object.fromEntries(Object.entries(probes).map(([name, reply]) => [name, [reply.status, reply.body.code, reply.body.field]]));
    expect(seen).toEqual({
      oversized: [413, 'PAYLOAD_TOO_LARGE', undefined],
      badEncoding: [400, 'BODY_UNREADABLE', 'Content-Encoding'],
      notGzip: [400, 'BODY_UNREADABLE', undefined],
      malformed: [400, 'MALFORMED_JSON', '(body)'],
      unknownStatus: [400, 'VALIDATION_FAILED', 'status'],
      unknownParameter: [400, 'VALIDATION_FAILED', 'sort'],
      badAsOf: [400, 'VALIDATION_FAILED', 'asOf'],
      futureAsOf: [400, 'AS_OF_IN_FUTURE', 'asOf'],
    });
    expect(JSON.stringify(probes)).not.toContain('xxxxxxxx');
    expect(await eventsOf(loanId, 'InstalmentPaid')).toBe(before);
    const errors = logged.slice(since).filter((line) => /"level":(50|60)/.test(line));
    expect(errors).toEqual([]);
  });

  it('sends no X-Powered-By, and nosniff and no-store on answers that carry case data', async () => {
    const reply = await call('GET', `/tenants/${TENANT}/loans`);
    expect(reply.status).toBe(200);
    expect(reply.headers.get('x-powered-by')).toBeNull();
    expect(reply.headers.get('x-content-type-options')).toBe('nosniff');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    // No CORS origin is configured: a browser on another origin gets no permission.
    const preflight = await fetch(`${h.app.url}/tenants/${TENANT}/loans`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
  });
});
