import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { applicationTransmittedV1, createEnvelope } from '@tremplin/contracts';
import { headersOf } from '@tremplin/messaging';
import { eventually, startServiceHarness, type Reply, type ServiceHarness } from '@tremplin/testing';
import { loanIdOf } from './loan/loan.handler';
import { lendingService } from './service';

// The whole slice on real PostgreSQL and Kafka: an application transmitted on Kafka becomes a loan that is
// approved, offered, signed, disbursed, misses an instalment, gets a payment holiday (four eyes) and is repaid.
// The service's clock is driven by the test so months pass in seconds; everything else is the production path.

const TENANT = 'ccas-tarbes';
const APPLICATION = `app-${randomUUID().slice(0, 8)}`;

let now = new Date('2025-11-03T09:00:00.000Z');
const setClock = (instant: string) => (now = new Date(instant));

let h: ServiceHarness;
const tokens: Record<'anne' | 'bruno' | 'sophie' | 'admin' | 'auditor', string> = { anne: '', bruno: '', sophie: '', admin: '', auditor: '' };

const call = (method: 'GET' | 'POST', path: string, token: string, options: { body?: unknown; key?: string } = {}) => h.call(method, path, { token, ...options });

async function command(path: string, token: string, at: string, body: unknown = {}, key?: string): Promise<Reply> {
  setClock(at);
  const reply = await call('POST', `/tenants/${TENANT}/loans${path}`, token, { body, ...(key ? { key } : {}) });
  if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

const asOwner = <T>(fn: (client: Client) => Promise<T>) => h.asTenant(TENANT, fn);
const summaryRows = () =>
  asOwner(async (client) => (await client.query(`SELECT * FROM lending.loan_summary ORDER BY tenant_id, loan_id`)).rows);

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'lending',
    service: lendingService({ clock: () => new Date(now) }),
    tenant: TENANT,
    observe: ['lending.loan'],
    env: {
      // Lending runs alone here (no guarantee fund answers), so the disbursement gate is off; the gate has its own
      // spec (guarantee-gate/) and the e2e journeys run it with the fund.
      DISBURSEMENT_REQUIRES_GUARANTEE: 'false',
      // A quarter past @tremplin/finance's table, as an operator configures it from the Banque de France notice
      // (fixture values; the test's clock reaches June 2026).
      USURY_CAP_TABLES: JSON.stringify([{ effectiveFrom: '2026-04-01', effectiveUntil: '2026-06-30', caps: { upTo3000: 2_350, from3000To6000: 1_580, over6000: 870 } }]),
    },
  });
  tokens.anne = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
  tokens.bruno = await h.token({ role: 'bankAdvisor', userId: 'bank-bruno', organisationId: 'bank-parcours', organisationKind: 'bank' });
  tokens.sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas' });
  tokens.auditor = await h.token({ role: 'auditor', userId: 'audit-alice', organisationId: 'audit-firm', organisationKind: 'auditor' });
  tokens.admin = await h.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
});

afterAll(async () => {
  await h?.close();
});

