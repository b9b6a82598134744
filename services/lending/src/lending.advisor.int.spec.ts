import { randomUUID } from 'node:crypto';
import { eventually, startServiceHarness, tally, type Reply, type ServiceHarness } from '@tremplin/testing';
import { loanIdOf } from './loan/loan.handler';
import { lendingService } from './service';

// Lending as a bank advisor walks it and as a rival bank probes it, on real PostgreSQL and Kafka: banks working
// with the same CCAS never see nor touch each other's loans.

jest.setTimeout(120_000);

const TENANT = 'ccas-tarbes';
let now = new Date('2025-11-03T10:00:00.000Z');
const setClock = (instant: string) => (now = new Date(instant));

let h: ServiceHarness;
const tokens = { anne: '', bruno: '', rita: '', sophie: '', director: '' };

const call = (method: 'GET' | 'POST', path: string, token: string, body?: unknown): Promise<Reply> => h.call(method, `/tenants/${TENANT}/loans${path}`, { token, ...(body === undefined ? {} : { body }) });

async function ok(path: string, token: string, body: unknown = {}): Promise<Reply> {
  const reply = await call('POST', path, token, body);
  if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

async function eventCount(loanId: string): Promise<number> {
  return h.asTenant(TENANT, async (client) => {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM es.events WHERE tenant_id = $1 AND stream_id = $2`, [TENANT, `loan-${loanId}`]);
    return Number(rows[0].n);
  });
}

/** A 1,000 € / 12 months / 4 % loan of bank-parcours, received by its advisor and taken as far as asked. */
async function parcoursLoan(stopAt: 'received' | 'approved' | 'offered' | 'signed' | 'disbursed' = 'disbursed', approval: Record<string, unknown> = {}): Promise<string> {
  const applicationId = `app-${randomUUID().slice(0, 8)}`;
  const loanId = loanIdOf(TENANT, applicationId);
  const steps: Array<[string, string, unknown]> = [
    ['received', '/applications', { applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12 }],
    ['approved', `/${loanId}/approve`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400, ...approval }],
    ['offered', `/${loanId}/offer`, { firstDueDate: '2025-12-05' }],
    ['signed', `/${loanId}/sign`, { socialWorkerPresent: false }],
    ['disbursed', `/${loanId}/disburse`, {}],
  ];
  for (const [name, path, body] of steps) {
    await ok(path, tokens.anne, body);
    if (name === stopAt) break;
  }
  return loanId;
}

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'lending_advisor',
    service: lendingService({ clock: () => new Date(now) }),
    tenant: TENANT,
    observe: ['lending.loan'],
    // Lending runs alone here (no guarantee fund answers): the disbursement gate is off, tested in guarantee-gate/.
    env: { DISBURSEMENT_REQUIRES_GUARANTEE: 'false' },
  });
  const bank = (userId: string, organisationId: string) => h.token({ role: 'bankAdvisor', userId, organisationId, organisationKind: 'bank' });
  tokens.anne = await bank('bank-anne', 'bank-parcours');
  tokens.bruno = await bank('bank-bruno', 'bank-parcours');
  tokens.rita = await bank('bank-rita', 'bank-rival');
  tokens.sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas' });
  tokens.director = await h.token({ role: 'ccasDirector', userId: 'dir-claire', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas' });
});

afterAll(async () => {
  await h?.close();
});

describe('banks within one CCAS', () => {
  it('a rival bank’s advisor gets 404 LOAN_NOT_FOUND on every read of another bank’s loan, as for another tenant', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan();
    for (const suffix of ['', '/schedule', '/history', '?asOf=2025-11-03T10:00:00.000Z', '/schedule?asOf=2025-11-03T10:00:00.000Z']) {
      const reply = await call('GET', `/${loanId}${suffix}`, tokens.rita);
      expect([suffix, reply.status, reply.body.code]).toEqual([suffix, 404, 'LOAN_NOT_FOUND']);
      // The loan's own bank and the CCAS read it.
      expect((await call('GET', `/${loanId}${suffix}`, tokens.anne)).status).toBe(200);
      expect((await call('GET', `/${loanId}${suffix}`, tokens.sophie)).status).toBe(200);
    }
  });

  it('the loan list shows a bank only its own loans; the CCAS sees every bank’s', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const parcours = await parcoursLoan('received');
    const applicationId = `app-${randomUUID().slice(0, 8)}`;
    const rival = loanIdOf(TENANT, applicationId);
    await ok('/applications', tokens.rita, { applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 50_000, requestedTermMonths: 6 });
    const idsOf = async (token: string) => ((await call('GET', '', token)).body.loans as Array<{ loanId: string; bankPartnerId: string }>).map((loan) => loan.loanId);
    const ccas = await eventually('both loans in the read model', async () => {
      const ids = await idsOf(tokens.sophie);
      return ids.includes(parcours) && ids.includes(rival) ? ids : undefined;
    });
    expect(ccas).toEqual(expect.arrayContaining([parcours, rival]));
    const ritaSees = await idsOf(tokens.rita);
    expect(ritaSees).toContain(rival);
    expect(ritaSees).not.toContain(parcours);
    const anneSees = await idsOf(tokens.anne);
    expect(anneSees).toContain(parcours);
    expect(anneSees).not.toContain(rival);
    const rows = (await call('GET', '?status=applicationReceived', tokens.rita)).body.loans as Array<{ bankPartnerId: string }>;
    expect(rows.every((row) => row.bankPartnerId === 'bank-rival')).toBe(true);
  });

  it('the list waits for the caller’s own write when asked (?waitFor=loanId@streamVersion), and says whether it caught up', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const applicationId = `app-${randomUUID().slice(0, 8)}`;
    const received = await ok('/applications', tokens.anne, { applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12 });
    const loanId = String(received.body.loanId);
    const list = await call('GET', `?waitFor=${loanId}@${String(received.body.streamVersion)}`, tokens.anne);
    expect(list.body.caughtUp).toBe(true);
    expect((list.body.loans as Array<{ loanId: string; streamVersion: number }>).find((row) => row.loanId === loanId)).toMatchObject({ streamVersion: 1 });
    const never = await call('GET', `?waitFor=${loanId}@99`, tokens.anne);
    expect([never.status, never.body.caughtUp]).toEqual([200, false]);
    const bad = await call('GET', '?waitFor=nonsense', tokens.anne);
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, 'VALIDATION_FAILED', 'waitFor']);
  });

  it('every command of each route class on another bank’s loan answers 404 LOAN_NOT_FOUND and writes nothing', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const received = await parcoursLoan('received');
    const signed = await parcoursLoan('signed');
    const repaying = await parcoursLoan('disbursed');
    const asked = await ok(`/${repaying}/rescheduling-requests`, tokens.anne, { kind: 'holiday', months: 1 });
    const requestId = String(asked.body.requestId);
    const probes: Array<[string, string, unknown]> = [
      // loan.bank-operate
      ['approve', `/${received}/approve`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400 }],
      ['amend approval', `/${received}/approval-amendments`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400 }],
      ['withdraw offer', `/${signed}/offer-withdrawals`, { reasonCode: 'BORROWER_CHANGED_PLAN' }],
      ['refuse', `/${received}/refuse`, { reasonCode: 'BANK_POLICY', reasonCategory: 'bankPolicy' }],
      ['offer', `/${received}/offer`, { firstDueDate: '2025-12-05' }],
      ['sign', `/${signed}/sign`, { socialWorkerPresent: false }],
      ['notice', `/${signed}/agreement-notices`, { sellerId: 'garage-1', amountCents: 10_000 }],
      ['disburse', `/${signed}/disburse`, {}],
      ['payment', `/${repaying}/payments`, { amountCents: 1_000, paidOn: '2025-11-03' }],
      ['early repayment', `/${repaying}/early-repayments`, { kind: 'full', repaidOn: '2025-11-03' }],
      ['missed', `/${repaying}/missed-instalments`, { instalmentNumber: 1 }],
      ['contact', `/${repaying}/contacts`, { channel: 'phone', outcome: 'reached' }],
      ['incident', `/${repaying}/incident-declarations`, {}],
      ['default', `/${repaying}/default`, {}],
      ['recovery', `/${repaying}/recoveries`, { amountCents: 1_000, receivedOn: '2025-11-03' }],
      // loan.request-rescheduling
      ['rescheduling request', `/${repaying}/rescheduling-requests`, { kind: 'holiday', months: 1 }],
      ['write-off request', `/${repaying}/write-off-requests`, { reasonCode: 'RECOVERY_EXHAUSTED' }],
      // loan.approve-rescheduling
      ['approve rescheduling', `/${repaying}/rescheduling-requests/${requestId}/approve`, {}],
      ['withdraw rescheduling', `/${repaying}/rescheduling-requests/${requestId}/withdraw`, {}],
      ['decline rescheduling', `/${repaying}/rescheduling-requests/${requestId}/decline`, { reasonCode: 'NOT_JUSTIFIED' }],
      ['approve write-off', `/${repaying}/write-off-requests/${requestId}/approve`, {}],
      // the same application id received again by the rival bank
      ['receive', '/applications', null],
    ];
    const before = await Promise.all([received, signed, repaying].map(eventCount));
    for (const [name, path, body] of probes) {
      const reply = name === 'receive' ? await receiveAgain(received) : await call('POST', path, tokens.rita, body);
      expect([name, reply.status, reply.body.code]).toEqual([name, 404, 'LOAN_NOT_FOUND']);
    }
    expect(await Promise.all([received, signed, repaying].map(eventCount))).toEqual(before);
    // The request still awaits its own bank's second pair of eyes.
    expect((await call('POST', `/${repaying}/rescheduling-requests/${requestId}/approve`, tokens.bruno, {})).status).toBe(200);
  });

  it('rival and own bank at once on one loan: the rival is always 404, the own bank’s payments are all recorded', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan();
    const before = await eventCount(loanId);
    const replies = await Promise.all(
      Array.from({ length: 20 }, (_, i) => call('POST', `/${loanId}/payments`, i % 2 === 0 ? tokens.anne : tokens.rita, { amountCents: 100, paidOn: '2025-11-03' }).then((reply) => ({ i, reply }))),
    );
    expect(tally(replies.filter(({ i }) => i % 2 === 1).map(({ reply }) => reply))).toEqual({ 404: 10 });
    expect(tally(replies.filter(({ i }) => i % 2 === 0).map(({ reply }) => reply))).toEqual({ 200: 10 });
    expect(await eventCount(loanId)).toBe(before + 10);
  });
});

describe('products', () => {
  it('a product version recorded by the CCAS director is published for intake (lending.product-terms-changed.v1), once', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const terms = { minAmountCents: 30_000, maxAmountCents: 250_000, exceptionMaxAmountCents: 500_000, minTermMonths: 6, maxTermMonths: 36, exceptionMaxTermMonths: 48, maxNominalRateBps: 400, guarantorKind: 'fcs', guaranteedShareBps: 5_000, accompaniment: 'offered', holidayInterest: 'none' };
    const replies = await Promise.all(
      [1, 2].map(() => h.call('POST', `/tenants/${TENANT}/products/autonomyHealth/versions`, { token: tokens.director, key: 'product-autonomy-2025-12', body: { decisionReference: 'CA-2025-11-03-1', effectiveFrom: '2025-12-01T00:00:00Z', terms } })),
    );
    // The same Idempotency-Key twice at once: one records it, the other replays it or is told it is running.
    expect(replies.some((reply) => reply.status === 201)).toBe(true);
    expect(replies.every((reply) => reply.status === 201 || (reply.status === 409 && reply.body.code === 'IDEMPOTENCY_IN_PROGRESS'))).toBe(true);
    const published = await eventually('the product version on Kafka', async () => {
      const found = h.published.filter((envelope) => envelope.name === 'lending.product-terms-changed.v1' && envelope.payload.product === 'autonomyHealth');
      return found.length > 0 ? found : undefined;
    });
    expect(published[0].payload).toMatchObject({ tenantId: TENANT, product: 'autonomyHealth', version: 1, maxAmountCents: 250_000, guarantorKind: 'fcs' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.published.filter((envelope) => envelope.name === 'lending.product-terms-changed.v1' && envelope.payload.product === 'autonomyHealth')).toHaveLength(1);
  });
});

describe('early repayment', () => {
  it('full, 17 days after disbursement, five times at once: one is recorded with 186 cents of interest (100,000 × 4 % × 17 / 365), the others answer 409 LOAN_REPAID', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan();
    setClock('2025-11-20T10:00:00.000Z');
    const replies = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/${loanId}/early-repayments`, tokens.anne, { kind: 'full', repaidOn: '2025-11-20' })));
    expect(tally(replies)).toEqual({ 200: 1, 409: 4 });
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'LOAN_REPAID')).toBe(true);
    const done = replies.find((reply) => reply.status === 200)!;
    expect(done.body).toMatchObject({ status: 'repaid' });
    expect((done.body.events as Array<{ type: string }>).map((event) => event.type)).toEqual(['EarlyRepaymentRecorded', 'InstalmentPaid', 'LoanRepaid']);
    const history = (await call('GET', `/${loanId}/history`, tokens.anne)).body.events as Array<{ type: string; data: Record<string, unknown> }>;
    expect(history.filter((event) => event.type === 'EarlyRepaymentRecorded')).toHaveLength(1);
    expect(history.find((event) => event.type === 'EarlyRepaymentRecorded')!.data).toMatchObject({ accruedInterestCents: 186, accruedTime: { months: 0, days: 17, daysInYear: 365 }, amountDueCents: 100_186 });
    expect(history.find((event) => event.type === 'LoanRepaid')!.data).toMatchObject({ interestPaidTotalCents: 186 });
    const loan = (await call('GET', `/${loanId}`, tokens.anne)).body;
    expect(loan).toMatchObject({ status: 'repaid', figures: { outstandingPrincipalCents: 0, interestPaidCents: 186, principalPaidCents: 100_000 } });
  });

  it('partial, reduceInstalment: 500 € repaid leaves 500 € at 4,257 a month to the same end; a bad choice is a 400 naming it', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan();
    setClock('2025-11-20T10:00:00.000Z');
    const wrong = await call('POST', `/${loanId}/early-repayments`, tokens.anne, { kind: 'partial', repaidOn: '2025-11-20', principalCents: 50_000, choice: 'lowerRate' });
    expect([wrong.status, wrong.body.code, wrong.body.field]).toEqual([400, 'VALIDATION_FAILED', 'choice']);
    const reply = await ok(`/${loanId}/early-repayments`, tokens.anne, { kind: 'partial', repaidOn: '2025-11-20', principalCents: 50_000, choice: 'reduceInstalment' });
    expect(reply.body).toMatchObject({ status: 'repaying' });
    const loan = (await call('GET', `/${loanId}`, tokens.anne)).body;
    expect(loan).toMatchObject({ endDate: '2026-11-05', figures: { outstandingPrincipalCents: 50_000, interestPaidCents: 93, principalPaidCents: 50_000 } });
    const lines = (await call('GET', `/${loanId}/schedule`, tokens.anne)).body.lines as Array<{ number: number; instalment: number; state: string }>;
    expect(lines[0]).toMatchObject({ number: 1, instalment: 50_093, state: 'paid' });
    // The first new line keeps the first period (3 Nov → 5 Dec: a month and 2 days, 178 cents on 50,000);
    // the next ones are the new level instalment.
    expect(lines[1]).toMatchObject({ number: 2, instalment: 4_090 + 178, interest: 178, state: 'upcoming' });
    expect(lines[2]).toMatchObject({ number: 3, instalment: 4_257, state: 'upcoming' });
  });
});

