import { randomBytes, randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { createEnvelope, headersOf, instalmentMissedV1, instalmentPaidV1, loanDisbursedV1, loanRepaidV1, loanRescheduledV1, type Contract, type PayloadSchema } from '@tremplin/contracts';
import { checkReplayEqualsLive } from '@tremplin/event-store-postgres';
import { annuitySchedule, extendTerm, interestPaid, type ScheduleLine } from '@tremplin/finance';
import { eventually, startServiceHarness, tally, type ServiceHarness } from '@tremplin/testing';
import type { z } from 'zod';
import { accompanimentService } from '../service';
import { refundListProjection, refundPolicyProjection } from './refund-list.projection';

// Interest refunds and end-of-loan evaluations on real PostgreSQL and Kafka: lending's facts published on Kafka (the
// payments of a schedule computed by libs/finance, as lending computes them), the refund assessed under the policy
// version in force, bank details sealed, proposed, approved by someone else, paid; accompaniment.*.v1 on Kafka; the
// read models and their replay. The CCAS applies Tarbes's rule until the end of 2027 and Laval's from 2028.
const TENANT = 'ccas-laval';
let now = '2027-06-01T09:00:00.000Z';
let h: ServiceHarness;
const tokens = { sophie: '', director: '', marc: '', julie: '', auditor: '', stranger: '' };
const commission: string[] = [];
const short = () => randomUUID().slice(0, 8);
const call = (method: 'GET' | 'POST', path: string, token: string, options: { body?: unknown; key?: string } = {}) => h.call(method, `/tenants/${TENANT}${path}`, { token, ...options });
const count = (sql: string, params: unknown[]) => h.asTenant(TENANT, async (client) => Number((await client.query(sql, params)).rows[0].n));
const IBAN = 'FR76 3000 6000 0112 3456 7890 189';

async function publish<S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>): Promise<void> {
  const producer = await h.transport.producer();
  const envelope = createEnvelope(contract, payload, { messageId: randomUUID(), occurredAt: now, correlationId: `corr-${short()}` });
  await producer.send([{ topic: h.topic(contract.topic), key: String((payload as { loanId: string }).loanId), value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  await producer.close();
}

// The classic loan of the source: 1,825 € over 24 months at 3 %.
const classic = annuitySchedule({ amount: 182_500, annualRateBasisPoints: 300, termMonths: 24, firstDueDate: '2026-02-05' });

/** Lending's facts for a loan repaid along these lines: each payment on Kafka, then the repayment with its total. */
async function repaidLoan(lines: readonly ScheduleLine[], options: { late?: number; rescheduledAfter?: number; repaidAt: string }): Promise<string> {
  const loanId = `loan-${short()}`;
  const ids = { tenantId: TENANT, loanId, applicationId: `app-${short()}` };
  for (const [index, line] of lines.entries()) {
    if (options.late === line.number) await publish(instalmentMissedV1, { ...ids, instalmentNumber: line.number, dueDate: line.dueDate, unpaidCount: 1, daysPastDue: 3, arrearsCents: line.instalment });
    if (options.rescheduledAfter === index) await publish(loanRescheduledV1, { ...ids, kind: 'termExtension', newEndDate: lines[lines.length - 1].dueDate });
    await publish(instalmentPaidV1, {
      ...ids,
      amountCents: line.instalment,
      principalRepaidCents: line.principal,
      interestPaidCents: line.interest,
      outstandingPrincipalCents: line.outstandingAfter,
      paidOn: line.dueDate,
      recordedAt: `${line.dueDate}T12:00:00.000Z`,
    });
  }
  await publish(loanRepaidV1, { ...ids, interestPaidTotalCents: interestPaid(lines.map((line) => ({ interestCents: line.interest }))), everLate: options.late !== undefined, repaidAt: options.repaidAt });
  return loanId;
}

const rowOf = async (loanId: string, status?: string) => {
  const rows = (await call('GET', '/refunds', tokens.sophie)).body.refunds as Array<Record<string, unknown>>;
  const row = rows.find((candidate) => candidate.loanId === loanId);
  return row && (status === undefined || row.status === status) ? row : undefined;
};
const published = (name: string, loanId: string) => h.published.filter((envelope) => envelope.name === name && envelope.payload.loanId === loanId);

/** An owed refund with the bank details recorded and proposed by sophie. */
async function proposedRefund(): Promise<string> {
  const loanId = await repaidLoan(classic.lines, { repaidAt: '2027-05-20T10:00:00.000Z' });
  await eventually('the refund owed', () => rowOf(loanId, 'owed'));
  expect((await call('POST', `/refunds/${loanId}/bank-details`, tokens.sophie, { body: { personId: `ben-${short()}`, iban: IBAN, holder: 'Camille Martin' } })).status).toBe(201);
  expect((await call('POST', `/refunds/${loanId}/proposal`, tokens.sophie, { body: {} })).status).toBe(200);
  return loanId;
}

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'accompaniment_refund',
    service: accompanimentService({ clock: () => new Date(now) }),
    tenant: TENANT,
    observe: ['accompaniment.plan'],
    env: { PRIVACY_MASTER_KEY: randomBytes(32).toString('base64') },
  });
  const ccas = { organisationId: 'ccas-laval-org', organisationKind: 'ccas' } as const;
  tokens.sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', ...ccas });
  tokens.director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', ...ccas });
  tokens.marc = await h.token({ role: 'commissionMember', userId: 'com-marc', ...ccas });
  tokens.julie = await h.token({ role: 'commissionMember', userId: 'com-julie', ...ccas });
  tokens.auditor = await h.token({ role: 'auditor', userId: 'audit-alice', organisationId: 'audit-firm', organisationKind: 'auditor' });
  tokens.stranger = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
  for (let index = 0; index < 6; index += 1) commission.push(await h.token({ role: 'commissionMember', userId: `com-${index}`, ...ccas }));
  // The CCAS's policy: every completed loan until the end of 2027, only loans never late from 2028.
  const tarbes = await call('POST', '/refund-policy/versions', tokens.director, { body: { rule: 'everyCompletedLoan', effectiveFrom: '2020-01-01', decisionReference: 'CA-2019-12' } });
  expect(tarbes.status).toBe(201);
  const laval = await call('POST', '/refund-policy/versions', tokens.director, { body: { rule: 'noLateInstalment', effectiveFrom: '2028-01-01', decisionReference: 'CA-2027-11' } });
  expect(laval.status).toBe(201);
});

