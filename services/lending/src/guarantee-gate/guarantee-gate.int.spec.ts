import { randomUUID } from 'node:crypto';
import { createEnvelope, guaranteeGrantedV1, guaranteeRefusedV1, headersOf, type Contract, type PayloadSchema } from '@tremplin/contracts';
import { eventually, startServiceHarness, tally, type Reply, type ServiceHarness } from '@tremplin/testing';
import type { z } from 'zod';
import { loanIdOf } from '../loan/loan.handler';
import { lendingService } from '../service';

// The disbursement gate on real PostgreSQL and Kafka: a signed loan publishes lending.offer-signed.v1 and waits
// (awaitingGuarantee, 409 on disbursement) until guarantee.guarantee-granted.v1 arrives; a refusal is a 409 that
// says so; the fund's answers come over Kafka only.
jest.setTimeout(120_000);
const TENANT = 'ccas-laval';
const NOW = '2025-11-03T10:00:00.000Z';
let h: ServiceHarness;
let anne = '';
let otherBank = '';
const call = (method: 'GET' | 'POST', path: string, options: { body?: unknown; key?: string; token?: string } = {}): Promise<Reply> => h.call(method, path, { ...options, token: options.token ?? anne });

async function signedLoan(): Promise<string> {
  const applicationId = `app-${randomUUID().slice(0, 8)}`;
  const loanId = loanIdOf(TENANT, applicationId);
  const steps: Array<[string, unknown]> = [
    ['/applications', { applicationId, product: 'restructuring', purposeCategory: 'debtRestructuring', requestedAmountCents: 100_000, requestedTermMonths: 12 }],
    [`/${loanId}/approve`, { amountCents: 100_000, termMonths: 12, nominalRateBps: 200 }],
    [`/${loanId}/offer`, { firstDueDate: '2025-12-05' }],
    [`/${loanId}/sign`, { socialWorkerPresent: false }],
  ];
  for (const [path, body] of steps) {
    const reply = await call('POST', `/tenants/${TENANT}/loans${path}`, { body });
    if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  }
  return loanId;
}

async function answer<S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>): Promise<void> {
  const producer = await h.transport.producer();
  const envelope = createEnvelope(contract, payload, { messageId: randomUUID(), occurredAt: NOW, correlationId: randomUUID() });
  await producer.send([{ topic: h.topic(contract.topic), key: contract.key(payload as never), value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  await producer.close();
}
const granted = (loanId: string) => ({
  tenantId: TENANT,
  loanId,
  guarantorId: 'ccas-laval',
  guarantorKind: 'ccas' as const,
  product: 'restructuring' as const,
  guaranteedShareBps: 5_000,
  guaranteedCents: 50_000,
  coverageVersion: 1,
  grantedAt: NOW,
});
const gateOf = async (loanId: string) => (await call('GET', `/tenants/${TENANT}/loans/${loanId}/guarantee`)).body;

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'lending_gate',
    service: lendingService({ clock: () => new Date(NOW) }),
    tenant: TENANT,
    observe: ['lending.loan'],
    env: { DISBURSEMENT_REQUIRES_GUARANTEE: 'true', GUARANTEE_ANSWER_TIMEOUT_HOURS: '48' },
  });
  anne = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
  otherBank = await h.token({ role: 'bankAdvisor', userId: 'bank-zoe', organisationId: 'bank-other', organisationKind: 'bank' });
});

afterAll(async () => {
  await h?.close();
});

