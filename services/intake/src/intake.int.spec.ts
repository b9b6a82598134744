import { randomBytes, randomUUID } from 'node:crypto';
import { applicationTransmittedV1, contractRegistry, createEnvelope, loanApprovedV1, loanRefusedV1, loanRepaidV1, productTermsChangedV1 } from '@tremplin/contracts';
import { headersOf } from '@tremplin/messaging';
import { eventually, startServiceHarness, tally, type Reply, type ServiceHarness } from '@tremplin/testing';
import { intakeService } from './service';

// The intake service on real PostgreSQL and Kafka, through HTTP. Lending's answers are published on its topic as
// lending would (services never import each other). Each `it` registers its own person, so any runs alone.

const TENANT = 'ccas-laval';
const NOW = '2026-03-10T09:00:00.000Z';
// The service's clock: fixed at NOW, moved only by the retention test (and put back).
let clockNow = NOW;

let h: ServiceHarness;
const tokens = { sophie: '', marc: '', claire: '', director: '', auditor: '', bank: '', otherDirector: '', admin: '' };

// The service's logs: pino writes to process.stdout (under jest, pino sees a patched stdout and writes to it), kept here
// to be searched for personal data.
const logs: string[] = [];
const originalStdoutWrite = process.stdout.write.bind(process.stdout);

const call = (method: 'GET' | 'POST', path: string, token: string, options: { body?: unknown; key?: string } = {}) => h.call(method, `/tenants/${TENANT}${path}`, { token, ...options });
const post = (path: string, body: unknown, token = tokens.sophie, key?: string) => call('POST', path, token, { body, ...(key ? { key } : {}) });
const get = (path: string, token = tokens.sophie) => call('GET', path, token);

const person = (canary = '') => ({
  identity: { firstName: `Amina${canary}`, lastName: `Benali${canary}`, birthDate: '1988-04-12' },
  contact: { phone: '+33 6 12 34 56 78', email: `amina${canary.toLowerCase()}@example.org`, address: `12 rue des Lilas ${canary}, Laval` },
  situation: { employment: 'employed', housing: 'socialHousing', incomeSources: ['salary', 'familyBenefits'], details: `part-time at the bakery ${canary}` },
  household: { personsAged14OrMore: 2, childrenUnder14: 1 },
});
const register = async (body: unknown = person()) => {
  const reply = await post('/beneficiaries', body);
  expect(reply.status).toBe(201);
  return reply.body.beneficiaryId as string;
};
const openFile = async (beneficiaryId: string, extra: Record<string, unknown> = {}, token = tokens.sophie) => {
  const reply = await post('/applications', { beneficiaryId, product: 'classic', purposeCategory: 'mobility', project: { description: 'a used car to reach the night shift' }, requestedAmountCents: 180_000, requestedTermMonths: 24, ...extra }, token);
  expect(reply.status).toBe(201);
  return reply.body.applicationId as string;
};
const budgetBody = {
  household: { personsAged14OrMore: 2, childrenUnder14: 1 },
  incomes: [
    { kind: 'salary', amountCents: 150_000 },
    { kind: 'familyBenefits', amountCents: 20_000 },
  ],
  charges: [
    { kind: 'rent', amountCents: 60_000 },
    { kind: 'energy', amountCents: 15_000 },
    { kind: 'insurance', amountCents: 5_000 },
  ],
  debtsOutstandingCents: 0,
  overdraftCents: 0,
  expectedInstalmentCents: 8_500,
};
const prepare = async (applicationId: string) => {
  expect((await post(`/applications/${applicationId}/appointments`, { heldOn: '2026-03-02', durationMinutes: 90, topics: ['situation', 'project'] })).status).toBe(201);
  expect((await post(`/applications/${applicationId}/budget`, budgetBody)).status).toBe(200);
  expect((await post(`/applications/${applicationId}/needs`, { level: 'checkIns', kinds: ['budget'] })).status).toBe(200);
};
const toCommission = async (applicationId: string) => {
  await prepare(applicationId);
  expect((await post(`/applications/${applicationId}/submit`, {})).status).toBe(200);
};
const eventsIn = (streamId: string) =>
  h.asTenant(TENANT, async (client) => Number((await client.query(`SELECT count(*) AS n FROM es.events WHERE tenant_id = $1 AND stream_id = $2`, [TENANT, streamId])).rows[0].n));
const rowCounts = () =>
  h.asTenant(TENANT, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of ['es.events', 'messaging.outbox', 'intake.file_list', 'privacy.person_keys', 'commands.idempotency_keys']) counts[table] = Number((await client.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n);
    return counts;
  });
const listed = async (applicationId: string) => ((await get('/applications', tokens.sophie)).body.files as Array<Record<string, unknown>>).find((row) => row.applicationId === applicationId);