afterAll(async () => {
  await h?.close();
});

describe('the refund policy', () => {
  it('is versioned through HTTP under commission.decide, refusing an overlap (409), bad input (400) and other roles (403)', async () => {
    const policy = await call('GET', '/refund-policy', tokens.sophie);
    expect(policy.body.versions).toEqual([
      { version: 1, rule: 'everyCompletedLoan', effectiveFrom: '2020-01-01', decisionReference: 'CA-2019-12' },
      { version: 2, rule: 'noLateInstalment', effectiveFrom: '2028-01-01', decisionReference: 'CA-2027-11' },
    ]);
    const overlap = await call('POST', '/refund-policy/versions', tokens.director, { body: { rule: 'none', effectiveFrom: '2027-12-31', decisionReference: 'CA-X' } });
    expect([overlap.status, overlap.body.code, overlap.body.field]).toEqual([409, 'POLICY_NOT_AFTER_PREVIOUS', 'effectiveFrom']);
    const bad = await call('POST', '/refund-policy/versions', tokens.director, { body: { rule: 'always', effectiveFrom: '2030-01-01', decisionReference: 'CA-X' } });
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, 'VALIDATION_FAILED', 'rule']);
    expect((await call('POST', '/refund-policy/versions', tokens.sophie, { body: { rule: 'none', effectiveFrom: '2030-01-01', decisionReference: 'CA-X' } })).status).toBe(403);
    expect((await call('GET', '/refund-policy', tokens.sophie)).body.versions).toHaveLength(2);
  });
});

