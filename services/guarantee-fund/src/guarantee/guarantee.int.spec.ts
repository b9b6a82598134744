import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Client } from 'pg';
import {
  createEnvelope,
  headersOf,
  instalmentPaidV1,
  loanDefaultedV1,
  loanDisbursedV1,
  offerSignedV1,
  offerWithdrawnV1,
  recoveryReceivedV1,
  type Contract,
  type PayloadSchema,
} from '@tremplin/contracts';
import { eventually, startServiceHarness, tally, type ServiceHarness } from '@tremplin/testing';
import type { z } from 'zod';
import { guaranteeFundService } from '../service';

// Guarantees on real PostgreSQL and Kafka: coverage and envelope through HTTP, lending's facts from Kafka, the
// guarantee.*.v1 facts on Kafka, the read models and their rebuild. Each test uses its own guarantor and loans.
const TENANT = 'ccas-laval';
const NOW = '2026-03-10T09:00:00.000Z';
let h: ServiceHarness;
const tokens = { director: '', officer: '', socialWorker: '', auditor: '', admin: '', otherDirector: '' };
const call = (method: 'GET' | 'POST', path: string, token: string, options: { body?: unknown; key?: string } = {}) => h.call(method, path, { token, ...options });
const short = () => randomUUID().slice(0, 8);
const asOwner = <T>(fn: (client: Client) => Promise<T>) => h.asTenant(TENANT, fn);
const count = (sql: string, params: unknown[]) => asOwner(async (client) => Number((await client.query(sql, params)).rows[0].n));

/** A restructuring product guaranteed 50 % by the CCAS from its own envelope, voted for `capacityCents`. */
async function ccasGuarantor(capacityCents: number): Promise<string> {
  const guarantorId = `ccas-${short()}`;
  const configured = await call('POST', `/tenants/${TENANT}/coverage/restructuring/versions`, tokens.director, {
    body: { guarantorId, guarantorKind: 'ccas', managerId: 'ccas-laval', shareBps: 5_000, effectiveFrom: '2026-01-01', decisionReference: `CA-${short().toUpperCase()}` },
  });
  expect(configured.status).toBe(201);
  const voted = await call('POST', `/tenants/${TENANT}/envelopes/${guarantorId}/capacity-votes`, tokens.director, { body: { capacityCents, decisionDate: '2026-03-02', decisionReference: 'CA-2026-03-02-5' } });
  expect(voted.status).toBe(201);
  return guarantorId;
}
const requestBody = (loanId: string, principalCents = 100_000) => ({ loanId, bankPartnerId: 'bank-parcours', product: 'restructuring', principalCents });
const envelopeOf = async (guarantorId: string) =>
  ((await call('GET', `/tenants/${TENANT}/envelopes`, tokens.auditor)).body.envelopes as Array<Record<string, unknown>>).find((row) => row.guarantorId === guarantorId);
const guaranteeOf = async (loanId: string) => {
  const reply = await call('GET', `/tenants/${TENANT}/guarantees/${loanId}`, tokens.auditor);
  return reply.status === 200 ? reply.body : undefined;
};