describe('the disbursement gate', () => {
  it('asks for the guarantee on signature and refuses to disburse until it is granted', async () => {
    const loanId = await signedLoan();
    const signed = await eventually('lending.offer-signed.v1 on Kafka', async () => h.published.find((envelope) => envelope.name === 'lending.offer-signed.v1' && envelope.payload.loanId === loanId), 45_000);
    expect(signed.payload).toMatchObject({ tenantId: TENANT, product: 'restructuring', amountCents: 100_000, termMonths: 12, guarantorKind: 'ccas', guaranteedShareBps: 5_000 });

    expect(await gateOf(loanId)).toEqual({ loanId, loanStatus: 'signed', guarantee: { status: 'awaitingGuarantee', since: NOW, overdue: false }, disbursable: false });
    const early = await call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {} });
    expect([early.status, early.body.code, early.body.field]).toEqual([409, 'GUARANTEE_NOT_GRANTED', 'loanId']);

    await answer(guaranteeGrantedV1, granted(loanId));
    await eventually('the grant noted', async () => ((await gateOf(loanId)).disbursable === true ? true : undefined), 45_000);
    expect((await gateOf(loanId)).guarantee).toEqual({ status: 'granted', guarantorId: 'ccas-laval', guaranteedCents: 50_000, grantedAt: NOW });
    const disbursed = await call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {} });
    expect(disbursed.status).toBe(200);
    expect(disbursed.body).toMatchObject({ status: 'repaying', events: [{ type: 'FundsDisbursed' }] });
  });

  it('answers a clear 409 with the reason while the guarantee is refused, and lets the loan go once granted on reconsideration', async () => {
    const loanId = await signedLoan();
    await answer(guaranteeRefusedV1, { tenantId: TENANT, loanId, product: 'restructuring', guarantorId: 'ccas-laval', reasonCode: 'INSUFFICIENT_HEADROOM', requiredCents: 50_000, headroomCents: 20_000, refusedAt: NOW });
    const refused = await eventually('the refusal noted', async () => {
      const gate = await gateOf(loanId);
      return (gate.guarantee as { status: string }).status === 'refused' ? gate : undefined;
    }, 45_000);
    expect(refused.guarantee).toEqual({ status: 'refused', reasonCode: 'INSUFFICIENT_HEADROOM', refusedAt: NOW });
    // Every concurrent attempt is refused the same way, and nothing is recorded.
    const attempts = await Promise.all(Array.from({ length: 5 }, () => call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {} })));
    expect(tally(attempts)).toEqual({ 409: 5 });
    expect(attempts.every((reply) => reply.body.code === 'GUARANTEE_REFUSED' && String(reply.body.message).includes('INSUFFICIENT_HEADROOM'))).toBe(true);
    const funds = await h.asTenant(TENANT, async (client) => Number((await client.query(`SELECT count(*) AS n FROM es.events WHERE stream_id = $1 AND type = 'FundsDisbursed'`, [`loan-${loanId}`])).rows[0].n));
    expect(funds).toBe(0);

    await answer(guaranteeGrantedV1, granted(loanId));
    await eventually('the grant noted', async () => ((await gateOf(loanId)).disbursable === true ? true : undefined), 45_000);
    const replies = await Promise.all(Array.from({ length: 5 }, (_, i) => call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {}, key: `disburse-${loanId}-${i}` })));
    expect(tally(replies)).toEqual({ 200: 1, 409: 4 });
  });

  it('waits for a new answer when the offer is withdrawn and signed again: the earlier grant does not count', async () => {
    const loanId = await signedLoan();
    await answer(guaranteeGrantedV1, granted(loanId));
    await eventually('the grant noted', async () => ((await gateOf(loanId)).disbursable === true ? true : undefined), 45_000);
    expect((await call('POST', `/tenants/${TENANT}/loans/${loanId}/offer-withdrawals`, { body: { reasonCode: 'TERMS_CHANGED' } })).status).toBe(200);
    expect((await call('POST', `/tenants/${TENANT}/loans/${loanId}/offer`, { body: { firstDueDate: '2025-12-05' } })).status).toBe(200);
    expect((await call('POST', `/tenants/${TENANT}/loans/${loanId}/sign`, { body: { socialWorkerPresent: false } })).status).toBe(200);
    expect((await gateOf(loanId)).guarantee).toMatchObject({ status: 'awaitingGuarantee' });
    const stale = await call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {} });
    expect([stale.status, stale.body.code]).toEqual([409, 'GUARANTEE_NOT_GRANTED']);
    await answer(guaranteeGrantedV1, granted(loanId));
    await eventually('the new grant noted', async () => ((await gateOf(loanId)).disbursable === true ? true : undefined), 45_000);
    expect((await call('POST', `/tenants/${TENANT}/loans/${loanId}/disburse`, { body: {} })).status).toBe(200);
  });

  it('shows the gate only to the loan’s own bank', async () => {
    const loanId = await signedLoan();
    expect((await call('GET', `/tenants/${TENANT}/loans/${loanId}/guarantee`, { token: otherBank })).status).toBe(404);
    expect((await call('GET', `/tenants/${TENANT}/loans/unknown-loan/guarantee`)).status).toBe(404);
    expect((await call('GET', `/tenants/${TENANT}/loans/not%20an%20id/guarantee`)).status).toBe(400);
  });
});
