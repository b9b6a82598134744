import { workingDaysBetween } from '@tremplin/finance';
import { journeyCalendar, startPlatformProcesses, type Reply, type RunningPlatform } from '@tremplin/testing';

// Issue 12's journey across lending and accompaniment, as separate processes on the run's PostgreSQL and Kafka (no
// HTTP call between them): a restructuring loan is disbursed and gets a mandatory plan; its second instalment is
// missed; the bank's call goes unanswered, which alerts the CCAS; the social worker's first contact is measured from
// the miss; a three-party meeting; social grocery granted and a payment holiday asked from accompaniment, approved in
// lending by a bank advisor (never the social worker who asked); the escalation closes; repayment resumes.
jest.setTimeout(600_000);
const TENANT = 'ccas-laval';
let platform: RunningPlatform;
const tokens = { advisor: '', sophie: '', admin: '' };
// Written as the journey of December 2026 to May 2027; run in the first such months still ahead of the clocks.
const day = journeyCalendar('2026-11-30T00:00:00.000Z').date;

function expectOk(reply: Reply, what: string): Reply {
  if (reply.status >= 300) throw new Error(`${what} answered ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply;
}

/** Both services' clocks to the same instant, frozen. */
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
    if (Date.now() > deadline) {
      // What the services warned about meanwhile (a projection batch retried, a fact skipped) says why.
      const warnings = (['lending', 'accompaniment'] as const).flatMap((service) => platform.logs(service).filter((line) => /"level":(40|50|60)/.test(line)).slice(-10));
      throw new Error(`timed out waiting for ${what}${warnings.length ? `; warnings:\n${warnings.join('\n')}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const lending = (method: 'GET' | 'POST', path: string, body?: unknown, token = tokens.advisor) => platform.call('lending', method, `/tenants/${TENANT}/loans${path}`, { token, ...(body ? { body } : {}) });
const accompaniment = (method: 'GET' | 'POST', path: string, body?: unknown) => platform.call('accompaniment', method, `/tenants/${TENANT}${path}`, { token: tokens.sophie, ...(body ? { body } : {}) });
type Escalation = { ccasAlertedAt: string | null; firstContact: { delayMinutes: number; delayWorkingDays: number; late: boolean } | null; threePartyMeetingAt: string | null; nextStep: string };
const escalationOf = async (loanId: string) => ((await accompaniment('GET', `/plans/${loanId}`)).body.escalation ?? null) as Escalation | null;

beforeAll(async () => {
  const usury = [{ effectiveFrom: day('2026-10-01'), effectiveUntil: day('2026-12-31'), caps: { upTo3000: 2356, from3000To6000: 1587, over6000: 867 } }];
  // The guarantee fund is not part of this journey: lending disburses without waiting for its answer.
  platform = await startPlatformProcesses({ services: ['lending', 'accompaniment'], env: { CLOCK_CONTROL: 'on', DISBURSEMENT_REQUIRES_GUARANTEE: 'false', USURY_CAP_TABLES: JSON.stringify(usury) } });
  tokens.advisor = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT] });
  tokens.sophie = await platform.token({ role: 'socialWorker', userId: 'sw-sophie', organisationId: 'ccas-laval-org', organisationKind: 'ccas', tenants: [TENANT] });
  tokens.admin = await platform.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
});

afterAll(async () => {
  await platform?.stop();
});

describe('a restructuring loan in difficulty, across lending and accompaniment', () => {
  it('escalates from the missed instalment to the CCAS, measures the first contact, and resumes after a holiday the bank approved', async () => {
    // A 1,200 € restructuring loan over 12 months, first instalment on 5 January.
    await at(day('2026-12-02T10:00:00.000Z'));
    const application = expectOk(
      await lending('POST', '/applications', { applicationId: 'app-e2e-accompanied', product: 'restructuring', purposeCategory: 'debtRestructuring', requestedAmountCents: 120_000, requestedTermMonths: 12 }),
      'application',
    );
    const loanId = String(application.body.loanId);
    expectOk(await lending('POST', `/${loanId}/approve`, { amountCents: 120_000, termMonths: 12, nominalRateBps: 200 }), 'approval');
    expectOk(await lending('POST', `/${loanId}/offer`, { firstDueDate: day('2027-01-05') }), 'offer');
    expectOk(await lending('POST', `/${loanId}/sign`, { socialWorkerPresent: true, socialWorkerId: 'sw-sophie' }), 'signature');
    await at(day('2026-12-04T10:00:00.000Z'));
    expectOk(await lending('POST', `/${loanId}/disburse`, {}), 'disbursement');

    // Accompaniment opens the plan from lending.loan-disbursed.v1: mandatory for a restructuring loan.
    const plan = await until('the plan opened from the disbursement', async () => {
      const reply = await accompaniment('GET', `/plans/${loanId}`);
      return reply.status === 200 ? reply.body : undefined;
    });
    expect(plan).toMatchObject({ status: 'open', product: 'restructuring', intensity: 'mandatory', kinds: ['budget'], escalation: null });
    expectOk(await accompaniment('POST', `/plans/${loanId}/definition`, { kinds: ['budget', 'social'], intensity: 'mandatory', referentId: 'sw-sophie', beneficiaryId: 'ben-e2e-1' }), 'plan defined');
    expectOk(await accompaniment('POST', `/plans/${loanId}/charter`, { parties: 'threeParty', signedOn: day('2026-12-04'), bankPartnerId: 'bank-parcours' }), 'charter');

    const schedule = (await lending('GET', `/${loanId}/schedule`)).body.lines as Array<{ number: number; dueDate: string; instalment: number }>;
    await at(`${schedule[0]!.dueDate}T09:00:00.000Z`);
    expectOk(await lending('POST', `/${loanId}/payments`, { amountCents: schedule[0]!.instalment, paidOn: schedule[0]!.dueDate }), 'first payment');

    // Instalment 2 is missed; lending records it three days later.
    const dueDate = schedule[1]!.dueDate;
    const missedAt = day('2027-02-08T08:00:00.000Z');
    await at(missedAt);
    expectOk(await lending('POST', `/${loanId}/missed-instalments`, { instalmentNumber: 2 }), 'instalment 2 missed');
    expect(await until('the escalation opened', () => escalationOf(loanId).then((escalation) => escalation ?? undefined))).toMatchObject({ nextStep: 'bankContact', ccasAlertedAt: null });

    // The bank calls the next day: no answer, so the CCAS is alerted.
    const bankCall = day('2027-02-09T10:00:00.000Z');
    await at(bankCall);
    expectOk(await lending('POST', `/${loanId}/contacts`, { channel: 'phone', outcome: 'noAnswer' }), 'bank contact');
    const alerted = await until('the CCAS alerted', () => escalationOf(loanId).then((escalation) => (escalation?.ccasAlertedAt ? escalation : undefined)));
    expect(alerted).toMatchObject({ ccasAlertedAt: bankCall, nextStep: 'firstCcasContact' });

    // The social worker reaches the person: the delay runs from lending's record of the miss.
    const firstContactAt = day('2027-02-10T08:30:00.000Z');
    await at(day('2027-02-10T09:00:00.000Z'));
    const contact = expectOk(
      await accompaniment('POST', `/plans/${loanId}/contacts`, { channel: 'phone', topics: ['repayment', 'budget'], reached: true, contactedAt: firstContactAt, note: 'Perte d’emploi du conjoint, rendez-vous à trois vendredi' }),
      'first CCAS contact',
    );
    const delayMinutes = (Date.parse(firstContactAt) - Date.parse(missedAt)) / 60_000;
    const delayWorkingDays = workingDaysBetween(dueDate, firstContactAt.slice(0, 10));
    expect(delayMinutes).toBe(2 * 24 * 60 + 30);
    expect((contact.body.escalation as Escalation).firstContact).toEqual({ contactedAt: firstContactAt, delayMinutes, delayWorkingDays, late: delayWorkingDays > 5 });

    // A three-party meeting; the CCAS grants three months of social grocery and asks the bank for a two-month holiday.
    await at(day('2027-02-12T15:00:00.000Z'));
    expectOk(await accompaniment('POST', `/plans/${loanId}/contacts`, { channel: 'threePartyMeeting', topics: ['repayment', 'budget'], reached: true, contactedAt: day('2027-02-12T14:00:00.000Z') }), 'three-party meeting');
    expectOk(await accompaniment('POST', `/plans/${loanId}/supports`, { kind: 'socialGrocery', months: 3, grantedOn: day('2027-02-12') }), 'social grocery');
    const asked = expectOk(await accompaniment('POST', `/plans/${loanId}/rescheduling-requests`, { kind: 'holiday', months: 2 }), 'holiday requested');
    expect(asked.status).toBe(201);
    const listed = await until('the worklist to show the remedies', async () => {
      const rows = (await accompaniment('GET', '/worklist')).body.escalations as Array<Record<string, unknown>>;
      return rows.find((row) => row.loanId === loanId && row.nextStep === 'close');
    });
    expect(listed).toMatchObject({ nextStep: 'close', late: false, firstContactDelayMinutes: delayMinutes, firstContactDelayWorkingDays: delayWorkingDays });

    // Lending records the request (requested by the social worker); a bank advisor approves it, the social worker cannot.
    const pending = await until('the request pending in lending', async () => {
      const requests = (await lending('GET', `/${loanId}`)).body.pendingReschedulingRequests as Array<{ requestId: string; requestedBy: string; request: unknown }> | undefined;
      return requests?.length ? requests[0] : undefined;
    });
    expect(pending).toMatchObject({ requestedBy: 'sw-sophie', request: { kind: 'holiday', months: 2 } });
    const bySocialWorker = await lending('POST', `/${loanId}/rescheduling-requests/${pending.requestId}/approve`, {}, tokens.sophie);
    expect(bySocialWorker.status).toBe(403);
    const approved = expectOk(await lending('POST', `/${loanId}/rescheduling-requests/${pending.requestId}/approve`, {}), 'holiday approved');
    expect((approved.body.events as Array<{ type: string }>).map((event) => event.type)).toEqual(['PaymentHolidayGranted']);

    expectOk(await accompaniment('POST', `/plans/${loanId}/escalation/closure`, { outcome: 'rescheduled' }), 'escalation closed');
    await until('the worklist without the escalation', async () => {
      const rows = (await accompaniment('GET', '/worklist')).body.escalations as Array<{ loanId: string }>;
      return rows.some((row) => row.loanId === loanId) ? undefined : true;
    });

    // Repayment resumes on the first due date after the holiday.
    const after = (await lending('GET', `/${loanId}/schedule`)).body.lines as Array<{ dueDate: string; instalment: number; interestPaid: number; principalPaid: number }>;
    const resumed = after.find((line) => line.dueDate > day('2027-04-05') && line.interestPaid + line.principalPaid === 0)!;
    expect(resumed.dueDate >= day('2027-05-05')).toBe(true);
    await at(`${resumed.dueDate}T09:00:00.000Z`);
    const paid = expectOk(await lending('POST', `/${loanId}/payments`, { amountCents: resumed.instalment, paidOn: resumed.dueDate }), 'payment after the holiday');
    expect((paid.body.events as Array<{ type: string }>).map((event) => event.type)).toContain('InstalmentPaid');
    expect((await lending('GET', `/${loanId}`)).body).toMatchObject({ status: 'repaying', pendingReschedulingRequests: [] });
  });
});
