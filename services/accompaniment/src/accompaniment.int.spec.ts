import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { applicationOpenedV1, applicationSubmittedV1, beneficiaryErasedV1, borrowerContactedV1, createEnvelope, headersOf, instalmentMissedV1, instalmentPaidV1, loanDisbursedV1, loanRepaidV1, type Contract, type PayloadSchema } from '@tremplin/contracts';
import { checkReplayEqualsLive } from '@tremplin/event-store-postgres';
import { eventually, startServiceHarness, tally, type ServiceHarness } from '@tremplin/testing';
import type { z } from 'zod';
import { accompanimentService } from './service';
import { planRowProjection } from './worklist/plan-row.projection';

// The accompaniment service on real PostgreSQL and Kafka: plans opened by lending's facts from Kafka, the escalation
// moved on by lending's facts and by HTTP commands, notes encrypted per person, accompaniment.*.v1 on Kafka, the
// worklist read model and its replay. Each test opens its own loans, so it stands alone.
const TENANT = 'ccas-laval';
let now = '2027-02-08T08:00:00.000Z';
let h: ServiceHarness;
const tokens = { sophie: '', paul: '', director: '', advisor: '', auditor: '', otherSocialWorker: '' };
const short = () => randomUUID().slice(0, 8);
const call = (method: 'GET' | 'POST', path: string, token: string, options: { body?: unknown; key?: string } = {}) => h.call(method, `/tenants/${TENANT}${path}`, { token, ...options });
const count = (sql: string, params: unknown[]) => h.asTenant(TENANT, async (client) => Number((await client.query(sql, params)).rows[0].n));