const publishLending = async (contract: typeof loanApprovedV1 | typeof loanRefusedV1 | typeof loanRepaidV1 | typeof productTermsChangedV1, payload: Record<string, unknown>) => {
  const producer = await h.transport.producer();
  const envelope = createEnvelope(contract as typeof loanRefusedV1, payload as never, { messageId: randomUUID(), occurredAt: NOW, correlationId: `corr-${randomUUID()}` });
  await producer.send([{ topic: h.topic('lending.loan'), key: String(payload.loanId ?? payload.product), value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  await producer.close();
};

beforeAll(async () => {
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    logs.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const done = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    done?.();
    return true;
  }) as typeof process.stdout.write;
  h = await startServiceHarness({
    name: 'intake',
    service: intakeService({ clock: () => new Date(clockNow) }),
    tenant: TENANT,
    // Every topic of the platform, dead-letter topics included: the canary scan reads them all.
    observe: contractRegistry.topicsToCreate().map((topic) => topic.name),
    env: { LOG_LEVEL: 'info', PRIVACY_MASTER_KEY: randomBytes(32).toString('base64'), PRIVACY_KEY_CACHE_TTL_MS: '0' },
  });
  const ccas = { organisationId: 'ccas-laval-org', organisationKind: 'ccas' };
  tokens.sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', ...ccas });
  tokens.marc = await h.token({ role: 'socialWorker', userId: 'sw-marc', ...ccas });
  tokens.claire = await h.token({ role: 'commissionMember', userId: 'com-claire', ...ccas });
  tokens.director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', ...ccas });
  tokens.auditor = await h.token({ role: 'auditor', userId: 'audit-alice', organisationId: 'audit-firm', organisationKind: 'auditor' });
  tokens.bank = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
  tokens.otherDirector = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
  tokens.admin = await h.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
});

afterAll(async () => {
  await h?.close();
  process.stdout.write = originalStdoutWrite;
});

describe('a file from the first appointment to the bank’s answer', () => {
  it('two appointments, a budget to the cent, approval by a second person, transmission, the bank refuses with a reason → the file shows it', async () => {
    const beneficiaryId = await register();
    const applicationId = await openFile(beneficiaryId);
    expect((await post(`/applications/${applicationId}/appointments`, { heldOn: '2026-02-23', durationMinutes: 90, topics: ['situation', 'bankStatements'], notes: 'brought three months of statements' })).status).toBe(201);
    expect((await post(`/applications/${applicationId}/appointments`, { heldOn: '2026-03-02', durationMinutes: 80, topics: ['budget', 'project'] }, tokens.marc)).status).toBe(201);
    expect((await post(`/applications/${applicationId}/budget`, budgetBody)).status).toBe(200);
    expect((await post(`/applications/${applicationId}/needs`, { level: 'checkIns', kinds: ['budget'] })).status).toBe(200);
    expect((await post(`/applications/${applicationId}/submit`, {})).status).toBe(200);

    const history = await get(`/applications/${applicationId}/history`);
    const budget = (history.body.events as Array<{ type: string; data: Record<string, unknown> }>).find((event) => event.type === 'BudgetAssessed')!.data;
    // 1,700 € in, 800 € of charges, 1.8 units: 500.00 € per unit before, 815 € a month and 452.77 € per unit (rounded down) after.
    expect(budget).toMatchObject({
      resteAVivre: { consumptionUnitsTenths: 18, before: { perMonth: 90_000, perConsumptionUnit: 50_000 }, after: { perMonth: 81_500, perConsumptionUnit: 45_277 } },
      incomes: budgetBody.incomes,
      charges: budgetBody.charges,
      settingsVersion: 'default-2026',
      minimumResteAVivrePerUnitCents: 30_000,
      belowMinimum: false,
    });
    // As stored, the budget's figures are sealed under the person's key: no amount of it is in clear in the event.
    const stored = await h.asTenant(TENANT, async (client) => (await client.query(`SELECT data FROM es.events WHERE tenant_id = $1 AND stream_id = $2 AND type = 'BudgetAssessed'`, [TENANT, `application-${applicationId}`])).rows[0].data);
    for (const field of ['incomes', 'charges', 'debtsOutstandingCents', 'overdraftCents', 'expectedInstalmentCents', 'resteAVivre']) expect(stored[field]).toHaveProperty('$pii');
    expect(JSON.stringify(stored)).not.toMatch(/150000|45277|81500/);

    // Four-eyes: the director held no appointment but Marc did, and Sophie opened it.
    const byBuilder = await post(`/applications/${applicationId}/commission-decision`, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }, tokens.director);
    expect(byBuilder.status).toBe(200);
    const second = await openFile(beneficiaryId, {}, tokens.director);
    await toCommission(second);
    const refusedFourEyes = await post(`/applications/${second}/commission-decision`, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }, tokens.director);
    expect([refusedFourEyes.status, refusedFourEyes.body.code, refusedFourEyes.body.field]).toEqual([403, 'FOUR_EYES_REQUIRED', 'decidedBy']);
    expect((await post(`/applications/${second}/commission-decision`, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }, tokens.sophie)).status).toBe(403);

    const transmitted = await post(`/applications/${applicationId}/transmit`, { bankPartnerId: 'bank-parcours' });
    expect(transmitted.body).toMatchObject({ status: 'transmitted' });
    const message = await eventually('intake.application-transmitted.v1 on Kafka', async () => h.published.find((e) => e.name === applicationTransmittedV1.name && e.payload.applicationId === applicationId), 45_000);
    expect(message.payload).toEqual({
      tenantId: TENANT,
      applicationId,
      beneficiaryId,
      bankPartnerId: 'bank-parcours',
      product: 'classic',
      purposeCategory: 'mobility',
      requestedAmountCents: 180_000,
      requestedTermMonths: 24,
      transmittedAt: NOW,
      commissionDecisionId: expect.any(String),
    });

    await publishLending(loanRefusedV1, { tenantId: TENANT, loanId: `loan-${applicationId.slice(0, 8)}`, applicationId, reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', refusedAt: NOW });
    const closed = await eventually('the bank’s refusal on the file', async () => {
      const row = await listed(applicationId);
      return row?.status === 'closed' ? row : undefined;
    }, 45_000);
    expect(closed).toMatchObject({ outcome: 'bankRefused', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', appointmentsHeld: 2, resteAVivreBelowMinimum: false });
    expect((await get(`/applications/${applicationId}`)).body).toMatchObject({ status: 'closed', outcome: 'bankRefused', reasonCode: 'DEBT_RATIO_TOO_HIGH' });
    const names = await eventually('the file’s contracts', async () => {
      const mine = h.published.filter((e) => e.payload.applicationId === applicationId && e.name.startsWith('intake.')).map((e) => e.name);
      return mine.includes('intake.application-closed.v1') ? mine : undefined;
    }, 45_000);
    expect(names).toEqual(['intake.application-opened.v1', 'intake.application-submitted.v1', 'intake.commission-decided.v1', 'intake.application-transmitted.v1', 'intake.application-closed.v1']);
  });

  it('a second file goes through to an approved loan; a redelivered answer changes nothing', async () => {
    const beneficiaryId = await register();
    const applicationId = await openFile(beneficiaryId);
    await toCommission(applicationId);
    expect((await post(`/applications/${applicationId}/commission-decision`, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }, tokens.claire)).status).toBe(200);
    expect((await post(`/applications/${applicationId}/transmit`, { bankPartnerId: 'bank-parcours' })).status).toBe(200);
    const answer = { tenantId: TENANT, loanId: `loan-${applicationId.slice(0, 8)}`, applicationId, bankPartnerId: 'bank-parcours', product: 'classic', approvedAmountCents: 180_000, termMonths: 24, nominalRateBps: 300, taegBps: 304, approvedAt: NOW };
    await publishLending(loanApprovedV1, answer);
    await publishLending(loanApprovedV1, answer);
    const closed = await eventually('the approved loan on the file', async () => {
      const row = await listed(applicationId);
      return row?.status === 'closed' ? row : undefined;
    }, 45_000);
    expect(closed).toMatchObject({ outcome: 'loanApproved', loanId: answer.loanId, reasonCode: null });
    expect(await eventsIn(`application-${applicationId}`)).toBe(8);
    // A file tied to a granted loan is kept: erasure is refused, and says why.
    const erase = await post(`/beneficiaries/${beneficiaryId}/erasure`, {}, tokens.director);
    expect([erase.status, erase.body.code]).toEqual([409, 'ERASURE_BLOCKED_BY_LIVE_LOAN']);
    // Once lending says the loan is repaid, the file no longer holds the person back.
    await publishLending(loanRepaidV1, { tenantId: TENANT, loanId: answer.loanId, applicationId, interestPaidTotalCents: 5_400, everLate: false, repaidAt: '2028-03-10T00:00:00.000Z' });
    const erased = await eventually('erasure once the loan ended', async () => {
      const reply = await post(`/beneficiaries/${beneficiaryId}/erasure`, {}, tokens.director);
      return reply.status === 200 ? reply : undefined;
    }, 45_000);
    expect(erased.body).toMatchObject({ status: 'erased' });
    expect(await eventsIn(`application-${applicationId}`)).toBe(9);
  });

  it('refused at the commission: closed with its reason; withdrawn: closed for the person', async () => {
    const beneficiaryId = await register();
    const refused = await openFile(beneficiaryId);
    await toCommission(refused);
    const decision = await post(`/applications/${refused}/commission-decision`, { decision: 'refused', reasonCode: 'INSUFFICIENT_RESTE_A_VIVRE' }, tokens.claire);
    expect(decision.body).toMatchObject({ status: 'closed', outcome: 'commissionRefused', reasonCode: 'INSUFFICIENT_RESTE_A_VIVRE' });
    const withdrawn = await openFile(beneficiaryId);
    expect((await post(`/applications/${withdrawn}/withdraw`, { reasonCode: 'PERSON_FOUND_OTHER_SOLUTION' })).body).toMatchObject({ status: 'withdrawn' });
    const again = await post(`/applications/${withdrawn}/withdraw`, { reasonCode: 'PERSON_FOUND_OTHER_SOLUTION' });
    expect([again.status, again.body.code]).toEqual([409, 'FILE_CLOSED']);
    // The social worker's own list: Sophie opened both, Marc none of them.
    await eventually('both files in the list', async () => ((await listed(withdrawn))?.status === 'withdrawn' ? true : undefined));
    const mine = (token: string) => get('/applications?mine=true', token).then((reply) => (reply.body.files as Array<{ applicationId: string }>).map((row) => row.applicationId));
    expect(await mine(tokens.sophie)).toEqual(expect.arrayContaining([refused, withdrawn]));
    expect(await mine(tokens.marc)).not.toContain(refused);
    // As of an instant before it existed, the file's history is empty.
    expect((await get(`/applications/${refused}/history?asOf=2020-01-01T00:00:00Z`)).body).toMatchObject({ status: 'none', events: [] });
  });
});

describe('eligibility against lending’s product versions', () => {
  it('refuses the check until lending publishes a version, then records the file against the version in force', async () => {
    const beneficiaryId = await register();
    const applicationId = await openFile(beneficiaryId, { product: 'autonomyHealth', purposeCategory: 'healthEquipment', autonomyHealthNeeds: [{ category: 'hearingAid', amountCents: 180_000 }] });
    const unknown = await post(`/applications/${applicationId}/eligibility-check`, {});
    expect([unknown.status, unknown.body.code, unknown.body.field]).toEqual([409, 'PRODUCT_VERSION_UNKNOWN', 'product']);
    const version = { tenantId: TENANT, product: 'autonomyHealth', minAmountCents: 30_000, maxAmountCents: 150_000, exceptionMaxAmountCents: 200_000, minTermMonths: 6, maxTermMonths: 48, accompaniment: 'offered', guarantorKind: 'fcs', guaranteedShareBps: 5_000, maxNominalRateBps: 400 };
    await publishLending(productTermsChangedV1, { ...version, version: 1, effectiveFrom: '2026-01-01T00:00:00.000Z' });
    // A later version not yet in force is learned but not applied.
    await publishLending(productTermsChangedV1, { ...version, version: 2, maxAmountCents: 100_000, exceptionMaxAmountCents: 120_000, effectiveFrom: '2026-06-01T00:00:00.000Z' });
    const checked = await eventually('the version learned from lending', async () => {
      const reply = await post(`/applications/${applicationId}/eligibility-check`, {});
      return reply.status === 200 ? reply : undefined;
    }, 45_000);
    expect(checked.body).toMatchObject({ status: 'building' });
    const history = await get(`/applications/${applicationId}/history`);
    expect((history.body.events as Array<{ type: string; data: unknown }>).at(-1)).toMatchObject({
      type: 'EligibilityChecked',
      data: { product: 'autonomyHealth', productVersion: 1, eligible: true, exceptionRequired: true, reasons: [] },
    });
    const row = await eventually('the check on the file list', async () => {
      const found = await listed(applicationId);
      return found?.productVersion === 1 ? found : undefined;
    });
    expect(row).toMatchObject({ eligible: true, productVersion: 1 });
  });
});

describe('commands under load and retries', () => {
  it('answers 20 concurrent appointments and 10 concurrent submissions on one file: events recorded = successful answers', async () => {
    const applicationId = await openFile(await register());
    const appointments = await Promise.all(
      Array.from({ length: 20 }, (_, i) => post(`/applications/${applicationId}/appointments`, { heldOn: '2026-03-03', durationMinutes: 30 + i, topics: ['budget'] }, i % 2 ? tokens.marc : tokens.sophie)),
    );
    expect(tally(appointments)).toEqual({ 201: 20 });
    expect(new Set(appointments.map((reply) => reply.body.streamVersion)).size).toBe(20);
    expect(await eventsIn(`application-${applicationId}`)).toBe(21);
    expect((await post(`/applications/${applicationId}/budget`, budgetBody)).status).toBe(200);
    expect((await post(`/applications/${applicationId}/needs`, { level: 'none', kinds: [] })).status).toBe(200);
    const submissions = await Promise.all(Array.from({ length: 10 }, () => post(`/applications/${applicationId}/submit`, {})));
    expect(tally(submissions)).toEqual({ 200: 1, 409: 9 });
    expect(submissions.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'FILE_NOT_IN_PREPARATION')).toBe(true);
    expect(await eventsIn(`application-${applicationId}`)).toBe(24);
    const row = await eventually('the file in the read model', async () => {
      const found = await listed(applicationId);
      return found?.streamVersion === 24 ? found : undefined;
    });
    expect(row).toMatchObject({ status: 'submitted', appointmentsHeld: 20, accompanimentLevel: 'none' });
  });

  it('replays an Idempotency-Key (same answer, one event), refuses it for another body (422)', async () => {
    const applicationId = await openFile(await register());
    const body = { heldOn: '2026-03-04', durationMinutes: 60, topics: ['documents'] };
    const key = `rdv-${applicationId}`;
    const first = await post(`/applications/${applicationId}/appointments`, body, tokens.sophie, key);
    const replay = await post(`/applications/${applicationId}/appointments`, body, tokens.sophie, key);
    expect([first.status, replay.status, replay.headers.get('idempotent-replayed')]).toEqual([201, 201, 'true']);
    expect(replay.body).toEqual(first.body);
    expect(await eventsIn(`application-${applicationId}`)).toBe(2);
    const reused = await post(`/applications/${applicationId}/appointments`, { ...body, durationMinutes: 61 }, tokens.sophie, key);
    expect([reused.status, reused.body.code]).toEqual([422, 'IDEMPOTENCY_KEY_REUSED']);
  });
});

