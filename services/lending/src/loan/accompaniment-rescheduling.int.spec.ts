import { randomUUID } from 'node:crypto';
import { createEnvelope, headersOf, reschedulingRequestedV1, type Envelope } from '@tremplin/contracts';
import { eventually, startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import type { z } from 'zod';
import { lendingService } from '../service';

// accompaniment.rescheduling-requested.v1 on real PostgreSQL and Kafka: the social worker's request becomes a pending
// request in lending under their name, approved by a bank advisor through the four-eyes route; a request lending
// cannot take (one already pending, no parameter) is skipped, never dead-lettered; a message delivered twice counts once.
const TENANT = 'ccas-laval';
let now = '2025-11-03T09:00:00.000Z';
let h: ServiceHarness;
const tokens = { anne: '', bruno: '', sophie: '' };
const short = () => randomUUID().slice(0, 8);
const call = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => h.call(method, `/tenants/${TENANT}/loans${path}`, { token, ...(body === undefined ? {} : { body }) });

async function ok(method: 'GET' | 'POST', path: string, token: string, at: string, body?: unknown) {
  now = at;
  const reply = await call(method, path, token, body);
  if (reply.status >= 300) throw new Error(`${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

async function send(envelope: Envelope): Promise<void> {
  const producer = await h.transport.producer();
  await producer.send([{ topic: h.topic(reschedulingRequestedV1.topic), key: String((envelope.payload as { loanId: string }).loanId), value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  await producer.close();
}
const request = (payload: z.input<typeof reschedulingRequestedV1.schema>) =>
  createEnvelope(reschedulingRequestedV1, payload, { messageId: randomUUID(), occurredAt: now, correlationId: `corr-${short()}` }) as Envelope;

/** A 600 € classic loan over 6 months, disbursed and being repaid. */
async function repayingLoan(): Promise<string> {
  const received = await ok('POST', '/applications', tokens.anne, '2025-11-03T09:00:00.000Z', { applicationId: `app-${short()}`, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 60_000, requestedTermMonths: 6 });
  const loanId = String(received.body.loanId);
  await ok('POST', `/${loanId}/approve`, tokens.anne, '2025-11-03T10:00:00.000Z', { amountCents: 60_000, termMonths: 6, nominalRateBps: 300 });
  await ok('POST', `/${loanId}/offer`, tokens.anne, '2025-11-03T10:30:00.000Z', { firstDueDate: '2025-12-05' });
  await ok('POST', `/${loanId}/sign`, tokens.anne, '2025-11-04T14:00:00.000Z', { socialWorkerPresent: true, socialWorkerId: 'sw-sophie' });
  await ok('POST', `/${loanId}/disburse`, tokens.anne, '2025-11-05T09:00:00.000Z', {});
  return loanId;
}
const pendingOf = async (loanId: string) => (await call('GET', `/${loanId}`, tokens.sophie)).body.pendingReschedulingRequests as Array<{ requestId: string; requestedBy: string; request: unknown }>;

beforeAll(async () => {
  h = await startServiceHarness({
    name: 'lending_accompaniment',
    service: lendingService({ clock: () => new Date(now) }),
    tenant: TENANT,
    observe: ['lending.loan'],
    env: { DISBURSEMENT_REQUIRES_GUARANTEE: 'false' },
  });
  tokens.anne = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
  tokens.bruno = await h.token({ role: 'bankAdvisor', userId: 'bank-bruno', organisationId: 'bank-parcours', organisationKind: 'bank' });
  tokens.sophie = await h.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-laval-org', organisationKind: 'ccas' });
});

afterAll(async () => {
  await h?.close();
});

describe('a rescheduling asked from accompaniment', () => {
  it('is pending under the social worker’s name, once however often delivered, and approved by a bank advisor', async () => {
    const loanId = await repayingLoan();
    now = '2025-11-20T09:00:00.000Z';
    const first = request({ tenantId: TENANT, loanId, requestId: `req-${short()}`, kind: 'holiday', months: 1, requestedBy: 'sw-sophie', requestedAt: now });
    await send(first);
    await send(first);
    const pending = await eventually('the request pending in lending', async () => ((await pendingOf(loanId)).length ? pendingOf(loanId) : undefined));
    expect(pending).toEqual([expect.objectContaining({ requestId: (first.payload as { requestId: string }).requestId, requestedBy: 'sw-sophie', request: { kind: 'holiday', months: 1 } })]);

    // Lending takes one request at a time; one without its parameter is not a request. Both are skipped.
    const skipped = [
      request({ tenantId: TENANT, loanId, requestId: `req-${short()}`, kind: 'termExtension', additionalMonths: 3, requestedBy: 'sw-sophie', requestedAt: now }),
      request({ tenantId: TENANT, loanId, requestId: `req-${short()}`, kind: 'instalmentRevision', requestedBy: 'sw-sophie', requestedAt: now }),
    ];
    for (const envelope of skipped) await send(envelope);
    // Handled (in the inbox, so never dead-lettered nor retried), and nothing written.
    const ids = [first, ...skipped].map((envelope) => envelope.messageId);
    await eventually('the three messages in the inbox', async () => {
      const { rows } = await h.asTenant(TENANT, (client) => client.query<{ n: string }>('SELECT count(*) AS n FROM messaging.inbox WHERE message_id = ANY($1::uuid[])', [ids]));
      return Number(rows[0]!.n) === 3 ? true : undefined;
    });
    const history = (await call('GET', `/${loanId}/history`, tokens.sophie)).body.events as Array<{ type: string }>;
    expect(history.filter((event) => event.type === 'ReschedulingRequested')).toHaveLength(1);
    expect(await pendingOf(loanId)).toHaveLength(1);

    const requestId = (first.payload as { requestId: string }).requestId;
    const bySocialWorker = await call('POST', `/${loanId}/rescheduling-requests/${requestId}/approve`, tokens.sophie, {});
    expect(bySocialWorker.status).toBe(403);
    const approved = await ok('POST', `/${loanId}/rescheduling-requests/${requestId}/approve`, tokens.bruno, '2025-11-22T09:00:00.000Z', {});
    expect(approved.body).toMatchObject({ events: [{ type: 'PaymentHolidayGranted' }] });
    const rescheduled = await eventually('lending.loan-rescheduled.v1', async () => h.published.find((message) => message.name === 'lending.loan-rescheduled.v1' && message.payload.loanId === loanId));
    expect(rescheduled.payload).toMatchObject({ kind: 'holiday' });
    expect(await pendingOf(loanId)).toEqual([]);
  });
});
