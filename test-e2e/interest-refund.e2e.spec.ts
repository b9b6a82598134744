import { eventually, expectOk, journeyCalendar, moveClocks, type RunningPlatform, startPlatformProcesses } from '@tremplin/testing';

// Issue 12's interest refund across lending and accompaniment, as separate processes on the run's PostgreSQL and
// Kafka: a classic loan of 1,825 € over 24 months at 3 % is disbursed and repaid on time in lending, instalment by
// instalment; accompaniment hears every payment and the repayment on Kafka and owes back exactly the interest lending
// collected (Tarbes's rule); the referent records the bank details and proposes, a commission member approves, the
// CCAS pays. No HTTP call between the services.
jest.setTimeout(600_000);
const TENANT = 'ccas-tarbes';
const LAVAL = 'ccas-laval';
let platform: RunningPlatform;
const tokens = { advisor: '', sophie: '', marc: '', director: '', admin: '' };
const day = journeyCalendar('2026-11-30T00:00:00.000Z').date;

const at = (instant: string) => moveClocks(platform, ['lending', 'accompaniment'], instant);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, 60_000);

const lending = (method: 'GET' | 'POST', path: string, body?: unknown, tenant = TENANT, token = tokens.advisor) => platform.call('lending', method, `/tenants/${tenant}/loans${path}`, { token, ...(body ? { body } : {}) });
const accompaniment = (method: 'GET' | 'POST', path: string, token: string, body?: unknown, tenant = TENANT) => platform.call('accompaniment', method, `/tenants/${tenant}${path}`, { token, ...(body ? { body } : {}) });

beforeAll(async () => {
  const caps = { upTo3000: 2356, from3000To6000: 1587, over6000: 867 };
  const usury = [
    { effectiveFrom: day('2026-10-01'), effectiveUntil: day('2026-12-31'), caps },
    { effectiveFrom: day('2029-01-01'), effectiveUntil: day('2029-03-31'), caps },
  ];
  platform = await startPlatformProcesses({ services: ['lending', 'accompaniment'], env: { CLOCK_CONTROL: 'on', DISBURSEMENT_REQUIRES_GUARANTEE: 'false', USURY_CAP_TABLES: JSON.stringify(usury) } });
  const ccas = { organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: [TENANT, LAVAL] } as const;
  tokens.advisor = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT, LAVAL] });
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

type Line = { number: number; dueDate: string; instalment: number; interest: number; interestPaid: number };
const scheduleOf = async (loanId: string, tenant: string) => (await lending('GET', `/${loanId}/schedule`, undefined, tenant)).body.lines as Line[];
const plusDays = (dueDate: string, days: number) => new Date(Date.parse(`${dueDate}T09:00:00.000Z`) + days * 86_400_000).toISOString();

/**
 * The same classic loan in each CCAS, stepped together (the clocks never go back): the 5th instalment missed and paid
 * ten days late, then six more months (asked by the social worker, approved by the bank), repaid to the end. Written
 * from January 2029, after the first loan's end.
 */