async function publish<S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>, key: string): Promise<void> {
  const producer = await h.transport.producer();
  const envelope = createEnvelope(contract, payload, { messageId: randomUUID(), occurredAt: NOW, correlationId: `corr-${key}` });
  await producer.send([{ topic: h.topic(contract.topic), key, value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  await producer.close();
}

beforeAll(async () => {
  h = await startServiceHarness({ name: 'guarantee_fund', service: guaranteeFundService({ clock: () => new Date(NOW) }), tenant: TENANT, observe: ['guarantee.guarantee'] });
  tokens.director = await h.token({ role: 'ccasDirector', userId: 'dir-laval', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.officer = await h.token({ role: 'guarantorOfficer', userId: 'fcs-olivier', organisationId: 'fcs', organisationKind: 'guarantor' });
  tokens.socialWorker = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
  tokens.auditor = await h.token({ role: 'auditor', userId: 'audit-alice', organisationId: 'audit-firm', organisationKind: 'auditor' });
  tokens.admin = await h.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
  tokens.otherDirector = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
});

afterAll(async () => {
  await h?.close();
});

describe('a guarantee requested through HTTP', () => {
  it('is granted within the envelope, refused beyond it, and granted on reconsideration once the board raised it', async () => {
    const guarantorId = await ccasGuarantor(60_000);
    const first = `loan-${short()}`;
    const granted = await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: requestBody(first) });
    expect(granted.status).toBe(201);
    expect(granted.body).toMatchObject({ loanId: first, status: 'granted', guarantorId, guaranteedCents: 50_000, events: [{ type: 'GuaranteeRequested' }, { type: 'GuaranteeGranted' }] });

    const second = `loan-${short()}`;
    const refused = await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: requestBody(second) });
    expect(refused.status).toBe(201);
    expect(refused.body).toMatchObject({ status: 'refused', reasonCode: 'INSUFFICIENT_HEADROOM' });
    const stillShort = await call('POST', `/tenants/${TENANT}/guarantees/${second}/reconsiderations`, tokens.director, { body: {} });
    expect([stillShort.status, stillShort.body.code]).toEqual([409, 'INSUFFICIENT_HEADROOM']);

    expect((await call('POST', `/tenants/${TENANT}/envelopes/${guarantorId}/capacity-votes`, tokens.director, { body: { capacityCents: 100_000, decisionDate: '2026-03-09', decisionReference: 'CA-2026-03-09-1' } })).status).toBe(201);
    const reconsidered = await call('POST', `/tenants/${TENANT}/guarantees/${second}/reconsiderations`, tokens.director, { body: {} });
    expect(reconsidered.status).toBe(200);
    expect(reconsidered.body).toMatchObject({ status: 'granted', events: [{ type: 'GuaranteeGranted' }] });

    const envelope = await eventually('the envelope full', async () => {
      const row = await envelopeOf(guarantorId);
      return row?.reservedCents === 100_000 ? row : undefined;
    });
    expect(envelope).toMatchObject({ capacityCents: 100_000, reservedCents: 100_000, consumedCents: 0, headroomCents: 0 });
    const lower = await call('POST', `/tenants/${TENANT}/envelopes/${guarantorId}/capacity-votes`, tokens.director, { body: { capacityCents: 99_999, decisionDate: '2026-03-09', decisionReference: 'CA-2026-03-09-2' } });
    expect([lower.status, lower.body.code, lower.body.field]).toEqual([409, 'CAPACITY_BELOW_COMMITMENTS', 'capacityCents']);
  });

  it('refuses a product with no guarantor configured, and answers bad input, other tenants and other roles without writing', async () => {
    const loanId = `loan-${short()}`;
    const unconfigured = await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: { ...requestBody(loanId), product: 'autonomyHealth' } });
    expect(unconfigured.body).toMatchObject({ status: 'refused', reasonCode: 'GUARANTOR_NOT_CONFIGURED' });
    // A loan signed again asks anew, and is refused again for the same reason.
    const again = await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: { ...requestBody(loanId), product: 'autonomyHealth' } });
    expect([again.status, again.body.status, again.body.reasonCode]).toEqual([201, 'refused', 'GUARANTOR_NOT_CONFIGURED']);

    const fresh = `loan-${short()}`;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...requestBody(fresh), principalCents: 0 }, 'principalCents'],
      [{ ...requestBody(fresh), principalCents: 10.5 }, 'principalCents'],
      [{ ...requestBody(fresh), product: 'payday' }, 'product'],
      [{ ...requestBody(fresh), beneficiaryName: 'Anne' }, 'beneficiaryName'],
      [{ ...requestBody(fresh), loanId: 'a loan' }, 'loanId'],
    ];
    for (const [body, field] of cases) {
      const reply = await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body });
      expect([reply.status, reply.body.code, reply.body.field]).toEqual([400, 'VALIDATION_FAILED', field]);
    }
    const claimBad = await call('POST', `/tenants/${TENANT}/guarantees/${loanId}/claim-payments`, tokens.officer, { body: { paidOn: '2026-02-30' } });
    expect([claimBad.status, claimBad.body.field]).toEqual([400, 'paidOn']);
    const claimEarly = await call('POST', `/tenants/${TENANT}/guarantees/${loanId}/claim-payments`, tokens.officer, { body: { paidOn: '2026-03-10' } });
    expect([claimEarly.status, claimEarly.body.code]).toEqual([409, 'CLAIM_BEFORE_DEFAULT']);
    expect((await call('POST', `/tenants/${TENANT}/guarantees`, tokens.otherDirector, { body: requestBody(fresh) })).status).toBe(404);
    expect((await call('POST', `/tenants/${TENANT}/guarantees`, tokens.socialWorker, { body: requestBody(fresh) })).status).toBe(403);
    expect((await call('POST', `/tenants/${TENANT}/guarantees`, tokens.auditor, { body: requestBody(fresh) })).status).toBe(403);
    expect((await call('GET', `/tenants/${TENANT}/guarantees`, tokens.socialWorker)).status).toBe(403);
    expect((await call('GET', `/tenants/${TENANT}/guarantees/${fresh}`, tokens.auditor)).body.code).toBe('GUARANTEE_NOT_FOUND');
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1`, [`guarantee-${fresh}`])).toBe(0);
  });

  it('grants exactly 7 of 20 guarantees requested at once against an envelope that holds 7, leaving headroom exactly 0', async () => {
    const guarantorId = await ccasGuarantor(7 * 50_000);
    const loans = Array.from({ length: 20 }, () => `loan-${short()}`);
    const replies = await Promise.all(loans.map((loanId, i) => call('POST', `/tenants/${TENANT}/guarantees`, i % 2 ? tokens.officer : tokens.director, { body: requestBody(loanId), key: `req-${loanId}` })));
    expect(tally(replies)).toEqual({ 201: 20 });
    const statuses = replies.map((reply) => reply.body.status);
    expect(statuses.filter((status) => status === 'granted')).toHaveLength(7);
    expect(statuses.filter((status) => status === 'refused')).toHaveLength(13);
    expect(replies.filter((reply) => reply.body.status === 'refused').every((reply) => reply.body.reasonCode === 'INSUFFICIENT_HEADROOM')).toBe(true);
    // Nothing lost: every loan has its two events, the envelope exactly seven reservations.
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = ANY($1::text[])`, [loans.map((loanId) => `guarantee-${loanId}`)])).toBe(40);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'EnvelopeReserved'`, [`envelope-${guarantorId}`])).toBe(7);
    const envelope = await eventually('the envelope read model', async () => {
      const row = await envelopeOf(guarantorId);
      return row?.reservedCents === 350_000 ? row : undefined;
    });
    expect(envelope).toMatchObject({ capacityCents: 350_000, reservedCents: 350_000, headroomCents: 0 });
    const listed = await eventually('the 20 guarantees in the read model', async () => {
      const rows = ((await call('GET', `/tenants/${TENANT}/guarantees`, tokens.auditor)).body.guarantees as Array<Record<string, unknown>>).filter((row) => loans.includes(row.loanId as string));
      return rows.length === 20 && rows.every((row) => row.status !== 'requested') ? rows : undefined;
    });
    expect(listed.filter((row) => row.status === 'granted')).toHaveLength(7);
    // A replay of the same Idempotency-Key answers the same, and writes nothing.
    const replay = await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: requestBody(loans[0]!), key: `req-${loans[0]}` });
    expect([replay.status, replay.body.status, replay.headers.get('idempotent-replayed')]).toEqual([201, replies[0]!.body.status, 'true']);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1`, [`guarantee-${loans[0]}`])).toBe(2);
    // A bank's advisor sees its own bank's guarantees only.
    const ownBank = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
    const otherBank = await h.token({ role: 'bankAdvisor', userId: 'bank-zoe', organisationId: 'bank-other', organisationKind: 'bank' });
    const seen = (await call('GET', `/tenants/${TENANT}/guarantees`, ownBank)).body.guarantees as Array<Record<string, unknown>>;
    expect(seen.filter((row) => loans.includes(row.loanId as string))).toHaveLength(20);
    expect((await call('GET', `/tenants/${TENANT}/guarantees`, otherBank)).body.guarantees).toEqual([]);
    expect((await call('GET', `/tenants/${TENANT}/guarantees/${loans[0]}`, otherBank)).status).toBe(404);
  });
});