describe('a refund from lending’s facts on Kafka', () => {
  it('refunds exactly the 57.58 € of interest paid on the classic loan repaid on time: bank details checked and sealed, proposed, approved by another, paid', async () => {
    now = '2027-06-01T09:00:00.000Z';
    const loanId = await repaidLoan(classic.lines, { repaidAt: '2027-05-20T10:00:00.000Z' });
    const owed = await eventually('the refund owed', () => rowOf(loanId, 'owed'));
    expect(owed).toMatchObject({ amountCents: 5_758, interestNotedCents: 5_758, policyVersion: 1, rule: 'everyCompletedLoan', late: false, bankDetailsRecorded: false });

    const early = await call('POST', `/refunds/${loanId}/proposal`, tokens.sophie, { body: {} });
    expect([early.status, early.body.code, early.body.field]).toEqual([409, 'BANK_DETAILS_MISSING', 'iban']);
    const personId = `ben-${short()}`;
    const wrong = await call('POST', `/refunds/${loanId}/bank-details`, tokens.sophie, { body: { personId, iban: 'FR76 3000 6000 0112 3456 7890 188', holder: 'Camille Martin' } });
    expect([wrong.status, wrong.body.code, wrong.body.field]).toEqual([400, 'IBAN_INVALID', 'iban']);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'RefundBankDetailsRecorded'`, [`refund-${loanId}`])).toBe(0);
    const details = await call('POST', `/refunds/${loanId}/bank-details`, tokens.sophie, { body: { personId, iban: IBAN, holder: 'Camille Martin' } });
    expect(details.status).toBe(201);
    // Sealed in the store: neither the IBAN nor the holder in clear.
    const stored = await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND (data::text LIKE '%3000600001%' OR data::text LIKE '%Camille%')`, [`refund-${loanId}`]);
    expect(stored).toBe(0);
    const detail = await call('GET', `/refunds/${loanId}`, tokens.sophie);
    expect(detail.body).toMatchObject({ status: 'owed', amountCents: 5_758, bankDetails: { personId, iban: 'FR7630006000011234567890189', holder: 'Camille Martin' } });

    expect((await call('POST', `/refunds/${loanId}/proposal`, tokens.sophie, { body: {} })).body).toMatchObject({ status: 'proposed', amountCents: 5_758 });
    const awaiting = await eventually('the refund awaiting approval', async () =>
      ((await call('GET', '/refunds/awaiting-approval', tokens.sophie)).body.refunds as Array<Record<string, unknown>>).find((row) => row.loanId === loanId),
    );
    expect(awaiting).toEqual({ loanId, amountCents: 5_758, proposedBy: 'sw-sophie', proposedAt: '2027-06-01T09:00:00.000Z' });
    // The referent may not approve (no commission.decide); a commission member other than the proposer does.
    expect((await call('POST', `/refunds/${loanId}/approval`, tokens.sophie, { body: { decisionReference: 'COM-2027-06' } })).status).toBe(403);
    now = '2027-06-10T09:00:00.000Z';
    const approved = await call('POST', `/refunds/${loanId}/approval`, tokens.marc, { body: { decisionReference: 'COM-2027-06' }, key: `approve-${loanId}` });
    expect(approved.body).toMatchObject({ status: 'approved', amountCents: 5_758, events: [{ type: 'InterestRefundApproved' }] });
    const replayed = await call('POST', `/refunds/${loanId}/approval`, tokens.marc, { body: { decisionReference: 'COM-2027-06' }, key: `approve-${loanId}` });
    expect([replayed.status, replayed.headers.get('idempotent-replayed')]).toEqual([200, 'true']);

    const early2 = await call('POST', `/refunds/${loanId}/payment`, tokens.sophie, { body: { paidOn: '2027-06-09', paymentReference: 'VIR-2027-0612' } });
    expect([early2.status, early2.body.code, early2.body.field]).toEqual([400, 'PAYMENT_BEFORE_APPROVAL', 'paidOn']);
    const paid = await call('POST', `/refunds/${loanId}/payment`, tokens.sophie, { body: { paidOn: '2027-06-10', paymentReference: 'VIR-2027-0612' } });
    expect(paid.body).toMatchObject({ status: 'paid', amountCents: 5_758 });
    const again = await call('POST', `/refunds/${loanId}/payment`, tokens.sophie, { body: { paidOn: '2027-06-10', paymentReference: 'VIR-2027-0613' } });
    expect([again.status, again.body.code]).toEqual([409, 'REFUND_ALREADY_PAID']);

    await eventually('the refund paid on Kafka', async () => (published('accompaniment.interest-refund-paid.v1', loanId).length ? true : undefined));
    expect(published('accompaniment.interest-refund-approved.v1', loanId).map((envelope) => envelope.payload)).toEqual([
      { tenantId: TENANT, loanId, amountCents: 5_758, policyVersion: 1, rule: 'everyCompletedLoan', approvedAt: '2027-06-10T09:00:00.000Z' },
    ]);
    expect(published('accompaniment.interest-refund-paid.v1', loanId).map((envelope) => envelope.payload)).toEqual([
      { tenantId: TENANT, loanId, amountCents: 5_758, policyVersion: 1, paidOn: '2027-06-10', paidAt: '2027-06-10T09:00:00.000Z' },
    ]);
    expect(JSON.stringify(h.published.filter((envelope) => envelope.payload.loanId === loanId))).not.toMatch(/FR76|Camille/);
    await eventually('the row paid', () => rowOf(loanId, 'paid'));
  });

  it('refunds a late loan under the Tarbes rule (repaid in 2027) and nothing under the Laval rule (repaid in 2028)', async () => {
    now = '2028-03-01T09:00:00.000Z';
    const tarbes = await repaidLoan(classic.lines, { late: 5, repaidAt: '2027-12-20T10:00:00.000Z' });
    const laval = await repaidLoan(classic.lines, { late: 5, repaidAt: '2028-01-20T10:00:00.000Z' });
    expect(await eventually('the 2027 refund owed', () => rowOf(tarbes, 'owed'))).toMatchObject({ amountCents: 5_758, late: true, lateInstalments: 1, policyVersion: 1 });
    expect(await eventually('the 2028 refund not owed', () => rowOf(laval, 'notOwed'))).toMatchObject({ notOwedReason: 'LATE_INSTALMENT', amountCents: null, late: true, policyVersion: 2, rule: 'noLateInstalment' });
    const refused = await call('POST', `/refunds/${laval}/bank-details`, tokens.sophie, { body: { personId: 'ben-1', iban: IBAN, holder: 'Camille Martin' } });
    expect([refused.status, refused.body.code]).toEqual([409, 'REFUND_NOT_OWED']);
  });

  it('refunds the interest actually paid after a term extension, not the original schedule’s', async () => {
    now = '2027-06-01T09:00:00.000Z';
    const extended = extendTerm({ annualRateBasisPoints: 300, anchorDueDate: '2026-02-05', remainingLines: classic.lines.slice(6) }, { remainingInstalments: 30 });
    const lines = [...classic.lines.slice(0, 6), ...extended.lines];
    const expected = interestPaid(lines.map((line) => ({ interestCents: line.interest })));
    expect(expected).toBeGreaterThan(classic.totalInterest);
    const loanId = await repaidLoan(lines, { rescheduledAfter: 6, repaidAt: '2027-05-20T10:00:00.000Z' });
    expect(await eventually('the refund owed', () => rowOf(loanId, 'owed'))).toMatchObject({ amountCents: expected, interestNotedCents: expected, reschedulings: 1 });
  });
});