describe('bad input and other people’s data', () => {
  it('answers each malformed request with its status, code and field, and writes nothing', async () => {
    const beneficiaryId = await register();
    const applicationId = await openFile(beneficiaryId);
    const restructuringFile = { beneficiaryId, product: 'restructuring', purposeCategory: 'debtRestructuring', project: { description: 'consolidate' }, requestedTermMonths: 24 };
    // The read model has caught up with what this test wrote, so the counts below can only move by the requests.
    await eventually('every file in the list', () =>
      h.asTenant(TENANT, async (client) => {
        const { rows } = await client.query(`SELECT (SELECT count(DISTINCT stream_id) FROM es.events WHERE stream_id LIKE 'application-%') = (SELECT count(*) FROM intake.file_list) AS caught_up`);
        return rows[0].caught_up ? true : undefined;
      }),
    );
    const before = await rowCounts();
    const cases: Array<[string, string, unknown, number, string, string]> = [
      ['unknown field on a person', '/beneficiaries', { ...person(), nickname: 'Mina' }, 400, 'VALIDATION_FAILED', 'nickname'],
      ['birth date not a date', '/beneficiaries', { ...person(), identity: { ...person().identity, birthDate: '12/04/1988' } }, 400, 'VALIDATION_FAILED', 'identity.birthDate'],
      ['household without an adult', '/beneficiaries', { ...person(), household: { personsAged14OrMore: 0, childrenUnder14: 1 } }, 400, 'VALIDATION_FAILED', 'household.personsAged14OrMore'],
      ['email that is not one', '/beneficiaries', { ...person(), contact: { email: 'amina-at-example' } }, 400, 'VALIDATION_FAILED', 'contact.email'],
      ['consent of an unknown kind', `/beneficiaries/${beneficiaryId}/consents`, { consent: 'marketing', given: true }, 400, 'VALIDATION_FAILED', 'consent'],
      ['file for nobody', '/applications', { beneficiaryId: 'ben-nobody', product: 'classic', purposeCategory: 'mobility', project: { description: 'car' }, requestedAmountCents: 100_000, requestedTermMonths: 12 }, 404, 'BENEFICIARY_NOT_FOUND', 'beneficiaryId'],
      ['amount in euros with decimals', '/applications', { beneficiaryId, product: 'classic', purposeCategory: 'mobility', project: { description: 'car' }, requestedAmountCents: 1800.5, requestedTermMonths: 24 }, 400, 'VALIDATION_FAILED', 'requestedAmountCents'],
      ['over the legal ceiling', '/applications', { beneficiaryId, product: 'classic', purposeCategory: 'mobility', project: { description: 'car' }, requestedAmountCents: 800_001, requestedTermMonths: 24 }, 400, 'AMOUNT_INVALID', 'requestedAmountCents'],
      ['restructuring debts over the cap', '/applications', { ...restructuringFile, requestedAmountCents: 150_001, restructuring: { debts: [{ creditor: 'Cofidis', amountCents: 150_001 }], overdraftCents: 0 } }, 400, 'RESTRUCTURING_DEBT_CAP_EXCEEDED', 'restructuring.debts'],
      ['overdraft over its cap', '/applications', { ...restructuringFile, requestedAmountCents: 80_001, restructuring: { debts: [], overdraftCents: 80_001 } }, 400, 'OVERDRAFT_CAP_EXCEEDED', 'restructuring.overdraftCents'],
      ['appointment in the future', `/applications/${applicationId}/appointments`, { heldOn: '2026-03-11', durationMinutes: 60, topics: ['budget'] }, 400, 'APPOINTMENT_IN_FUTURE', 'heldOn'],
      ['appointment topic not coded', `/applications/${applicationId}/appointments`, { heldOn: '2026-03-02', durationMinutes: 60, topics: ['her health'] }, 400, 'VALIDATION_FAILED', 'topics.0'],
      ['budget line negative', `/applications/${applicationId}/budget`, { ...budgetBody, charges: [{ kind: 'rent', amountCents: -100 }] }, 400, 'VALIDATION_FAILED', 'charges.0.amountCents'],
      ['budget without an instalment', `/applications/${applicationId}/budget`, { ...budgetBody, expectedInstalmentCents: 0 }, 400, 'AMOUNT_INVALID', 'expectedInstalmentCents'],
      ['submitted before any appointment', `/applications/${applicationId}/submit`, {}, 409, 'APPOINTMENT_REQUIRED', 'appointments'],
      ['decided before submission', `/applications/${applicationId}/commission-decision`, { decision: 'approved', reasonCode: 'OK_GO' }, 409, 'FILE_NOT_SUBMITTED', 'applicationId'],
      ['reason as prose', `/applications/${applicationId}/withdraw`, { reasonCode: 'she changed her mind' }, 400, 'VALIDATION_FAILED', 'reasonCode'],
      ['transmitted before approval', `/applications/${applicationId}/transmit`, { bankPartnerId: 'bank-parcours' }, 409, 'FILE_NOT_APPROVED', 'applicationId'],
      ['path id with a space', '/applications/not%20an%20id/needs', { level: 'none', kinds: [] }, 400, 'VALIDATION_FAILED', 'applicationId'],
      ['unknown file', '/applications/app-unknown/needs', { level: 'none', kinds: [] }, 404, 'APPLICATION_NOT_FOUND', 'applicationId'],
      ['body that is not an object', `/applications/${applicationId}/needs`, ['none'], 400, 'VALIDATION_FAILED', '(body)'],
    ];
    const results: Array<[string, number, string | undefined, string | undefined]> = [];
    for (const [label, path, body, , , ] of cases) {
      const token = path.endsWith('commission-decision') ? tokens.claire : tokens.sophie;
      const reply: Reply = await post(path, body, token);
      results.push([label, reply.status, reply.body.code, reply.body.field]);
    }
    expect(results).toEqual(cases.map(([label, , , status, code, field]) => [label, status, code, field]));
    const badKey = await h.call('POST', `/tenants/${TENANT}/applications/${applicationId}/needs`, { token: tokens.sophie, body: { level: 'none', kinds: [] }, headers: { 'Idempotency-Key': 'not a key!' } });
    expect([badKey.status, badKey.body.code]).toEqual([400, 'IDEMPOTENCY_KEY_INVALID']);
    const noToken = await h.call('POST', `/tenants/${TENANT}/applications/${applicationId}/needs`, { body: { level: 'none', kinds: [] } });
    expect(noToken.status).toBe(401);
    expect(await rowCounts()).toEqual(before);
    expect(await eventsIn(`application-${applicationId}`)).toBe(1);
  });

  it('keeps out another CCAS (404) and roles without the route class (403)', async () => {
    const beneficiaryId = await register();
    const applicationId = await openFile(beneficiaryId);
    const other = (method: 'GET' | 'POST', path: string) => h.call(method, `/tenants/${TENANT}${path}`, { token: tokens.otherDirector, ...(method === 'POST' ? { body: {} } : {}) });
    expect((await other('GET', `/applications/${applicationId}`)).status).toBe(404);
    expect((await other('GET', `/beneficiaries/${beneficiaryId}/export`)).status).toBe(404);
    expect((await other('POST', `/beneficiaries/${beneficiaryId}/erasure`)).status).toBe(404);
    expect((await h.call('GET', `/tenants/ccas-tarbes/applications/${applicationId}`, { token: tokens.otherDirector })).status).toBe(404);
    expect((await get(`/applications/${applicationId}`, tokens.bank)).status).toBe(403);
    expect((await post(`/applications/${applicationId}/needs`, { level: 'none', kinds: [] }, tokens.auditor)).status).toBe(403);
    expect((await post(`/applications/${applicationId}/needs`, { level: 'none', kinds: [] }, tokens.claire)).status).toBe(403);
    expect((await post(`/beneficiaries/${beneficiaryId}/erasure`, {}, tokens.sophie)).status).toBe(403);
    expect((await get(`/applications/${applicationId}/history`, tokens.auditor)).status).toBe(200);
    expect(await eventsIn(`application-${applicationId}`)).toBe(1);
  });

  it('rebuilds the file list from the events into exactly the live one', async () => {
    const applicationId = await openFile(await register());
    await prepare(applicationId);
    const rows = () => h.asTenant(TENANT, async (client) => (await client.query('SELECT * FROM intake.file_list ORDER BY application_id')).rows);
    const live = await eventually('the projection to catch up', async () => {
      const all = await rows();
      return all.find((row) => row.application_id === applicationId)?.stream_version === 4 ? all : undefined;
    });
    await h.asTenant(TENANT, (client) => client.query(`UPDATE intake.file_list SET status = 'TAMPERED'`));
    const rebuilt = await h.call('POST', '/platform/projections/file-list/rebuild', { token: tokens.admin });
    expect(rebuilt.status).toBe(200);
    expect(await rows()).toEqual(live);
  });
});