describe('a guarantee driven by lending’s facts on Kafka', () => {
  it('is requested on signature, activated on disbursement, falls with principal repaid, is called on default; its claim is paid and a recovery shared', async () => {
    const guarantorId = await ccasGuarantor(1_000_000);
    const loanId = `loan-${short()}`;
    const ids = { tenantId: TENANT, loanId };
    await publish(offerSignedV1, { ...ids, bankPartnerId: 'bank-parcours', product: 'restructuring', amountCents: 150_001, termMonths: 24, guarantorKind: 'ccas', guaranteedShareBps: 5_000, firstDueDate: '2026-04-05', signedAt: NOW }, loanId);
    await eventually('the guarantee granted', async () => ((await guaranteeOf(loanId))?.status === 'granted' ? true : undefined), 60_000);
    await publish(loanDisbursedV1, { ...ids, applicationId: `app-${loanId}`, amountCents: 150_001, termMonths: 24, product: 'restructuring', guarantorKind: 'ccas', guaranteedShareBps: 5_000, disbursedAt: '2025-06-12T10:00:00.000Z', firstDueDate: '2025-07-05', nominalRateBps: 200, taegBps: 202 }, loanId);
    await publish(instalmentPaidV1, { ...ids, amountCents: 6_630, principalRepaidCents: 6_380, interestPaidCents: 250, outstandingPrincipalCents: 143_621, paidOn: '2025-07-05', recordedAt: '2025-07-05T10:00:00.000Z' }, loanId);
    await publish(loanDefaultedV1, { ...ids, outstandingPrincipalCents: 143_621, defaultedAt: '2026-01-15T10:00:00.000Z' }, loanId);
    const called = await eventually('the guarantee called', async () => {
      const row = await guaranteeOf(loanId);
      return row?.status === 'called' ? row : undefined;
    }, 30_000);
    // 50 % of 1,436.21 € = 718.105 € → 718.11 €, half-up to the cent.
    expect(called).toMatchObject({ guaranteedCents: 75_001, claimCents: 71_811, exposureCents: 71_811 });
    expect(called.exposureHistory).toEqual([
      { on: '2025-06-12', exposureCents: 75_001 },
      { on: '2025-07-05', exposureCents: 71_811 },
      { on: '2026-01-15', exposureCents: 71_811 },
    ]);
    const open = await call('GET', `/tenants/${TENANT}/guarantees/claims?status=open`, tokens.director);
    expect((open.body.claims as Array<Record<string, unknown>>).find((claim) => claim.loanId === loanId)).toMatchObject({ status: 'open', claimCents: 71_811, guarantorId });

    const early = await call('POST', `/tenants/${TENANT}/guarantees/${loanId}/claim-payments`, tokens.officer, { body: { paidOn: '2026-01-14' } });
    expect([early.status, early.body.code]).toEqual([400, 'PAID_ON_BEFORE_CALL']);
    const paid = await call('POST', `/tenants/${TENANT}/guarantees/${loanId}/claim-payments`, tokens.officer, { body: { paidOn: '2026-02-02' } });
    expect(paid.status).toBe(200);
    expect(paid.body).toMatchObject({ status: 'claimPaid', claimCents: 71_811, events: [{ type: 'ClaimPaid' }] });
    const twice = await call('POST', `/tenants/${TENANT}/guarantees/${loanId}/claim-payments`, tokens.officer, { body: { paidOn: '2026-02-03' } });
    expect([twice.status, twice.body.code]).toEqual([409, 'CLAIM_ALREADY_PAID']);
    // A second default of the same loan is no second claim: skipped, nothing written.
    await publish(loanDefaultedV1, { ...ids, outstandingPrincipalCents: 143_621, defaultedAt: '2026-01-16T10:00:00.000Z' }, loanId);
    await publish(recoveryReceivedV1, { ...ids, amountCents: 10_000, receivedAt: '2026-03-01T10:00:00.000Z' }, loanId);
    const recovered = await eventually('the recovery shared', async () => {
      const row = await guaranteeOf(loanId);
      return row && (row.recoveredCents as number) > 0 ? row : undefined;
    }, 30_000);
    // The guarantor paid 718.11 € of 1,436.21 € outstanding: its part of 100 € is 50.00 € (half-up), the bank's 50.00 €.
    expect(recovered).toMatchObject({ status: 'claimPaid', claimPaidOn: '2026-02-02', claimPaidBy: 'fcs-olivier', recoveredCents: 5_000, exposureCents: 0 });
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'GuaranteeCalled'`, [`guarantee-${loanId}`])).toBe(1);
    const envelope = await eventually('the envelope after claim and recovery', async () => {
      const row = await envelopeOf(guarantorId);
      return row?.consumedCents === 71_811 - 5_000 ? row : undefined;
    });
    expect(envelope).toMatchObject({ capacityCents: 1_000_000, reservedCents: 0, consumedCents: 66_811, headroomCents: 1_000_000 - 66_811 });

    const exposure = await call('GET', `/tenants/${TENANT}/guarantees/exposure?asOf=2025-07-04`, tokens.officer);
    expect((exposure.body.byGuarantorAndProduct as Array<Record<string, unknown>>).find((line) => line.guarantorId === guarantorId)).toEqual({ guarantorId, product: 'restructuring', guarantees: 1, exposureCents: 75_001 });
    const later = await call('GET', `/tenants/${TENANT}/guarantees/exposure?asOf=2025-07-05`, tokens.officer);
    expect((later.body.byGuarantor as Array<Record<string, unknown>>).find((line) => line.guarantorId === guarantorId)).toEqual({ guarantorId, guarantees: 1, exposureCents: 71_811 });
    const today = await call('GET', `/tenants/${TENANT}/guarantees/exposure`, tokens.officer);
    expect((today.body.byGuarantor as Array<Record<string, unknown>>).find((line) => line.guarantorId === guarantorId)).toBeUndefined();
    const badDate = await call('GET', `/tenants/${TENANT}/guarantees/exposure?asOf=yesterday`, tokens.officer);
    expect([badDate.status, badDate.body.field]).toEqual([400, 'asOf']);
    const loss = await call('GET', `/tenants/${TENANT}/guarantees/loss-rate`, tokens.director);
    // (718.11 − 50.00) / 750.01 = 8,908 bp.
    expect((loss.body.lossRates as Array<Record<string, unknown>>).find((line) => line.guarantorId === guarantorId)).toEqual({
      guarantorId,
      product: 'restructuring',
      guaranteedCents: 75_001,
      claimsPaidCents: 71_811,
      recoveredCents: 5_000,
      lossCents: 66_811,
      lossRateBps: 8_908,
    });
  });
});

describe('a signed offer withdrawn before disbursement', () => {
  it('releases its guarantee: the envelope holds nothing for it any more, and the fact is published', async () => {
    const guarantorId = await ccasGuarantor(100_000);
    const loanId = `loan-${short()}`;
    const ids = { tenantId: TENANT, loanId };
    await publish(offerSignedV1, { ...ids, bankPartnerId: 'bank-parcours', product: 'restructuring', amountCents: 100_000, termMonths: 12, guarantorKind: 'ccas', guaranteedShareBps: 5_000, firstDueDate: '2026-04-05', signedAt: NOW }, loanId);
    await eventually('the envelope reserved', async () => ((await envelopeOf(guarantorId))?.reservedCents === 50_000 ? true : undefined), 60_000);
    await publish(offerWithdrawnV1, { ...ids, reasonCode: 'TERMS_CHANGED', withdrawnAt: NOW }, loanId);
    await eventually('the guarantee withdrawn', async () => ((await guaranteeOf(loanId))?.status === 'withdrawn' ? true : undefined), 60_000);
    expect(await eventually('the envelope released', async () => {
      const row = await envelopeOf(guarantorId);
      return row?.reservedCents === 0 ? row : undefined;
    })).toMatchObject({ capacityCents: 100_000, reservedCents: 0, headroomCents: 100_000 });
    const published = await eventually('guarantee.guarantee-withdrawn.v1', async () => h.published.find((envelope) => envelope.name === 'guarantee.guarantee-withdrawn.v1' && envelope.payload.loanId === loanId), 45_000);
    expect(published.payload).toEqual({ tenantId: TENANT, loanId, product: 'restructuring', guarantorId, releasedCents: 50_000, withdrawnAt: NOW });
  });
});

describe('concurrent commands and redelivered messages', () => {
  it('pays a claim once when six payments are sent at once, and consumes the envelope once', async () => {
    const guarantorId = await ccasGuarantor(500_000);
    const loanId = `loan-${short()}`;
    const ids = { tenantId: TENANT, loanId };
    await publish(offerSignedV1, { ...ids, bankPartnerId: 'bank-parcours', product: 'restructuring', amountCents: 100_000, termMonths: 12, guarantorKind: 'ccas', guaranteedShareBps: 5_000, firstDueDate: '2025-07-05', signedAt: '2025-06-01T10:00:00.000Z' }, loanId);
    await publish(loanDisbursedV1, { ...ids, applicationId: `app-${loanId}`, amountCents: 100_000, termMonths: 12, product: 'restructuring', guarantorKind: 'ccas', guaranteedShareBps: 5_000, disbursedAt: '2025-06-12T10:00:00.000Z', firstDueDate: '2025-07-05', nominalRateBps: 200, taegBps: 202 }, loanId);
    await publish(loanDefaultedV1, { ...ids, outstandingPrincipalCents: 100_000, defaultedAt: '2026-01-15T10:00:00.000Z' }, loanId);
    await eventually('the guarantee called', async () => ((await guaranteeOf(loanId))?.status === 'called' ? true : undefined), 60_000);
    // A recovery collected before the guarantor pays is held, then shared when the claim is paid.
    await publish(recoveryReceivedV1, { ...ids, amountCents: 20_000, receivedAt: '2026-01-20T10:00:00.000Z' }, loanId);
    await eventually('the recovery held', async () => ((await guaranteeOf(loanId))?.streamVersion === 5 ? true : undefined), 60_000);
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => call('POST', `/tenants/${TENANT}/guarantees/${loanId}/claim-payments`, i % 2 ? tokens.officer : tokens.director, { body: { paidOn: '2026-02-01' } })));
    expect(tally(replies)).toEqual({ 200: 1, 409: 5 });
    expect(replies.filter((reply) => reply.status === 409).every((reply) => reply.body.code === 'CLAIM_ALREADY_PAID')).toBe(true);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'ClaimPaid'`, [`guarantee-${loanId}`])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'EnvelopeConsumed'`, [`envelope-${guarantorId}`])).toBe(1);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'EnvelopeReplenished'`, [`envelope-${guarantorId}`])).toBe(1);
    const shared = await eventually('the held recovery shared', async () => {
      const row = await guaranteeOf(loanId);
      return row?.status === 'claimPaid' && row.recoveredCents === 10_000 ? row : undefined;
    });
    expect(shared).toMatchObject({ claimCents: 50_000, recoveredCents: 10_000 });
  });

  it('applies a message delivered twice once (inbox), and answers concurrent coverage versions one by one', async () => {
    const guarantorId = await ccasGuarantor(500_000);
    const loanId = `loan-${short()}`;
    const envelope = createEnvelope(
      offerSignedV1,
      { tenantId: TENANT, loanId, bankPartnerId: 'bank-parcours', product: 'restructuring', amountCents: 100_000, termMonths: 12, guarantorKind: 'ccas', guaranteedShareBps: 5_000, firstDueDate: '2026-04-05', signedAt: NOW },
      { messageId: randomUUID(), occurredAt: NOW, correlationId: `corr-${loanId}` },
    );
    const producer = await h.transport.producer();
    for (let i = 0; i < 2; i += 1) await producer.send([{ topic: h.topic(offerSignedV1.topic), key: loanId, value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
    await producer.close();
    // A later fact on the same key (same partition, in order): once it is applied, both deliveries were handled.
    await publish(loanDisbursedV1, { tenantId: TENANT, loanId, applicationId: `app-${loanId}`, amountCents: 100_000, termMonths: 12, product: 'restructuring', guarantorKind: 'ccas', guaranteedShareBps: 5_000, disbursedAt: NOW, firstDueDate: '2026-04-05', nominalRateBps: 200, taegBps: 202 }, loanId);
    await eventually('the guarantee active', async () => ((await guaranteeOf(loanId))?.status === 'active' ? true : undefined), 60_000);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1`, [`guarantee-${loanId}`])).toBe(3);
    expect(await count(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'EnvelopeReserved'`, [`envelope-${guarantorId}`])).toBe(1);

    const product = 'autonomyHealth';
    const versions = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        call('POST', `/tenants/${TENANT}/coverage/${product}/versions`, tokens.director, {
          body: { guarantorId: 'fcs', guarantorKind: 'fcs', managerId: `manager-${i}`, shareBps: 5_000, effectiveFrom: '2026-01-01', decisionReference: `CONV-${i}` },
        }),
      ),
    );
    expect(tally(versions)).toEqual({ 201: 8 });
    expect(new Set(versions.map((reply) => reply.body.version))).toEqual(new Set([1, 2, 3, 4, 5, 6, 7, 8]));
    const listed = await call('GET', `/tenants/${TENANT}/coverage/${product}`, tokens.auditor);
    expect((listed.body.versions as unknown[]).length).toBe(8);
    const bad = await call('POST', `/tenants/${TENANT}/coverage/payday/versions`, tokens.director, { body: { guarantorId: 'fcs', guarantorKind: 'fcs', managerId: 'cdc', shareBps: 5_000, effectiveFrom: '2026-01-01', decisionReference: 'CONV-X' } });
    expect([bad.status, bad.body.field]).toEqual([400, 'product']);
  });
});