async function lateAndExtendedLoans(tenants: readonly string[]): Promise<Array<{ tenant: string; loanId: string; interestPaidCents: number; scheduledInterest: number }>> {
  await at(day('2029-01-02T10:00:00.000Z'));
  const loans: Array<{ tenant: string; loanId: string }> = [];
  for (const tenant of tenants) {
    const application = expectOk(
      await lending('POST', '/applications', { applicationId: `app-e2e-late-${tenant}`, product: 'classic', purposeCategory: 'mobility', requestedAmountCents: 182_500, requestedTermMonths: 24 }, tenant),
      'application',
    );
    const loanId = String(application.body.loanId);
    expectOk(await lending('POST', `/${loanId}/approve`, { amountCents: 182_500, termMonths: 24, nominalRateBps: 300 }, tenant), 'approval');
    expectOk(await lending('POST', `/${loanId}/offer`, { firstDueDate: day('2029-02-05') }, tenant), 'offer');
    expectOk(await lending('POST', `/${loanId}/sign`, { socialWorkerPresent: false }, tenant), 'signature');
    loans.push({ tenant, loanId });
  }
  await at(day('2029-01-05T10:00:00.000Z'));
  for (const { tenant, loanId } of loans) expectOk(await lending('POST', `/${loanId}/disburse`, {}, tenant), 'disbursement');
  const original = await scheduleOf(loans[0]!.loanId, loans[0]!.tenant);
  const payAll = async (line: Line) => {
    for (const { tenant, loanId } of loans) expectOk(await lending('POST', `/${loanId}/payments`, { amountCents: line.instalment, paidOn: line.dueDate }, tenant), `payment ${line.number}`);
  };
  for (const line of original.slice(0, 4)) {
    await at(`${line.dueDate}T09:00:00.000Z`);
    await payAll(line);
  }
  const fifth = original[4]!;
  await at(plusDays(fifth.dueDate, 3));
  for (const { tenant, loanId } of loans) expectOk(await lending('POST', `/${loanId}/missed-instalments`, { instalmentNumber: 5 }, tenant), 'instalment 5 missed');
  const lateOn = plusDays(fifth.dueDate, 10);
  await at(lateOn);
  for (const { tenant, loanId } of loans) {
    expectOk(await lending('POST', `/${loanId}/payments`, { amountCents: fifth.instalment, paidOn: lateOn.slice(0, 10) }, tenant), 'instalment 5 paid late');
    expectOk(await lending('POST', `/${loanId}/rescheduling-requests`, { kind: 'termExtension', additionalMonths: 6 }, tenant, tokens.sophie), 'extension asked');
    const pending = (await lending('GET', `/${loanId}`, undefined, tenant)).body.pendingReschedulingRequests as Array<{ requestId: string }>;
    expectOk(await lending('POST', `/${loanId}/rescheduling-requests/${pending[0]!.requestId}/approve`, {}, tenant), 'extension approved');
  }
  const extended = await scheduleOf(loans[0]!.loanId, loans[0]!.tenant);
  expect(extended).toHaveLength(30);
  for (const line of extended.slice(5)) {
    await at(`${line.dueDate}T09:00:00.000Z`);
    await payAll(line);
  }
  const scheduledInterest = original.reduce((sum, line) => sum + line.interest, 0);
  const results = [];
  for (const { tenant, loanId } of loans) {
    const loan = (await lending('GET', `/${loanId}`, undefined, tenant)).body as { status: string; everLate: boolean; figures: { interestPaidCents: number } };
    expect([loan.status, loan.everLate]).toEqual(['repaid', true]);
    // What lending collected is the interest of the lines as they were paid.
    const paidLines = await scheduleOf(loanId, tenant);
    expect(loan.figures.interestPaidCents).toBe(paidLines.reduce((sum, line) => sum + line.interestPaid, 0));
    results.push({ tenant, loanId, interestPaidCents: loan.figures.interestPaidCents, scheduledInterest });
  }
  return results;
}

const refundOf = (loanId: string, tenant: string, status: string) =>
  until(`the refund ${status} in ${tenant}`, async () => {
    const reply = await accompaniment('GET', `/refunds/${loanId}`, tokens.sophie, undefined, tenant);
    return reply.status === 200 && reply.body.status === status ? reply.body : undefined;
  });

describe('a loan with a late instalment and a term extension, across lending and accompaniment', () => {
  it('is refunded the interest lending actually collected under the Tarbes rule, and nothing under the Laval rule', async () => {
    await at(day('2029-01-01T09:00:00.000Z'));
    expectOk(await accompaniment('POST', '/refund-policy/versions', tokens.director, { rule: 'noLateInstalment', effectiveFrom: '2009-01-01', decisionReference: 'CA-2009-02' }, LAVAL), 'Laval policy');
    const [tarbes, laval] = await lateAndExtendedLoans([TENANT, LAVAL]);
    // Six more months of interest: more than the original schedule's 5,758 cents.
    expect(tarbes!.interestPaidCents).toBeGreaterThan(tarbes!.scheduledInterest);
    const owed = await refundOf(tarbes!.loanId, TENANT, 'owed');
    expect(owed).toMatchObject({ amountCents: tarbes!.interestPaidCents, rule: 'everyCompletedLoan', facts: { interestNotedCents: tarbes!.interestPaidCents, lateInstalments: [5], reschedulings: 1 } });
    const notOwed = await refundOf(laval!.loanId, LAVAL, 'notOwed');
    expect(notOwed).toMatchObject({ reason: 'LATE_INSTALMENT', interestPaidCents: laval!.interestPaidCents, rule: 'noLateInstalment' });
    expect(notOwed).not.toHaveProperty('amountCents');
  });
});