describe('the person’s rights', () => {
  it('exports every field entered (JSON and a printable page); after erasure no canary is left in plaintext anywhere, and the history still verifies', async () => {
    const canary = `CANARY${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    const mark = (field: string) => `${canary}${field}`;
    const body = {
      identity: { firstName: mark('FN'), lastName: mark('LN'), birthDate: '1979-11-30' },
      contact: { phone: '+33 2 43 00 00 00', email: `${mark('EM').toLowerCase()}@example.org`, address: mark('ADDR') },
      situation: { employment: 'jobSeeker', housing: 'tenant', incomeSources: ['unemploymentBenefit'], details: mark('SIT') },
      household: { personsAged14OrMore: 1, childrenUnder14: 2 },
    };
    const beneficiaryId = await register(body);
    expect((await post(`/beneficiaries/${beneficiaryId}/consents`, { consent: 'dataProcessing', given: true })).status).toBe(200);
    expect((await post(`/beneficiaries/${beneficiaryId}/information-given`, { topic: 'accompaniedNature' })).status).toBe(200);
    expect((await post(`/beneficiaries/${beneficiaryId}/situation`, { contact: { address: mark('ADDR2') } })).status).toBe(200);
    const restructuring = await openFile(beneficiaryId, {
      product: 'restructuring',
      purposeCategory: 'debtRestructuring',
      project: { description: mark('PROJ') },
      requestedAmountCents: 170_000,
      restructuring: { debts: [{ creditor: mark('CRED'), amountCents: 120_000 }], overdraftCents: 50_000 },
    });
    expect((await post(`/applications/${restructuring}/appointments`, { heldOn: '2026-03-02', durationMinutes: 90, topics: ['budget'], notes: mark('NOTES') })).status).toBe(201);
    expect((await post(`/applications/${restructuring}/budget`, { ...budgetBody, household: body.household, notes: mark('BUDGET') })).status).toBe(200);
    expect((await post(`/applications/${restructuring}/needs`, { level: 'mandatory', kinds: ['budget'] })).status).toBe(200);
    const tooEarly = await post(`/beneficiaries/${beneficiaryId}/erasure`, {}, tokens.director);
    expect([tooEarly.status, tooEarly.body.code]).toEqual([409, 'ERASURE_BLOCKED_BY_FILE_IN_PROGRESS']);
    expect((await post(`/applications/${restructuring}/withdraw`, { reasonCode: 'PERSON_REQUEST' })).status).toBe(200);
    const markers = ['FN', 'LN', 'EM', 'ADDR', 'SIT', 'ADDR2', 'PROJ', 'CRED', 'NOTES', 'BUDGET'];

    await eventually('the file in the list', async () => ((await listed(restructuring))?.status === 'withdrawn' ? true : undefined));
    const exported = await get(`/beneficiaries/${beneficiaryId}/export`);
    expect(exported.status).toBe(200);
    const json = JSON.stringify(exported.body);
    for (const marker of markers) expect(json.toUpperCase()).toContain(mark(marker));
    expect(json).toContain('1979-11-30');
    expect(exported.body.files).toHaveLength(1);
    const page = await fetch(`${h.app.url}/tenants/${TENANT}/beneficiaries/${beneficiaryId}/export.html`, { headers: { authorization: `Bearer ${tokens.sophie}` } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    const html = await page.text();
    expect(html).toMatch(/^<!doctype html>/);
    for (const marker of markers) expect(html.toUpperCase()).toContain(mark(marker));

    const erased = await post(`/beneficiaries/${beneficiaryId}/erasure`, {}, tokens.director);
    expect(erased.body).toMatchObject({ status: 'erased' });
    expect((await post(`/beneficiaries/${beneficiaryId}/situation`, { contact: { address: 'anything' } })).body.code).toBe('BENEFICIARY_ERASED');

    // Every table of the intake database, every message observed on Kafka, everything the service logged.
    const hits = await h.asTenant(TENANT, async (client) => {
      const tables = (await client.query(`SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`)).rows;
      expect(tables.length).toBeGreaterThan(10);
      const found: string[] = [];
      for (const { table_schema: schema, table_name: name } of tables) {
        const { rows } = await client.query(`SELECT count(*) AS n FROM "${schema}"."${name}" t WHERE upper(t::text) LIKE $1`, [`%${canary}%`]);
        if (Number(rows[0].n) > 0) found.push(`${schema}.${name}`);
      }
      return found;
    });
    expect(hits).toEqual([]);
    // Other services shred what they sealed under the person's id when they hear it (ids only).
    const told = await eventually('intake.beneficiary-erased.v1 on Kafka', async () => h.published.find((message) => message.name === 'intake.beneficiary-erased.v1' && message.payload.beneficiaryId === beneficiaryId));
    expect(told.payload).toEqual({ tenantId: TENANT, beneficiaryId, reason: 'personRequest', erasedAt: expect.any(String) });
    expect(new Set(h.published.map((message) => message.name.split('.')[0]))).toEqual(new Set(['intake', 'lending']));
    expect(h.published.filter((message) => JSON.stringify(message).toUpperCase().includes(canary))).toEqual([]);
    expect(logs.some((line) => line.includes('request completed') && line.includes(beneficiaryId))).toBe(true);
    expect(logs.filter((line) => line.toUpperCase().includes(canary))).toEqual([]);

    const history = await get(`/applications/${restructuring}/history`, tokens.auditor);
    expect(history.body.chain).toEqual({ ok: true, checked: 5 });
    const opened = (history.body.events as Array<{ type: string; data: Record<string, unknown> }>)[0];
    expect(opened.data).toMatchObject({ project: '[erased]', restructuring: { debts: [{ creditor: '[erased]', amountCents: 120_000 }] }, requestedAmountCents: 170_000 });
    const after = await get(`/beneficiaries/${beneficiaryId}/export`);
    expect(JSON.stringify(after.body).toUpperCase()).not.toContain(canary);
    expect(after.body.records).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'BeneficiaryRegistered', data: expect.objectContaining({ identity: '[erased]', household: body.household }) })]));
  });
});

describe('the retention job, on a controlled clock', () => {
  const run = (dryRun: boolean) => post('/retention-runs', { dryRun }, tokens.director);
  const mine = (report: Reply, ids: string[]) => (report.body.shredded as Array<{ beneficiaryId: string; outcome: string; because: string }>).filter((entry) => ids.includes(entry.beneficiaryId));

  it('shreds nothing a day early, everything due on the day (each shredding an event), and a dry run only reports', async () => {
    const withdrawnPerson = await register();
    const withdrawn = await openFile(withdrawnPerson);
    expect((await post(`/applications/${withdrawn}/withdraw`, { reasonCode: 'PERSON_REQUEST' })).status).toBe(200);
    const noFile = await register();
    const inProgressPerson = await register();
    await openFile(inProgressPerson);
    await eventually('the people and files in the read models', async () => {
      const rows = await h.asTenant(TENANT, async (client) => (await client.query(`SELECT beneficiary_id FROM intake.person_list WHERE beneficiary_id = ANY($1)`, [[withdrawnPerson, noFile, inProgressPerson]])).rows);
      const file = await listed(withdrawn);
      return rows.length === 3 && file?.status === 'withdrawn' ? true : undefined;
    });
    const ids = [withdrawnPerson, noFile, inProgressPerson];
    const eventsBefore = await Promise.all(ids.map((id) => eventsIn(`beneficiary-${id}`)));
    try {
      clockNow = '2028-03-09T23:59:59.000Z';
      expect(mine(await run(true), ids)).toEqual([]);
      const early = await run(false);
      expect(early.body).toMatchObject({ today: '2028-03-09', dryRun: false });
      expect(mine(early, ids)).toEqual([]);
      expect(await Promise.all(ids.map((id) => eventsIn(`beneficiary-${id}`)))).toEqual(eventsBefore);

      clockNow = '2028-03-10T00:00:01.000Z';
      const dry = await run(true);
      expect(mine(dry, ids).map((entry) => [entry.beneficiaryId, entry.outcome]).sort()).toEqual([[withdrawnPerson, 'wouldShred'], [noFile, 'wouldShred']].sort());
      expect(await Promise.all(ids.map((id) => eventsIn(`beneficiary-${id}`)))).toEqual(eventsBefore);

      const due = await run(false);
      expect(mine(due, ids).map((entry) => [entry.beneficiaryId, entry.outcome]).sort()).toEqual([[withdrawnPerson, 'shredded'], [noFile, 'shredded']].sort());
      expect(await Promise.all(ids.map((id) => eventsIn(`beneficiary-${id}`)))).toEqual([eventsBefore[0] + 1, eventsBefore[1] + 1, eventsBefore[2]]);
      const exported = await get(`/beneficiaries/${withdrawnPerson}/export`);
      const records = exported.body.records as Array<{ type: string; data: Record<string, unknown> }>;
      expect(records[0].data).toMatchObject({ identity: '[erased]', contact: '[erased]' });
      // Recorded as the job's, in the run the director started.
      expect(records.at(-1)).toMatchObject({ type: 'BeneficiaryErased', actor: 'dir-laval', data: { reason: 'retentionExpired', erasedBy: 'retention-job' } });
      expect((await get(`/beneficiaries/${inProgressPerson}/export`)).body.records).toEqual(expect.arrayContaining([expect.objectContaining({ data: expect.objectContaining({ identity: person().identity }) })]));
    } finally {
      clockNow = NOW;
    }
  });
});