describe('the life of a loan, from Kafka to repayment', () => {
  const loanId = loanIdOf(TENANT, APPLICATION);
  const loan = (suffix = '') => `/${loanId}${suffix}`;
  let lastVersion = 0;

  it('turns an intake.application-transmitted.v1 message into a loan in the read model', async () => {
    const producer = await h.transport.producer();
    const envelope = createEnvelope(
      applicationTransmittedV1,
      {
        tenantId: TENANT,
        applicationId: APPLICATION,
        beneficiaryId: 'ben-7f3a',
        bankPartnerId: 'bank-parcours',
        product: 'classic',
        purposeCategory: 'mobility',
        requestedAmountCents: 60_000,
        requestedTermMonths: 6,
        transmittedAt: '2025-11-03T08:30:00.000Z',
        commissionDecisionId: 'commission-2025-11',
      },
      { messageId: randomUUID(), occurredAt: '2025-11-03T08:30:00.000Z', correlationId: `corr-${APPLICATION}` },
    );
    await producer.send([{ topic: h.topic('intake.application'), key: APPLICATION, value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
    await producer.close();

    const listed = await eventually('the loan in the read model', async () => {
      const reply = await call('GET', `/tenants/${TENANT}/loans`, tokens.sophie);
      return (reply.body.loans as Array<Record<string, unknown>>).find((row) => row.loanId === loanId);
      // Generous: a fresh single broker can take a while to settle its first consumer groups on a busy machine.
    }, 45_000);
    expect(listed).toMatchObject({ applicationId: APPLICATION, status: 'applicationReceived', product: 'classic', amountCents: 60_000, bankPartnerId: 'bank-parcours' });
  });

  it('approves once per Idempotency-Key, refuses the key reused for another body and unknown fields', async () => {
    const body = { amountCents: 60_000, termMonths: 6, nominalRateBps: 300 };
    const first = await command(loan('/approve'), tokens.anne, '2025-11-03T10:00:00.000Z', body, 'approve-1');
    expect(first.body).toMatchObject({ loanId, status: 'approved', streamVersion: 2 });
    const replay = await call('POST', `/tenants/${TENANT}/loans${loan('/approve')}`, tokens.anne, { body, key: 'approve-1' });
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual(first.body);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    const reused = await call('POST', `/tenants/${TENANT}/loans${loan('/approve')}`, tokens.anne, { body: { ...body, nominalRateBps: 250 }, key: 'approve-1' });
    expect(reused.status).toBe(422);
    expect(reused.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED', field: 'idempotency-key' });
    const elsewhere = await call('POST', `/tenants/${TENANT}/loans${loan('/refuse')}`, tokens.anne, { body: { reasonCode: 'BANK_POLICY', reasonCategory: 'bankPolicy' }, key: 'approve-1' });
    expect(elsewhere.status).toBe(422);
    expect(elsewhere.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const smuggled = await call('POST', `/tenants/${TENANT}/loans${loan('/offer')}`, tokens.anne, { body: { firstDueDate: '2025-12-05', taegBps: 1 } });
    expect(smuggled.status).toBe(400);
    expect(smuggled.body).toMatchObject({ code: 'VALIDATION_FAILED', field: 'taegBps' });
    const refused = await call('POST', `/tenants/${TENANT}/loans${loan('/disburse')}`, tokens.anne, { body: {} });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'OFFER_NOT_ISSUED' });
    const history = await call('GET', `/tenants/${TENANT}/loans${loan('/history')}`, tokens.anne);
    expect((history.body.events as unknown[]).length).toBe(2);
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS while the same key is being processed', async () => {
    const holder = new Client({ connectionString: h.db.appUrl });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      // The lock the service takes for (tenant, route, key) while it runs the command.
      await holder.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 11))`, [`${TENANT}\u001foffer-1`]);
      const busy = await call('POST', `/tenants/${TENANT}/loans${loan('/offer')}`, tokens.anne, { body: { firstDueDate: '2025-12-05' }, key: 'offer-1' });
      expect(busy.status).toBe(409);
      expect(busy.body).toMatchObject({ code: 'IDEMPOTENCY_IN_PROGRESS' });
    } finally {
      await holder.query('ROLLBACK');
      await holder.end();
    }
  });

  it('offers, signs with the social worker present, and disburses', async () => {
    const offered = await command(loan('/offer'), tokens.anne, '2025-11-03T10:30:00.000Z', { firstDueDate: '2025-12-05' }, 'offer-1');
    expect(offered.body).toMatchObject({ status: 'offered', events: [{ type: 'LoanOfferIssued' }] });
    await command(loan('/sign'), tokens.anne, '2025-11-04T14:00:00.000Z', { socialWorkerPresent: true, socialWorkerId: 'sw-sophie' });
    const disbursed = await command(loan('/disburse'), tokens.anne, '2025-11-05T09:00:00.000Z');
    expect(disbursed.body).toMatchObject({ status: 'repaying' });
    const state = await call('GET', `/tenants/${TENANT}/loans${loan()}`, tokens.sophie);
    expect(state.body).toMatchObject({ status: 'repaying', offer: { taegBps: 304, usuryCapBps: 2_349, productVersion: 0, instalmentCents: 10_088, endDate: '2026-05-05' } });
  });

  it('records a missed instalment, the late payment, and a payment holiday asked by one advisor and approved by another', async () => {
    const missed = await command(loan('/missed-instalments'), tokens.anne, '2025-12-10T09:00:00.000Z', { instalmentNumber: 1 });
    expect(missed.body).toMatchObject({ events: [{ type: 'InstalmentMissed' }] });
    await command(loan('/contacts'), tokens.anne, '2025-12-11T09:00:00.000Z', { channel: 'phone', outcome: 'promiseToPay' });
    await command(loan('/payments'), tokens.anne, '2025-12-12T09:00:00.000Z', { amountCents: 10_088, paidOn: '2025-12-12' });

    const asked = await command(loan('/rescheduling-requests'), tokens.anne, '2025-12-20T09:00:00.000Z', { kind: 'holiday', months: 1 });
    const requestId = asked.body.requestId as string;
    setClock('2025-12-21T09:00:00.000Z');
    const sameEyes = await call('POST', `/tenants/${TENANT}/loans${loan(`/rescheduling-requests/${requestId}/approve`)}`, tokens.anne, { body: {} });
    expect(sameEyes.status).toBe(403);
    expect(sameEyes.body).toMatchObject({ code: 'FOUR_EYES_REQUIRED', field: 'requestId' });
    const socialWorker = await call('POST', `/tenants/${TENANT}/loans${loan(`/rescheduling-requests/${requestId}/approve`)}`, tokens.sophie, { body: {} });
    expect(socialWorker.status).toBe(403);
    const granted = await command(loan(`/rescheduling-requests/${requestId}/approve`), tokens.bruno, '2025-12-21T09:00:00.000Z');
    expect(granted.body).toMatchObject({ events: [{ type: 'PaymentHolidayGranted' }] });
  });

  it('is repaid by paying the rescheduled instalments on their due dates', async () => {
    const schedule = await call('GET', `/tenants/${TENANT}/loans${loan('/schedule')}`, tokens.anne);
    const upcoming = (schedule.body.lines as Array<{ number: number; dueDate: string; instalment: number; state: string }>).filter((line) => line.state === 'upcoming');
    expect(upcoming.map((line) => line.dueDate)).toEqual(['2026-02-05', '2026-03-05', '2026-04-05', '2026-05-05', '2026-06-05']);
    let last: Reply | undefined;
    for (const line of upcoming) last = await command(loan('/payments'), tokens.anne, `${line.dueDate}T08:00:00.000Z`, { amountCents: line.instalment, paidOn: line.dueDate }, `pay-${line.number}`);
    expect(last!.body).toMatchObject({ status: 'repaid', events: [{ type: 'InstalmentPaid' }, { type: 'LoanRepaid' }] });
    lastVersion = last!.body.streamVersion as number;
    const refused = await call('POST', `/tenants/${TENANT}/loans${loan('/rescheduling-requests')}`, tokens.anne, { body: { kind: 'holiday', months: 1 } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'LOAN_REPAID' });
  });

  it('published the integration events of the loan on Kafka, in order, with ids and facts only', async () => {
    const paid = 'lending.instalment-paid.v1';
    const expected = [
      'lending.loan-application-received.v1',
      'lending.loan-approved.v1',
      'lending.offer-signed.v1',
      'lending.loan-disbursed.v1',
      'lending.instalment-missed.v1',
      // The advisor's call to the borrower: the accompaniment service's escalation moves on from it.
      'lending.borrower-contacted.v1',
      paid,
      'lending.loan-rescheduled.v1',
      paid,
      paid,
      paid,
      paid,
      paid,
      'lending.loan-repaid.v1',
    ];
    const all = await eventually('the integration events', async () => {
      const found = h.published.filter((envelope) => envelope.payload.loanId === loanId);
      return found.length >= expected.length ? found : undefined;
    }, 45_000);
    expect(all.map((envelope) => envelope.name)).toEqual(expected);
    // Each payment carries the principal left: the last one leaves none.
    expect(all.filter((envelope) => envelope.name === paid).at(-1)!.payload).toMatchObject({ outstandingPrincipalCents: 0 });
    const mine = all.filter((envelope) => envelope.name !== paid);
    expect(mine.map((envelope) => envelope.payload)).toEqual([
      expect.objectContaining({ applicationId: APPLICATION, requestedAmountCents: 60_000, requestedTermMonths: 6, bankPartnerId: 'bank-parcours' }),
      expect.objectContaining({ approvedAmountCents: 60_000, termMonths: 6, nominalRateBps: 300, taegBps: 304 }),
      expect.objectContaining({ bankPartnerId: 'bank-parcours', product: 'classic', amountCents: 60_000, termMonths: 6, guarantorKind: 'fcs', guaranteedShareBps: 5_000 }),
      expect.objectContaining({ amountCents: 60_000, termMonths: 6, product: 'classic', guarantorKind: 'fcs', guaranteedShareBps: 5_000, firstDueDate: '2025-12-05' }),
      expect.objectContaining({ instalmentNumber: 1, dueDate: '2025-12-05', unpaidCount: 1, daysPastDue: 5, arrearsCents: 10_088 }),
      // Codes only: what the borrower said stays with the bank.
      { tenantId: TENANT, loanId, applicationId: APPLICATION, channel: 'phone', outcome: 'promiseToPay', daysPastDue: 6, contactedAt: '2025-12-11T09:00:00.000Z' },
      expect.objectContaining({ kind: 'holiday', newEndDate: '2026-06-05', newInstalmentCents: 10_088 }),
      // 600 € at 3 % over 6 months: 5.25 € of interest in all; instalment 1 was late.
      expect.objectContaining({ interestPaidTotalCents: 525, everLate: true }),
    ]);
    expect(mine.every((envelope) => envelope.tenantId === TENANT && !('beneficiaryId' in envelope.payload))).toBe(true);
    expect(mine[0].correlationId).toBe(`corr-${APPLICATION}`);
  });

  it('tells the full history: every event with its actor and time', async () => {
    const reply = await call('GET', `/tenants/${TENANT}/loans${loan('/history')}`, tokens.auditor);
    const events = reply.body.events as Array<{ type: string; occurredAt: string; actor: { userId: string | null; role: string | null }; streamVersion: number }>;
    expect(events.map((event) => event.type)).toEqual([
      'LoanApplicationReceived',
      'LoanApproved',
      'LoanOfferIssued',
      'LoanOfferSigned',
      'FundsDisbursed',
      'InstalmentMissed',
      'BorrowerContacted',
      'InstalmentPaid',
      'ReschedulingRequested',
      'PaymentHolidayGranted',
      'InstalmentPaid',
      'InstalmentPaid',
      'InstalmentPaid',
      'InstalmentPaid',
      'InstalmentPaid',
      'LoanRepaid',
    ]);
    expect(events[events.length - 1].streamVersion).toBe(lastVersion);
    expect(events[0]).toMatchObject({ occurredAt: '2025-11-03T09:00:00.000Z', actor: { userId: null } });
    expect(events[1]).toMatchObject({ occurredAt: '2025-11-03T10:00:00.000Z', actor: { userId: 'bank-anne', role: 'bankAdvisor' } });
    expect(events[8]).toMatchObject({ type: 'ReschedulingRequested', actor: { userId: 'bank-anne' } });
    expect(events[9]).toMatchObject({ type: 'PaymentHolidayGranted', occurredAt: '2025-12-21T09:00:00.000Z', actor: { userId: 'bank-bruno', role: 'bankAdvisor' } });
  });

  it('shows the loan as it stood at any date', async () => {
    const approvedOnly = await call('GET', `/tenants/${TENANT}/loans${loan()}?asOf=2025-11-03T10:15:00Z`, tokens.auditor);
    expect(approvedOnly.body).toMatchObject({ status: 'approved', streamVersion: 2, terms: { amountCents: 60_000, indicativeTaegBps: 304 } });
    const late = await call('GET', `/tenants/${TENANT}/loans${loan()}?asOf=2025-12-11`, tokens.auditor);
    expect(late.body).toMatchObject({ status: 'repaying', figuresOn: '2025-12-11', figures: { arrearsCents: 10_088, unpaidInstalments: 1, daysPastDue: 6, outstandingPrincipalCents: 60_000 } });
    const onHoliday = await call('GET', `/tenants/${TENANT}/loans${loan('/schedule')}?asOf=2026-01-10`, tokens.auditor);
    expect((onHoliday.body.lines as Array<{ dueDate: string; state: string }>).slice(0, 3)).toEqual([
      expect.objectContaining({ dueDate: '2025-12-05', state: 'paid' }),
      expect.objectContaining({ dueDate: '2026-02-05', state: 'upcoming' }),
      expect.objectContaining({ dueDate: '2026-03-05', state: 'upcoming' }),
    ]);
    const before = await call('GET', `/tenants/${TENANT}/loans${loan()}?asOf=2025-11-01`, tokens.auditor);
    expect(before.status).toBe(404);
    const nowState = await call('GET', `/tenants/${TENANT}/loans${loan()}`, tokens.auditor);
    expect(nowState.body).toMatchObject({ status: 'repaid', repaidOn: '2026-06-05', figures: { outstandingPrincipalCents: 0, arrearsCents: 0, interestPaidCents: 525 } });
  });

  it('rebuilds the read model from the events into exactly the live one, and keeps projecting afterwards', async () => {
    const live = await eventually('the live projection to catch up', async () => {
      const rows = await summaryRows();
      return rows.find((row) => row.loan_id === loanId)?.stream_version === lastVersion ? rows : undefined;
    });
    expect(live.find((row) => row.loan_id === loanId)).toMatchObject({ status: 'repaid', outstanding_principal_cents: '0', interest_paid_cents: '525' });
    await asOwner((client) => client.query(`UPDATE lending.loan_summary SET status = 'tampered', outstanding_principal_cents = 1`));

    const rebuilt = await call('POST', '/platform/projections/loan-summary/rebuild', tokens.admin);
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.body).toMatchObject({ loans: 1, events: lastVersion, tenants: 1 });
    expect(await summaryRows()).toEqual(live);

    // The operator's CLI does the same, printing its progress.
    const cli = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'rebuild.cli.ts')], { env: { ...process.env, DATABASE_URL: h.db.appUrl } });
    expect(JSON.parse(cli.stdout)).toMatchObject({ events: lastVersion, loans: 1, tenants: 1 });
    expect(cli.stderr).toContain(`loan_summary replaying: ${lastVersion}/${lastVersion} events (100%), 1 loans`);
    expect(await summaryRows()).toEqual(live);

    // The live subscriber resumes from the rebuilt checkpoint: a file received by the bank's route shows up.
    const other = await command('/applications', tokens.anne, '2026-06-10T09:00:00.000Z', {
      applicationId: `${APPLICATION}-b`,
      product: 'autonomyHealth',
      purposeCategory: 'healthEquipment',
      requestedAmountCents: 150_000,
      requestedTermMonths: 24,
    });
    expect(other.status).toBe(201);
    expect(other.body.loanId).toBe(loanIdOf(TENANT, `${APPLICATION}-b`));
    const rows = await eventually('the second loan in the read model', async () => {
      const reply = await call('GET', `/tenants/${TENANT}/loans`, tokens.anne);
      const loans = reply.body.loans as Array<{ loanId: string; status: string }>;
      return loans.length === 2 ? loans : undefined;
    });
    expect(rows.map((row) => row.status).sort()).toEqual(['applicationReceived', 'repaid']);
  });

  it('applies a CCAS decision on its products to the offers made after it', async () => {
    const secondLoan = loanIdOf(TENANT, `${APPLICATION}-b`);
    await command(`/${secondLoan}/approve`, tokens.anne, '2026-06-10T10:00:00.000Z', { amountCents: 150_000, termMonths: 24, nominalRateBps: 250 });
    setClock('2026-06-11T09:00:00.000Z');
    const director = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas' });
    const catalogue = await call('GET', `/tenants/${TENANT}/products`, tokens.anne);
    const health = (catalogue.body.products as Array<{ current: { product: string; terms: Record<string, unknown> } }>).find((entry) => entry.current.product === 'autonomyHealth')!;
    const decision = { terms: { ...health.current.terms, maxAmountCents: 120_000 }, decisionReference: 'CA-2026-06-11-4' };
    expect((await call('POST', `/tenants/${TENANT}/products/autonomyHealth/versions`, tokens.anne, { body: decision })).status).toBe(403);
    const tooHigh = await call('POST', `/tenants/${TENANT}/products/autonomyHealth/versions`, director, { body: { ...decision, terms: { ...decision.terms, maxAmountCents: 900_000 } } });
    expect(tooHigh.status).toBe(400);
    expect(tooHigh.body).toMatchObject({ code: 'ABOVE_LEGAL_CEILING', field: 'terms.maxAmountCents' });
    const recorded = await call('POST', `/tenants/${TENANT}/products/autonomyHealth/versions`, director, { body: decision });
    expect(recorded.status).toBe(201);
    expect(recorded.body).toMatchObject({ product: 'autonomyHealth', version: 1 });

    setClock('2026-06-12T09:00:00.000Z');
    const refused = await call('POST', `/tenants/${TENANT}/loans/${secondLoan}/offer`, tokens.anne, { body: { firstDueDate: '2026-07-10' } });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'AMOUNT_OUTSIDE_PRODUCT', field: 'amountCents' });
    const afterCatalogue = await call('GET', `/tenants/${TENANT}/products`, tokens.anne);
    expect((afterCatalogue.body.products as Array<{ current: { product: string; version: number } }>).find((entry) => entry.current.product === 'autonomyHealth')!.current.version).toBe(1);
  });

  it('serves its OpenAPI document and an open health check', async () => {
    const docs = await fetch(`${h.app.url}/docs/json`);
    const paths = Object.keys(((await docs.json()) as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(expect.arrayContaining(['/tenants/{tenantId}/loans/{loanId}/payments', '/tenants/{tenantId}/loans/{loanId}/history', '/tenants/{tenantId}/products/{product}/versions']));
    expect((await fetch(`${h.app.url}/health/live`)).status).toBe(200);
  });

  it('keeps another tenant out: its token sees no loan and cannot reach this tenant', async () => {
    const laval = await h.token({ role: 'bankAdvisor', tenants: ['ccas-laval'], userId: 'bank-lea', organisationId: 'bank-parcours', organisationKind: 'bank' });
    expect((await call('GET', `/tenants/${TENANT}/loans`, laval)).status).toBe(404);
    const own = await call('GET', '/tenants/ccas-laval/loans', laval);
    expect(own.body.loans).toEqual([]);
    expect((await call('GET', `/tenants/ccas-laval/loans/${loanId}`, laval)).status).toBe(404);
  });
});
