import { journeyCalendar, startPlatformProcesses, type Reply, type RunningPlatform } from '@tremplin/testing';

// Issue 12's interest refund across lending and accompaniment, as separate processes on the run's PostgreSQL and
// Kafka: a classic loan of 1,825 € over 24 months at 3 % is disbursed and repaid on time in lending, instalment by
// instalment; accompaniment hears every payment and the repayment on Kafka and owes back exactly the interest lending
// collected (Tarbes's rule); the referent records the bank details and proposes, a commission member approves, the
// CCAS pays. No HTTP call between the services.
jest.setTimeout(600_000);
const TENANT = 'ccas-tarbes';
let platform: RunningPlatform;
const tokens = { advisor: '', sophie: '', marc: '', director: '', admin: '' };
const day = journeyCalendar('2026-11-30T00:00:00.000Z').date;

function expectOk(reply: Reply, what: string): Reply {
  if (reply.status >= 300) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

async function at(instant: string): Promise<void> {
  for (const service of ['lending', 'accompaniment'] as const) {
    expectOk(await platform.call(service, 'PUT', '/platform/clock', { token: tokens.admin, body: { now: instant, mode: 'frozen' } }), `clock of ${service}`);
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const lending = (method: 'GET' | 'POST', path: string, body?: unknown) => platform.call('lending', method, `/tenants/${TENANT}/loans${path}`, { token: tokens.advisor, ...(body ? { body } : {}) });
const accompaniment = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => platform.call('accompaniment', method, `/tenants/${TENANT}${path}`, { token, ...(body ? { body } : {}) });

beforeAll(async () => {
  const usury = [{ effectiveFrom: day('2026-10-01'), effectiveUntil: day('2026-12-31'), caps: { upTo3000: 2356, from3000To6000: 1587, over6000: 867 } }];
  platform = await startPlatformProcesses({ services: ['lending', 'accompaniment'], env: { CLOCK_CONTROL: 'on', DISBURSEMENT_REQUIRES_GUARANTEE: 'false', USURY_CAP_TABLES: JSON.stringify(usury) } });
  const ccas = { organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: [TENANT] } as const;
  tokens.advisor = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT] });
  tokens.sophie = await platform.token({ role: 'socialWorker', userId: 'sw-sophie', ...ccas });
  tokens.marc = await platform.token({ role: 'commissionMember', userId: 'com-marc', ...ccas });
  tokens.director = await platform.token({ role: 'ccasDirector', userId: 'dir-tarbes', ...ccas });
  tokens.admin = await platform.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
});

afterAll(async () => {
  await platform?.stop();
});

describe('the interest refund of a classic loan repaid on time, across lending and accompaniment', () => {
  it('refunds exactly the interest lending collected, proposed by the referent, approved by the commission, paid', async () => {
    await at(day('2026-12-01T09:00:00.000Z'));
    expectOk(await accompaniment('POST', '/refund-policy/versions', tokens.director, { rule: 'everyCompletedLoan', effectiveFrom: '2009-01-01', decisionReference: 'CA-2009-01' }), 'refund policy');

    await at(day('2026-12-02T10:00:00.000Z'));
    const application = expectOk(
      await lending('POST', '/applications', { applicationId: 'app-e2e-refund', product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 182_500, requestedTermMonths: 24 }),
      'application',
    );
    const loanId = String(application.body.loanId);
    expectOk(await lending('POST', `/${loanId}/approve`, { amountCents: 182_500, termMonths: 24, nominalRateBps: 300 }), 'approval');
    expectOk(await lending('POST', `/${loanId}/offer`, { firstDueDate: day('2027-01-05') }), 'offer');
    expectOk(await lending('POST', `/${loanId}/sign`, { socialWorkerPresent: true, socialWorkerId: 'sw-sophie' }), 'signature');
    await at(day('2026-12-05T10:00:00.000Z'));
    expectOk(await lending('POST', `/${loanId}/disburse`, {}), 'disbursement');

    const schedule = (await lending('GET', `/${loanId}/schedule`)).body.lines as Array<{ number: number; dueDate: string; instalment: number; interest: number }>;
    expect(schedule).toHaveLength(24);
    const scheduledInterest = schedule.reduce((sum, line) => sum + line.interest, 0);
    for (const line of schedule) {
      await at(`${line.dueDate}T09:00:00.000Z`);
      expectOk(await lending('POST', `/${loanId}/payments`, { amountCents: line.instalment, paidOn: line.dueDate }), `payment ${line.number}`);
    }
    const loan = (await lending('GET', `/${loanId}`)).body as { status?: string };
    expect(loan.status).toBe('repaid');

    const owed = await until('the refund owed in accompaniment', async () => {
      const reply = await accompaniment('GET', `/refunds/${loanId}`, tokens.sophie);
      return reply.status === 200 && reply.body.status === 'owed' ? reply.body : undefined;
    });
    // What lending collected, payment by payment, is what the CCAS owes back: the 5,758 cents of the schedule.
    expect(owed).toMatchObject({ amountCents: scheduledInterest, rule: 'everyCompletedLoan', facts: { interestNotedCents: scheduledInterest, paymentsNoted: 24, lateInstalments: [] } });
    expect(scheduledInterest).toBe(5_758);

    const repaidOn = schedule[23]!.dueDate;
    await at(`${repaidOn}T15:00:00.000Z`);
    expectOk(await accompaniment('POST', `/refunds/${loanId}/bank-details`, tokens.sophie, { personId: 'ben-e2e-refund', iban: 'FR76 3000 6000 0112 3456 7890 189', holder: 'Camille Martin' }), 'bank details');
    expectOk(await accompaniment('POST', `/refunds/${loanId}/proposal`, tokens.sophie, {}), 'proposal');
    expectOk(await accompaniment('POST', `/refunds/${loanId}/approval`, tokens.marc, { decisionReference: 'COM-E2E-1' }), 'approval');
    const paid = expectOk(await accompaniment('POST', `/refunds/${loanId}/payment`, tokens.sophie, { paidOn: repaidOn, paymentReference: 'VIR-E2E-1' }), 'payment');
    expect(paid.body).toMatchObject({ status: 'paid', amountCents: 5_758 });
    const year = Number(repaidOn.slice(0, 4));
    const totals = await until('the year’s total', async () => {
      const years = (await accompaniment('GET', '/refunds/totals', tokens.sophie)).body.years as Array<{ year: number; paidCents: number }>;
      return years.find((candidate) => candidate.year === year && candidate.paidCents === 5_758);
    });
    expect(totals).toMatchObject({ refundsPaid: 1, paidCents: 5_758, optionalAidBudgetCents: null, shareOfBudgetBps: null });
  });
});