async function publish<S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>, occurredAt = now): Promise<void> {
  const producer = await h.transport.producer();
  const envelope = createEnvelope(contract, payload, { messageId: randomUUID(), occurredAt, correlationId: `corr-${short()}` });
  const keyed = payload as { loanId?: string; applicationId?: string; beneficiaryId?: string };
  const key = String(keyed.loanId ?? keyed.applicationId ?? keyed.beneficiaryId);
  await producer.send([{ topic: h.topic(contract.topic), key, value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  await producer.close();
}

const planOf = async (loanId: string) => {
  const reply = await call('GET', `/plans/${loanId}`, tokens.sophie);
  return reply.status === 200 ? reply.body : undefined;
};

/** A disbursed loan (lending's fact on Kafka), its plan defined with sophie as referent. */
async function disbursedLoan(product: 'restructuring' | 'classic' = 'restructuring', referentId = 'sw-sophie'): Promise<string> {
  const loanId = `loan-${short()}`;
  await publish(loanDisbursedV1, {
    tenantId: TENANT,
    loanId,
    applicationId: `app-${short()}`,
    amountCents: 120_000,
    termMonths: 12,
    product,
    guarantorKind: 'ccas',
    guaranteedShareBps: 5_000,
    disbursedAt: '2026-12-04T10:00:00.000Z',
    firstDueDate: '2027-01-05',
    nominalRateBps: 200,
    taegBps: 202,
  });
  await eventually('the plan opened', () => planOf(loanId));
  const defined = await call('POST', `/plans/${loanId}/definition`, tokens.sophie, { body: { kinds: ['budget'], intensity: 'mandatory', referentId, beneficiaryId: `ben-${loanId}` } });
  expect(defined.status).toBe(200);
  return loanId;
}

async function missedAndUnanswered(loanId: string): Promise<void> {
  await publish(instalmentMissedV1, { tenantId: TENANT, loanId, instalmentNumber: 2, dueDate: '2027-02-05', unpaidCount: 1, daysPastDue: 3, arrearsCents: 10_106 }, '2027-02-08T08:00:00.000Z');
  await eventually('the escalation opened', async () => ((await planOf(loanId))?.escalation ? true : undefined));
  await publish(borrowerContactedV1, { tenantId: TENANT, loanId, channel: 'phone', outcome: 'noAnswer', daysPastDue: 4, contactedAt: '2027-02-09T10:00:00.000Z' });
  await eventually('the CCAS alerted', async () => ((await planOf(loanId))?.escalation as { ccasAlertedAt: string | null } | null)?.ccasAlertedAt ?? undefined);
}

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'accompaniment',
    service: accompanimentService({ clock: () => new Date(now) }),
    tenant: TENANT,
    observe: ['accompaniment.plan'],
    env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
  });
  tokens.sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.paul = await h.token({ role: 'socialWorker', userId: 'sw-paul', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.advisor = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
  tokens.auditor = await h.token({ role: 'auditor', userId: 'audit-alice', organisationId: 'audit-firm', organisationKind: 'auditor' });
  tokens.otherSocialWorker = await h.token({ role: 'socialWorker', userId: 'sw-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
});

afterAll(async () => {
  await h?.close();
});

describe('a plan opened from lending’s disbursement', () => {
  it('is mandatory for a restructuring loan, defined by HTTP, refused a lower intensity, bad input, strangers and the bank', async () => {
    now = '2027-02-08T08:00:00.000Z';
    const loanId = await disbursedLoan();
    expect(await planOf(loanId)).toMatchObject({ status: 'open', product: 'restructuring', intensity: 'mandatory', kinds: ['budget'], referentId: 'sw-sophie' });

    const lower = await call('POST', `/plans/${loanId}/definition`, tokens.sophie, { body: { kinds: ['budget'], intensity: 'regular', referentId: 'sw-sophie', beneficiaryId: 'ben-x' } });
    expect([lower.status, lower.body.code, lower.body.field]).toEqual([400, 'INTENSITY_MANDATORY', 'intensity']);
    const unknownField = await call('POST', `/plans/${loanId}/charter`, tokens.sophie, { body: { parties: 'twoParty', signedOn: '2027-02-08', witness: 'x' } });
    expect([unknownField.status, unknownField.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badId = await call('POST', '/plans/bad%20id/charter', tokens.sophie, { body: { parties: 'twoParty', signedOn: '2027-02-08' } });
    expect([badId.status, badId.body.code, badId.body.field]).toEqual([400, 'VALIDATION_FAILED', 'loanId']);
    const stranger = await h.call('GET', `/tenants/${TENANT}/plans/${loanId}`, { token: tokens.otherSocialWorker });
    expect(stranger.status).toBe(404);
    const bank = await call('POST', `/plans/${loanId}/charter`, tokens.advisor, { body: { parties: 'twoParty', signedOn: '2027-02-08' } });
    expect(bank.status).toBe(403);
    const none = await call('POST', `/plans/loan-${short()}/charter`, tokens.sophie, { body: { parties: 'twoParty', signedOn: '2027-02-08' } });
    expect([none.status, none.body.code]).toEqual([404, 'PLAN_NOT_FOUND']);
    // Opened and defined: the refusals wrote nothing.
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1`, [`plan-${loanId}`])).toBe(2);

    const signed = await call('POST', `/plans/${loanId}/charter`, tokens.sophie, { body: { parties: 'threeParty', signedOn: '2027-02-08', bankPartnerId: 'bank-parcours' } });
    expect(signed.status).toBe(200);
    expect(signed.body).toMatchObject({ charter: { parties: 'threeParty', signedOn: '2027-02-08' }, events: [{ type: 'CharterSigned' }] });
  });
});

describe('a plan opened from intake’s and lending’s facts', () => {
  it('takes the person and the accompaniment intake assessed for the file, so a note can be sealed at once', async () => {
    now = '2027-02-08T08:00:00.000Z';
    const applicationId = `app-${short()}`;
    const loanId = `loan-${short()}`;
    await publish(applicationOpenedV1, { tenantId: TENANT, applicationId, beneficiaryId: `ben-${applicationId}`, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 120_000, requestedTermMonths: 12, openedAt: '2026-10-01T09:00:00.000Z' });
    await publish(applicationSubmittedV1, { tenantId: TENANT, applicationId, product: 'classic', appointmentsHeld: 3, resteAVivreBelowMinimum: false, accompanimentLevel: 'checkIns', submittedAt: '2026-10-20T09:00:00.000Z' });
    // The file's facts are kept before the loan is disbursed (the plan reads them when it opens).
    await eventually('intake’s facts kept', async () => (await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1`, [`intake-file-${applicationId}`])) === 2 ? true : undefined);
    await publish(loanDisbursedV1, { tenantId: TENANT, loanId, applicationId, amountCents: 120_000, termMonths: 12, product: 'classic', guarantorKind: 'fcs', guaranteedShareBps: 5_000, disbursedAt: '2026-12-04T10:00:00.000Z', firstDueDate: '2027-01-05', nominalRateBps: 300, taegBps: 304 });
    const plan = await eventually('the plan opened', () => planOf(loanId));
    expect(plan).toMatchObject({ product: 'classic', intensity: 'checkIns', kinds: [], beneficiaryId: `ben-${applicationId}`, referentId: null });
    now = '2027-02-08T09:00:00.000Z';
    const noted = await call('POST', `/plans/${loanId}/contacts`, tokens.sophie, { body: { channel: 'phone', topics: ['budget'], reached: true, contactedAt: '2027-02-08T08:30:00.000Z', note: 'premier appel de suivi' } });
    expect([noted.status, noted.body.code]).toEqual([201, undefined]);
    expect((await call('GET', `/plans/${loanId}/contacts`, tokens.sophie)).body.contacts).toEqual([expect.objectContaining({ note: 'premier appel de suivi' })]);

    // Intake erases the person (their files closed): the note sealed here under their key is shredded too, whatever
    // the number of deliveries, and nothing new can be sealed for them.
    const erased = { tenantId: TENANT, beneficiaryId: `ben-${applicationId}`, reason: 'personRequest' as const, erasedAt: '2027-02-09T08:00:00.000Z' };
    await publish(beneficiaryErasedV1, erased);
    await publish(beneficiaryErasedV1, erased);
    const shredded = await eventually('the note shredded', async () => {
      const contacts = (await call('GET', `/plans/${loanId}/contacts`, tokens.sophie)).body.contacts as Array<{ note?: unknown }>;
      return contacts[0]?.note === '[erased]' ? contacts : undefined;
    });
    expect(shredded).toHaveLength(1);
    expect(await count(`SELECT count(*) AS n FROM privacy.person_keys WHERE person_id = $1`, [`ben-${applicationId}`])).toBe(0);
    const after = await call('POST', `/plans/${loanId}/contacts`, tokens.sophie, { body: { channel: 'phone', topics: ['budget'], reached: true, contactedAt: '2027-02-09T09:00:00.000Z', note: 'encore un appel' } });
    expect([after.status, after.body.code]).toEqual([409, 'BENEFICIARY_ERASED']);
  });
});

describe('the escalation of a missed instalment', () => {
  it('alerts the CCAS on the bank’s unanswered call, measures the first contact, seals its note, and publishes the facts', async () => {
    now = '2027-02-08T08:00:00.000Z';
    const loanId = await disbursedLoan();
    await missedAndUnanswered(loanId);
    expect((await planOf(loanId))!.escalation).toMatchObject({ escalationId: `${loanId}-e1`, trigger: 'instalmentMissed', deadlineDate: '2027-02-12', nextStep: 'firstCcasContact' });

    now = '2027-02-10T09:00:00.000Z';
    const contact = await call('POST', `/plans/${loanId}/contacts`, tokens.sophie, {
      body: { channel: 'phone', topics: ['repayment', 'budget'], reached: true, contactedAt: '2027-02-10T08:30:00.000Z', note: 'Mme D. a perdu son emploi, rendez-vous jeudi' },
    });
    expect(contact.status).toBe(201);
    expect(contact.body).toMatchObject({ events: [{ type: 'ContactRecorded' }, { type: 'FirstCcasContactMade' }] });
    expect((contact.body.escalation as Record<string, unknown>).firstContact).toEqual({ contactedAt: '2027-02-10T08:30:00.000Z', delayMinutes: 2 * 24 * 60 + 30, delayWorkingDays: 3, late: false });

    // The note is stored sealed; the CCAS reads it back decrypted.
    const stored = await h.asTenant(TENANT, async (client) => JSON.stringify((await client.query(`SELECT data FROM es.events WHERE stream_id = $1 AND type = 'ContactRecorded'`, [`plan-${loanId}`])).rows));
    expect(stored).not.toContain('emploi');
    expect(stored).toContain('$pii');
    const contacts = await call('GET', `/plans/${loanId}/contacts`, tokens.auditor);
    expect(contacts.body.contacts).toEqual([expect.objectContaining({ channel: 'phone', reached: true, note: 'Mme D. a perdu son emploi, rendez-vous jeudi' })]);

    const first = await eventually('accompaniment.first-contact-made.v1 on Kafka', async () => h.published.find((message) => message.name === 'accompaniment.first-contact-made.v1' && message.payload.loanId === loanId));
    expect(first.payload).toEqual({ tenantId: TENANT, loanId, escalationId: `${loanId}-e1`, trigger: 'instalmentMissed', channel: 'phone', contactedAt: '2027-02-10T08:30:00.000Z', delayMinutes: 2910, delayWorkingDays: 3, deadlineWorkingDays: 5, late: false });
    expect(JSON.stringify(h.published.filter((message) => message.payload.loanId === loanId))).not.toContain('emploi');

    const grocery = await call('POST', `/plans/${loanId}/supports`, tokens.sophie, { body: { kind: 'socialGrocery', months: 3, grantedOn: '2027-02-10' } });
    expect(grocery.status).toBe(201);
    const holiday = await call('POST', `/plans/${loanId}/rescheduling-requests`, tokens.sophie, { body: { kind: 'holiday', months: 2 } });
    expect(holiday.status).toBe(201);
    const requested = await eventually('accompaniment.rescheduling-requested.v1 on Kafka', async () => h.published.find((message) => message.name === 'accompaniment.rescheduling-requested.v1' && message.payload.loanId === loanId));
    expect(requested.payload).toMatchObject({ loanId, escalationId: `${loanId}-e1`, kind: 'holiday', months: 2, requestedBy: 'sw-sophie' });
    const closed = await call('POST', `/plans/${loanId}/escalation/closure`, tokens.sophie, { body: { outcome: 'rescheduled' } });
    expect(closed.status).toBe(200);
    const closing = await eventually('accompaniment.escalation-closed.v1 on Kafka', async () => h.published.find((message) => message.name === 'accompaniment.escalation-closed.v1' && message.payload.loanId === loanId));
    expect(closing.payload).toMatchObject({ outcome: 'rescheduled', firstContactDelayMinutes: 2910, firstContactDelayWorkingDays: 3, supportMeasures: 1, reschedulingsRequested: 1, threePartyMeetingHeld: false });
  });

  it('uses the CCAS’s own deadline once decided, and lists late escalations and overdue check-ins in the referent’s worklist', async () => {
    now = '2027-02-08T07:00:00.000Z';
    const deadlineByWorker = await call('POST', '/escalation-deadline/versions', tokens.sophie, { body: { workingDays: 3, effectiveFrom: '2027-02-08', decisionReference: 'CA-2027-02-01' } });
    expect(deadlineByWorker.status).toBe(403);
    const decided = await call('POST', '/escalation-deadline/versions', tokens.director, { body: { workingDays: 3, effectiveFrom: '2027-02-08', decisionReference: 'CA-2027-02-01' } });
    expect(decided.status).toBe(201);
    expect((await call('GET', '/escalation-deadline', tokens.sophie)).body).toMatchObject({ workingDays: 3, defaultWorkingDays: 5 });

    const late = await disbursedLoan();
    const onTime = await disbursedLoan();
    const checked = await disbursedLoan('classic');
    const checkIn = await call('POST', `/plans/${checked}/check-ins`, tokens.sophie, { body: { checkInId: 'mid-term', dueOn: '2027-02-09', reason: 'midTerm' } });
    expect(checkIn.status).toBe(201);
    await missedAndUnanswered(late);
    await missedAndUnanswered(onTime);
    expect((await planOf(late))!.escalation).toMatchObject({ deadlineDate: '2027-02-10' });

    now = '2027-02-11T09:00:00.000Z';
    await call('POST', `/plans/${onTime}/contacts`, tokens.sophie, { body: { channel: 'visit', topics: ['budget'], reached: true, contactedAt: '2027-02-10T15:00:00.000Z' } });
    const worklist = await eventually('the worklist to show both', async () => {
      const reply = await call('GET', '/worklist', tokens.sophie);
      const rows = reply.body.escalations as Array<Record<string, unknown>>;
      const mine = rows.filter((row) => row.loanId === late || row.loanId === onTime);
      return mine.length === 2 && mine.some((row) => row.loanId === onTime && row.nextStep === 'remedies') ? reply.body : undefined;
    });
    const byLoan = (loanId: string) => (worklist.escalations as Array<Record<string, unknown>>).find((row) => row.loanId === loanId);
    expect(byLoan(late)).toMatchObject({ nextStep: 'firstCcasContact', deadlineDate: '2027-02-10', late: true, ageDays: 6, ageWorkingDays: 4 });
    expect(byLoan(onTime)).toMatchObject({ nextStep: 'remedies', late: false, firstContactDelayWorkingDays: 3 });
    expect(worklist.overdueCheckIns).toEqual(expect.arrayContaining([{ loanId: checked, checkInId: 'mid-term', dueOn: '2027-02-09', reason: 'midTerm', daysOverdue: 2 }]));
    expect(worklist.referentId).toBe('sw-sophie');
    const paul = await call('GET', '/worklist', tokens.paul);
    expect((paul.body.escalations as unknown[]).length).toBe(0);
  });

  it('answers every one of concurrent contacts on one plan, and records one event pair per success', async () => {
    now = '2027-02-08T08:00:00.000Z';
    const loanId = await disbursedLoan();
    now = '2027-02-12T09:00:00.000Z';
    const replies = await Promise.all(
      Array.from({ length: 8 }, (_, i) => call('POST', `/plans/${loanId}/contacts`, tokens.sophie, { body: { channel: 'phone', topics: ['budget'], reached: false, contactedAt: `2027-02-12T08:0${i}:00.000Z` } })),
    );
    const counts = tally(replies);
    expect(Object.keys(counts).every((status) => ['201', '409', '503'].includes(status))).toBe(true);
    const contacts = await call('GET', `/plans/${loanId}/contacts`, tokens.sophie);
    expect((contacts.body.contacts as unknown[]).length).toBe(counts[201] ?? 0);
    expect(counts[201]).toBeGreaterThan(0);
  });
});

describe('a loan that ends', () => {
  it('closes its open escalation (loanEnded, published) and leaves the worklist; the plan then refuses new steps', async () => {
    now = '2027-02-08T08:00:00.000Z';
    const loanId = await disbursedLoan();
    expect((await call('POST', `/plans/${loanId}/check-ins`, tokens.sophie, { body: { checkInId: 'mid-term', dueOn: '2027-02-09', reason: 'midTerm' } })).status).toBe(201);
    await missedAndUnanswered(loanId);
    now = '2027-03-01T09:00:00.000Z';
    await publish(loanRepaidV1, { tenantId: TENANT, loanId, interestPaidTotalCents: 0, everLate: true, repaidAt: '2027-03-01T08:00:00.000Z' });
    const ended = await eventually('the plan ended', async () => ((await planOf(loanId))?.ended ? await planOf(loanId) : undefined));
    expect(ended).toMatchObject({ escalation: null, checkIns: [], ended: { reason: 'repaid', endedAt: '2027-03-01T08:00:00.000Z' } });
    const closing = await eventually('accompaniment.escalation-closed.v1 on Kafka', async () => h.published.find((message) => message.name === 'accompaniment.escalation-closed.v1' && message.payload.loanId === loanId));
    expect(closing.payload).toMatchObject({ outcome: 'loanEnded', threePartyMeetingHeld: false, supportMeasures: 0 });
    await eventually('the worklist without the loan', async () => {
      const worklist = (await call('GET', '/worklist', tokens.sophie)).body as { escalations: Array<{ loanId: string }>; overdueCheckIns: Array<{ loanId: string }> };
      return [...worklist.escalations, ...worklist.overdueCheckIns].some((row) => row.loanId === loanId) ? undefined : true;
    });
    const late = await call('POST', `/plans/${loanId}/difficulties`, tokens.sophie, { body: { topic: 'jobLoss' } });
    expect([late.status, late.body.code]).toEqual([409, 'PLAN_ENDED']);
  });
});

describe('the worklist’s interest refunds', () => {
  it('lists the refunds awaiting the commission on the referent’s loans or proposed by them, not another referent’s', async () => {
    now = '2027-05-21T09:00:00.000Z';
    expect((await call('POST', '/refund-policy/versions', tokens.director, { body: { rule: 'everyCompletedLoan', effectiveFrom: '2020-01-01', decisionReference: 'CA-2019-12' } })).status).toBe(201);
    const proposed = async (referentId: string, proposer: string) => {
      const loanId = await disbursedLoan('restructuring', referentId);
      const ids = { tenantId: TENANT, loanId, applicationId: `app-${short()}` };
      await publish(instalmentPaidV1, { ...ids, amountCents: 121_000, principalRepaidCents: 120_000, interestPaidCents: 1_000, outstandingPrincipalCents: 0, paidOn: '2027-05-05', recordedAt: '2027-05-05T12:00:00.000Z' });
      await publish(loanRepaidV1, { ...ids, interestPaidTotalCents: 1_000, everLate: false, repaidAt: '2027-05-20T10:00:00.000Z' });
      await eventually('the refund owed', async () => ((await call('GET', `/refunds/${loanId}`, tokens.sophie)).body.status === 'owed' ? true : undefined));
      expect((await call('POST', `/refunds/${loanId}/bank-details`, proposer, { body: { personId: `ben-${loanId}`, iban: 'FR76 3000 6000 0112 3456 7890 189', holder: 'Camille Martin' } })).status).toBe(201);
      expect((await call('POST', `/refunds/${loanId}/proposal`, proposer, { body: {} })).status).toBe(200);
      return loanId;
    };
    const sophies = await proposed('sw-sophie', tokens.sophie);
    const pauls = await proposed('sw-paul', tokens.director);
    const awaitingIn = (token: string, loanId: string) =>
      eventually(`refund ${loanId} in a worklist`, async () => {
        const refunds = (await call('GET', '/worklist', token)).body.refundsAwaitingApproval as Array<Record<string, unknown>>;
        return refunds.some((refund) => refund.loanId === loanId) ? refunds : undefined;
      });
    const paul = await awaitingIn(tokens.paul, pauls);
    // Both proposals are in the read model by now: sophie's worklist has hers and not paul's.
    const listed = await awaitingIn(tokens.sophie, sophies);
    expect(listed).toContainEqual({ loanId: sophies, amountCents: 1_000, proposedBy: 'sw-sophie', proposedAt: now });
    expect(listed.some((refund) => refund.loanId === pauls)).toBe(false);
    expect(paul.some((refund) => refund.loanId === sophies)).toBe(false);
    expect(paul).toContainEqual({ loanId: pauls, amountCents: 1_000, proposedBy: 'dir-laval', proposedAt: now });
  });
});

describe('the plan read model', () => {
  it('rebuilds from the plan streams equal to the live rows', async () => {
    now = '2027-02-08T08:00:00.000Z';
    const loanId = await disbursedLoan();
    await missedAndUnanswered(loanId);
    await eventually('the row to show the alert', async () => {
      const rows = (await call('GET', '/plans?escalated=true', tokens.sophie)).body.plans as Array<{ loanId: string; escalation: { ccasAlertedAt: string | null } }>;
      return rows.find((row) => row.loanId === loanId)?.escalation.ccasAlertedAt ? true : undefined;
    });
    const pool = new Pool({ connectionString: h.db.appUrl });
    try {
      const check = await checkReplayEqualsLive(pool, planRowProjection);
      expect(check.tables).toEqual([expect.objectContaining({ table: 'accompaniment.plan_row', equal: true })]);
      expect(check.equal).toBe(true);
      expect(check.events).toBeGreaterThan(0);
    } finally {
      await pool.end();
    }
  });
});