describe('every stuck state has a way forward', () => {
  const apply = (applicationId: string, requestedAmountCents: number, requestedTermMonths: number) =>
    call('POST', '/applications', tokens.anne, { applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents, requestedTermMonths });

  it('an application for 1 cent or for 1,000,000 € over 120 months is refused at reception, and nothing is recorded', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const seen = [];
    for (const [amount, term] of [[1, 12], [100_000_000, 12], [100_000, 120]] as const) {
      const applicationId = `app-${randomUUID().slice(0, 8)}`;
      const reply = await apply(applicationId, amount, term);
      seen.push([reply.status, reply.body.code, reply.body.field]);
      expect(await eventCount(loanIdOf(TENANT, applicationId))).toBe(0);
    }
    expect(seen).toEqual([
      [400, 'AMOUNT_OUTSIDE_PRODUCT', 'requestedAmountCents'],
      [400, 'ABOVE_LEGAL_CEILING', 'requestedAmountCents'],
      [400, 'ABOVE_LEGAL_CEILING', 'requestedTermMonths'],
    ]);
  });

  it('approval checks the product (400, nothing written); re-approving is 409 LOAN_ALREADY_APPROVED; the approval is amended instead', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan('received');
    const tooHigh = await call('POST', `/${loanId}/approve`, tokens.anne, { amountCents: 100_000, termMonths: 12, nominalRateBps: 450 });
    expect([tooHigh.status, tooHigh.body.code, tooHigh.body.field]).toEqual([400, 'RATE_ABOVE_PRODUCT_MAXIMUM', 'nominalRateBps']);
    expect(await eventCount(loanId)).toBe(1);
    await ok(`/${loanId}/approve`, tokens.anne, { amountCents: 100_000, termMonths: 12, nominalRateBps: 400 });
    const again = await call('POST', `/${loanId}/approve`, tokens.anne, { amountCents: 100_000, termMonths: 12, nominalRateBps: 350 });
    expect([again.status, again.body.code]).toEqual([409, 'LOAN_ALREADY_APPROVED']);
    const amendments = await Promise.all([350, 300].map((rate) => call('POST', `/${loanId}/approval-amendments`, tokens.anne, { amountCents: 90_000, termMonths: 12, nominalRateBps: rate })));
    expect(tally(amendments)).toEqual({ 200: 2 });
    const loan = (await call('GET', `/${loanId}`, tokens.anne)).body as { status: string; terms: { amountCents: number; amends?: string } };
    expect(loan).toMatchObject({ status: 'approved', terms: { amountCents: 90_000, amends: expect.any(String) } });
    expect(await eventCount(loanId)).toBe(4);
    expect((await ok(`/${loanId}/offer`, tokens.anne, { firstDueDate: '2025-12-05' })).body).toMatchObject({ status: 'offered' });
  });

  it('a signed offer gone stale is replaced by a new offer, signed again and disbursed', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan('signed');
    // The offer charges 3 Nov → 5 Dec (a month and 2 days): 100,000 × 4 % × (1/12 + 2/365) = 355.25 → 355 of interest.
    expect((await call('GET', `/${loanId}`, tokens.anne)).body).toMatchObject({ offer: { instalmentCents: 8_515, firstInstalmentCents: 8_182 + 355, taegAssumption: { disbursementDate: '2025-11-03', dayCount: 'annexI' } } });
    setClock('2025-12-05T10:00:00.000Z');
    const stale = await call('POST', `/${loanId}/disburse`, tokens.anne, {});
    expect([stale.status, stale.body.code]).toEqual([409, 'OFFER_SCHEDULE_STALE']);
    const reissued = await ok(`/${loanId}/offer`, tokens.anne, { firstDueDate: '2026-01-10' });
    expect((reissued.body.events as Array<{ type: string }>).map((event) => event.type)).toEqual(['LoanOfferWithdrawn', 'LoanOfferIssued']);
    await ok(`/${loanId}/sign`, tokens.anne, { socialWorkerPresent: false });
    expect((await ok(`/${loanId}/disburse`, tokens.anne, {})).body).toMatchObject({ status: 'repaying' });
  });

  it('an offer is withdrawn once when asked five times at once; the others answer 409 OFFER_NOT_ISSUED', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan('signed');
    const before = await eventCount(loanId);
    const replies = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/${loanId}/offer-withdrawals`, tokens.anne, { reasonCode: 'BORROWER_CHANGED_PLAN' })));
    expect(tally(replies)).toEqual({ 200: 1, 409: 4 });
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'OFFER_NOT_ISSUED')).toBe(true);
    expect(await eventCount(loanId)).toBe(before + 1);
    expect((await call('GET', `/${loanId}`, tokens.anne)).body).toMatchObject({ status: 'approved' });
  });

  it('a request is withdrawn by its requester, declined or approved by another, and a decided one answers 409 with how it ended', async () => {
    setClock('2025-11-03T10:00:00.000Z');
    const loanId = await parcoursLoan();
    const asked = String((await ok(`/${loanId}/rescheduling-requests`, tokens.anne, { kind: 'holiday', months: 1 })).body.requestId);
    const selfDecline = await call('POST', `/${loanId}/rescheduling-requests/${asked}/decline`, tokens.anne, { reasonCode: 'CHANGED_MY_MIND' });
    expect([selfDecline.status, selfDecline.body.code]).toEqual([403, 'FOUR_EYES_REQUIRED']);
    const notMine = await call('POST', `/${loanId}/rescheduling-requests/${asked}/withdraw`, tokens.bruno, {});
    expect([notMine.status, notMine.body.code]).toEqual([403, 'NOT_THE_REQUESTER']);
    const withdrawals = await Promise.all(Array.from({ length: 3 }, () => call('POST', `/${loanId}/rescheduling-requests/${asked}/withdraw`, tokens.anne, {})));
    expect(tally(withdrawals)).toEqual({ 200: 1, 409: 2 });
    expect(withdrawals.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'REQUEST_ALREADY_WITHDRAWN' && reply.body.field === 'requestId')).toBe(true);
    const second = String((await ok(`/${loanId}/rescheduling-requests`, tokens.anne, { kind: 'holiday', months: 1 })).body.requestId);
    const approvals = await Promise.all(Array.from({ length: 3 }, () => call('POST', `/${loanId}/rescheduling-requests/${second}/approve`, tokens.bruno, {})));
    expect(tally(approvals)).toEqual({ 200: 1, 409: 2 });
    expect(approvals.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'REQUEST_ALREADY_APPROVED')).toBe(true);
  });
});

async function receiveAgain(loanId: string): Promise<Reply> {
  const history = await call('GET', `/${loanId}/history`, tokens.anne);
  const first = (history.body.events as Array<{ data: { applicationId: string } }>)[0];
  return call('POST', '/applications', tokens.rita, { applicationId: first.data.applicationId, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 100_000, requestedTermMonths: 12 });
}