describe('the guarantee.*.v1 facts and the read models', () => {
  it('publishes each decision on Kafka with ids, codes and amounts only', async () => {
    await ccasGuarantor(50_000);
    const granted = `loan-${short()}`;
    const refused = `loan-${short()}`;
    await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: requestBody(granted) });
    await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: requestBody(refused) });
    const mine = await eventually('the contract messages', async () => {
      const found = h.published.filter((envelope) => envelope.payload.loanId === granted || envelope.payload.loanId === refused);
      return found.length >= 4 ? found : undefined;
    }, 45_000);
    expect(mine.map((envelope) => [envelope.name, envelope.payload.loanId])).toEqual([
      ['guarantee.guarantee-requested.v1', granted],
      ['guarantee.guarantee-granted.v1', granted],
      ['guarantee.guarantee-requested.v1', refused],
      ['guarantee.guarantee-refused.v1', refused],
    ]);
    expect(mine[1]!.payload).toMatchObject({ tenantId: TENANT, guaranteedShareBps: 5_000, guaranteedCents: 50_000, product: 'restructuring', guarantorKind: 'ccas' });
    expect(mine[3]!.payload).toMatchObject({ reasonCode: 'INSUFFICIENT_HEADROOM', requiredCents: 50_000, headroomCents: 0 });
  });

  it('rebuilds the guarantee book and the envelopes from the events into exactly the live read models', async () => {
    await ccasGuarantor(120_000);
    for (let i = 0; i < 3; i += 1) await call('POST', `/tenants/${TENANT}/guarantees`, tokens.director, { body: requestBody(`loan-${short()}`) });
    const snapshot = () =>
      asOwner(async (client) => ({
        guarantees: (await client.query(`SELECT * FROM guarantee_fund.guarantee ORDER BY loan_id`)).rows,
        envelopes: (await client.query(`SELECT * FROM guarantee_fund.envelope ORDER BY guarantor_id`)).rows,
      }));
    const events = await count(`SELECT count(*) AS n FROM es.events WHERE stream_id LIKE 'guarantee-%'`, []);
    const live = await eventually('the live projections to catch up', async () => {
      const rows = await snapshot();
      const applied = rows.guarantees.reduce((sum: number, row: { stream_version: number }) => sum + row.stream_version, 0);
      return applied === events ? rows : undefined;
    });
    for (const name of ['guarantee-book', 'envelope-headroom']) {
      const rebuilt = await call('POST', `/platform/projections/${name}/rebuild`, tokens.admin);
      expect(rebuilt.status).toBe(200);
    }
    expect(await snapshot()).toEqual(live);
    // The CLI's check replays every projection in one rolled-back snapshot and compares it with the live tables.
    const check = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', join(__dirname, '..', 'rebuild.cli.ts'), '--check'], { env: { ...process.env, DATABASE_URL: h.db.appUrl } });
    const results = check.stdout.trim().split('\n').map((line) => JSON.parse(line) as { equal: boolean });
    expect(results).toHaveLength(2);
    expect(results.every((result) => result.equal)).toBe(true);
    const exposureLive = (await call('GET', `/tenants/${TENANT}/guarantees/exposure`, tokens.auditor)).body;
    const lossLive = (await call('GET', `/tenants/${TENANT}/guarantees/loss-rate`, tokens.auditor)).body;
    expect(exposureLive).toMatchObject({ asOf: '2026-03-10' });
    expect(lossLive).toHaveProperty('lossRates');
  });
});