describe('the commission’s decision', () => {
  it('is never the proposer’s: a director who proposed gets 409 REFUND_PROPOSER_CANNOT_DECIDE', async () => {
    const loanId = await repaidLoan(classic.lines, { repaidAt: '2027-05-20T10:00:00.000Z' });
    await eventually('the refund owed', () => rowOf(loanId, 'owed'));
    expect((await call('POST', `/refunds/${loanId}/bank-details`, tokens.director, { body: { personId: 'ben-2', iban: IBAN, holder: 'Camille Martin' } })).status).toBe(201);
    expect((await call('POST', `/refunds/${loanId}/proposal`, tokens.director, { body: {} })).status).toBe(200);
    const own = await call('POST', `/refunds/${loanId}/approval`, tokens.director, { body: { decisionReference: 'COM-2027-06' } });
    expect([own.status, own.body.code, own.body.field]).toEqual([409, 'REFUND_PROPOSER_CANNOT_DECIDE', 'actor']);
    const declined = await call('POST', `/refunds/${loanId}/decline`, tokens.julie, { body: { reasonCode: 'BUDGET_EXHAUSTED', decisionReference: 'COM-2027-06' } });
    expect(declined.body).toMatchObject({ status: 'declined' });
  });

  it('approved by six members at once through HTTP: every request answers, one approval event, one contract', async () => {
    now = '2027-06-10T09:00:00.000Z';
    const loanId = await proposedRefund();
    const replies = await Promise.all(commission.map((token) => call('POST', `/refunds/${loanId}/approval`, token, { body: { decisionReference: 'COM-2027-06' } })));
    const counts = tally(replies);
    expect(counts[200]).toBe(1);
    expect(Object.keys(counts).every((status) => ['200', '409', '503'].includes(status))).toBe(true);
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'REFUND_ALREADY_APPROVED')).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'InterestRefundApproved'`, [`refund-${loanId}`])).toBe(1);
    await eventually('the approval on Kafka', async () => (published('accompaniment.interest-refund-approved.v1', loanId).length ? true : undefined));
    expect(published('accompaniment.interest-refund-approved.v1', loanId)).toHaveLength(1);
  });
});

describe('the refund routes', () => {
  it('answer bad input 400 with the field, an unknown loan 404, another tenant 404, the auditor 403 on writes', async () => {
    const loanId = await proposedRefund();
    const unknown = await call('POST', `/refunds/loan-${short()}/proposal`, tokens.sophie, { body: {} });
    expect([unknown.status, unknown.body.code]).toEqual([404, 'REFUND_NOT_FOUND']);
    expect((await call('GET', `/refunds/loan-${short()}`, tokens.sophie)).status).toBe(404);
    const badParam = await call('POST', `/refunds/${encodeURIComponent('bad id!')}/proposal`, tokens.sophie, { body: {} });
    expect([badParam.status, badParam.body.field]).toEqual([400, 'loanId']);
    const extra = await call('POST', `/refunds/${loanId}/approval`, tokens.marc, { body: { decisionReference: 'COM-1', amountCents: 1 } });
    expect([extra.status, extra.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const badDate = await call('POST', `/refunds/${loanId}/payment`, tokens.sophie, { body: { paidOn: '10/06/2027', paymentReference: 'VIR-1' } });
    expect([badDate.status, badDate.body.field]).toEqual([400, 'paidOn']);
    const badQuery = await call('GET', '/refunds?status=bogus', tokens.sophie);
    expect([badQuery.status, badQuery.body.field]).toEqual([400, 'status']);
    expect((await h.call('GET', `/tenants/${TENANT}/refunds/${loanId}`, { token: tokens.stranger })).status).toBe(404);
    expect((await call('POST', `/refunds/${loanId}/payment`, tokens.auditor, { body: { paidOn: '2027-06-10', paymentReference: 'VIR-1' } })).status).toBe(403);
    expect((await call('GET', `/refunds/${loanId}`, tokens.sophie)).body).toMatchObject({ status: 'proposed' });
  });

  it('take the bank details of the borrower the loan’s plan follows, not another person’s (409 PERSON_NOT_BORROWER)', async () => {
    now = '2027-06-01T09:00:00.000Z';
    const loanId = `loan-${short()}`;
    const ids = { tenantId: TENANT, loanId, applicationId: `app-${short()}` };
    await publish(loanDisbursedV1, { ...ids, amountCents: 182_500, termMonths: 24, product: 'classic', guarantorKind: 'fcs', guaranteedShareBps: 5_000, disbursedAt: '2026-01-05T10:00:00.000Z', firstDueDate: '2026-02-05', nominalRateBps: 300, taegBps: 304 });
    await eventually('the plan opened', async () => ((await call('GET', `/plans/${loanId}`, tokens.sophie)).status === 200 ? true : undefined));
    const beneficiaryId = `ben-${short()}`;
    expect((await call('POST', `/plans/${loanId}/definition`, tokens.sophie, { body: { kinds: ['budget'], intensity: 'checkIns', referentId: 'sw-sophie', beneficiaryId } })).status).toBe(200);
    await publish(loanRepaidV1, { ...ids, interestPaidTotalCents: 5_758, everLate: false, repaidAt: '2027-05-20T10:00:00.000Z' });
    await eventually('the refund owed', () => rowOf(loanId, 'owed'));
    const other = await call('POST', `/refunds/${loanId}/bank-details`, tokens.sophie, { body: { personId: `ben-${short()}`, iban: IBAN, holder: 'Camille Martin' } });
    expect([other.status, other.body.code, other.body.field]).toEqual([409, 'PERSON_NOT_BORROWER', 'personId']);
    expect((await call('POST', `/refunds/${loanId}/bank-details`, tokens.sophie, { body: { personId: beneficiaryId, iban: IBAN, holder: 'Camille Martin' } })).status).toBe(201);
  });

  it('total the refunds paid per year and their share of the optional-aid budget (Laval: 1.5 %)', async () => {
    now = '2029-03-01T09:00:00.000Z';
    // 2029: the budget is set so that the refunds paid that year make exactly 150 basis points.
    const first = await proposedRefund();
    const second = await proposedRefund();
    for (const loanId of [first, second]) {
      expect((await call('POST', `/refunds/${loanId}/approval`, tokens.marc, { body: { decisionReference: 'COM-2029-02' } })).status).toBe(200);
      expect((await call('POST', `/refunds/${loanId}/payment`, tokens.sophie, { body: { paidOn: '2029-03-01', paymentReference: 'VIR-2029-0301' } })).status).toBe(200);
    }
    const budget = await call('POST', '/refund-policy/budgets/2029', tokens.director, { body: { budgetCents: 767_733, decisionReference: 'BP-2029' } });
    expect(budget.status).toBe(201);
    const badYear = await call('POST', '/refund-policy/budgets/1999', tokens.director, { body: { budgetCents: 1, decisionReference: 'BP-1999' } });
    expect([badYear.status, badYear.body.field]).toEqual([400, 'year']);
    const year = await eventually('the 2029 totals', async () => {
      const years = (await call('GET', '/refunds/totals', tokens.sophie)).body.years as Array<Record<string, unknown>>;
      const found = years.find((candidate) => candidate.year === 2029);
      return found && found.paidCents === 11_516 && found.optionalAidBudgetCents !== null ? found : undefined;
    });
    expect(year).toEqual({ year: 2029, refundsPaid: 2, paidCents: 11_516, optionalAidBudgetCents: 767_733, shareOfBudgetBps: 150 });
  });
});

describe('the end-of-loan evaluation', () => {
  const body = {
    outcomes: { employment: 'improved', mobility: 'improved', housing: 'unchanged', health: 'notConcerned', budget: 'improved', socialTies: 'unchanged' },
    satisfaction: 'verySatisfied',
    withoutSupport: 'wouldHaveWorsenedBadly',
    heldOn: '2027-06-01',
  };

  it('is recorded once the loan is repaid, as codes on Kafka, with the new project linked later', async () => {
    now = '2027-06-01T09:00:00.000Z';
    const loanId = await repaidLoan(classic.lines, { repaidAt: '2027-05-20T10:00:00.000Z' });
    await eventually('the end noted', async () => ((await call('GET', `/evaluations/${loanId}`, tokens.sophie)).body.status === 'ended' ? true : undefined));
    const bad = await call('POST', `/evaluations/${loanId}`, tokens.sophie, { body: { ...body, outcomes: { ...body.outcomes, housing: 'found a flat' } } });
    expect([bad.status, bad.body.code, bad.body.field]).toEqual([400, 'VALIDATION_FAILED', 'outcomes.housing']);
    const recorded = await call('POST', `/evaluations/${loanId}`, tokens.sophie, { body });
    expect(recorded.status).toBe(201);
    expect((await call('POST', `/evaluations/${loanId}`, tokens.sophie, { body })).body.code).toBe('EVALUATION_ALREADY_RECORDED');
    expect((await call('POST', `/evaluations/${loanId}/new-project`, tokens.sophie, { body: { applicationId: 'app-next' } })).status).toBe(201);
    expect((await call('GET', `/evaluations/${loanId}`, tokens.auditor)).body).toMatchObject({ status: 'evaluated', end: 'repaid', newProjectApplicationId: 'app-next', satisfaction: 'verySatisfied' });
    await eventually('the evaluation on Kafka', async () => (published('accompaniment.new-project-linked.v1', loanId).length ? true : undefined));
    expect(published('accompaniment.evaluation-recorded.v1', loanId).map((envelope) => envelope.payload)).toEqual([
      { tenantId: TENANT, loanId, ...body, recordedAt: '2027-06-01T09:00:00.000Z' },
    ]);
  });

  it('is refused before lending reports the loan ended', async () => {
    const loanId = `loan-${short()}`;
    await publish(instalmentPaidV1, { tenantId: TENANT, loanId, amountCents: 7_843, principalRepaidCents: 7_387, interestPaidCents: 456, outstandingPrincipalCents: 175_113, paidOn: '2026-02-05', recordedAt: '2026-02-05T12:00:00.000Z' });
    await eventually('the payment noted', () => rowOf(loanId));
    const early = await call('POST', `/evaluations/${loanId}`, tokens.sophie, { body });
    expect([early.status, early.body.code]).toEqual([409, 'LOAN_NOT_ENDED']);
    const refund = await call('POST', `/refunds/${loanId}/proposal`, tokens.sophie, { body: {} });
    expect([refund.status, refund.body.code]).toEqual([409, 'LOAN_NOT_REPAID']);
  });
});

describe('the refund read models', () => {
  it('rebuild from the refund and policy streams equal to the live rows', async () => {
    const loanId = await proposedRefund();
    await eventually('the row proposed', () => rowOf(loanId, 'proposed'));
    const pool = new Pool({ connectionString: h.db.appUrl });
    try {
      for (const projection of [refundListProjection, refundPolicyProjection]) {
        const check = await checkReplayEqualsLive(pool, projection);
        expect(check.equal).toBe(true);
        expect(check.events).toBeGreaterThan(0);
      }
    } finally {
      await pool.end();
    }
  });
});
