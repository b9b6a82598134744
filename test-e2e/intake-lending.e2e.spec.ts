import { eventually, expectOk, startPlatformProcesses, type RunningPlatform } from '@tremplin/testing';

// Issue 10's journey across intake and lending as separate processes on the run's PostgreSQL and Kafka (no HTTP
// call between them): a file built over two appointments, a budget, approval at the commission by someone who did
// not build it, eligibility against the product version lending published, transmission → lending receives it → the bank refuses with a reason → the file shows that reason;
// a second file goes through to an approved loan.
jest.setTimeout(600_000);
const TENANT = 'ccas-laval';
let platform: RunningPlatform;
const tokens = { sophie: '', claire: '', advisor: '', director: '' };
const today = () => new Date().toISOString().slice(0, 10);

// Processes run on the real clock: lending needs the usury caps of the current quarter to accept product terms
// (illustrative figures, the shipped table stops at the last published quarter).
function currentQuarterCaps(): string {
  const now = new Date();
  const first = Math.floor(now.getUTCMonth() / 3) * 3;
  const day = (date: Date) => date.toISOString().slice(0, 10);
  return JSON.stringify([{ effectiveFrom: day(new Date(Date.UTC(now.getUTCFullYear(), first, 1))), effectiveUntil: day(new Date(Date.UTC(now.getUTCFullYear(), first + 3, 0))), caps: { upTo3000: 2349, from3000To6000: 1571, over6000: 873 } }]);
}

const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, 90_000);

const intake = (path: string, body: unknown, token = tokens.sophie) => platform.call('intake', 'POST', `/tenants/${TENANT}${path}`, { token, body });
const file = (applicationId: string) => platform.call('intake', 'GET', `/tenants/${TENANT}/applications/${applicationId}`, { token: tokens.sophie });
const loans = async () => (await platform.call('lending', 'GET', `/tenants/${TENANT}/loans`, { token: tokens.advisor })).body.loans as Array<Record<string, unknown>>;

async function transmittedFile(): Promise<string> {
  const person = expectOk(
    await intake('/beneficiaries', {
      identity: { firstName: 'Nadia', lastName: 'Moreau', birthDate: '1985-06-02' },
      contact: { phone: '+33 2 43 11 22 33' },
      situation: { employment: 'employed', housing: 'tenant', incomeSources: ['salary'] },
      household: { personsAged14OrMore: 1, childrenUnder14: 1 },
    }),
    'register',
  ).body.beneficiaryId as string;
  const applicationId = expectOk(
    await intake('/applications', { beneficiaryId: person, product: 'classic', purposeCategory: 'mobility', project: { description: 'a used car' }, requestedAmountCents: 150_000, requestedTermMonths: 24 }),
    'open',
  ).body.applicationId as string;
  for (const topics of [['situation', 'bankStatements'], ['budget', 'project']]) {
    expectOk(await intake(`/applications/${applicationId}/appointments`, { heldOn: today(), durationMinutes: 90, topics }), 'appointment');
  }
  const budget = await intake(`/applications/${applicationId}/budget`, {
    household: { personsAged14OrMore: 1, childrenUnder14: 1 },
    incomes: [{ kind: 'salary', amountCents: 140_000 }],
    charges: [{ kind: 'rent', amountCents: 55_000 }],
    debtsOutstandingCents: 0,
    overdraftCents: 0,
    expectedInstalmentCents: 6_700,
  });
  expectOk(budget, 'budget');
  expectOk(await intake(`/applications/${applicationId}/needs`, { level: 'checkIns', kinds: ['budget'] }), 'needs');
  // Against the product version lending published (the catalogue reaches intake over Kafka).
  await until('the product version in intake', async () => ((await intake(`/applications/${applicationId}/eligibility-check`, {})).status === 200 ? true : undefined));
  expectOk(await intake(`/applications/${applicationId}/submit`, {}), 'submit');
  expectOk(await intake(`/applications/${applicationId}/commission-decision`, { decision: 'approved', reasonCode: 'PROJECT_SOUND' }, tokens.claire), 'commission');
  expectOk(await intake(`/applications/${applicationId}/transmit`, { bankPartnerId: 'bank-parcours' }), 'transmit');
  return applicationId;
}

beforeAll(async () => {
  platform = await startPlatformProcesses({ services: ['intake', 'lending'], env: { USURY_CAP_TABLES: currentQuarterCaps() } });
  const ccas = { organisationId: 'ccas-laval-org', organisationKind: 'ccas', tenants: [TENANT] };
  tokens.sophie = await platform.token({ role: 'socialWorker', userId: 'sw-sophie', ...ccas });
  tokens.claire = await platform.token({ role: 'commissionMember', userId: 'com-claire', ...ccas });
  tokens.director = await platform.token({ role: 'ccasDirector', userId: 'dir-laval', ...ccas });
  tokens.advisor = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT] });
});

afterAll(async () => {
  await platform?.stop();
});

describe('a file from intake to the bank’s answer, across intake and lending', () => {
  it('is refused by the bank with a reason the social worker sees; a second goes through to an approved loan', async () => {
    const terms = { minAmountCents: 30_000, maxAmountCents: 300_000, exceptionMaxAmountCents: 500_000, minTermMonths: 6, maxTermMonths: 36, exceptionMaxTermMonths: 48, maxNominalRateBps: 400, guarantorKind: 'fcs', guaranteedShareBps: 5_000, accompaniment: 'offered', holidayInterest: 'none' };
    expectOk(await platform.call('lending', 'POST', `/tenants/${TENANT}/products/classic/versions`, { token: tokens.director, body: { terms, decisionReference: 'CA-2026-11-28-1' } }), 'product version');
    const refused = await transmittedFile();
    // The file as its list shows it (a read model: a moment behind the commands that just ran).
    const checked = await until('the eligibility on the file', async () => {
      const reply = await file(refused);
      return reply.body.status === 'transmitted' && reply.body.eligible !== null ? reply.body : undefined;
    });
    expect(checked).toMatchObject({ eligible: true, productVersion: 1 });
    const loan = await until('the loan in lending', async () => (await loans()).find((row) => row.applicationId === refused));
    expect(loan).toMatchObject({ status: 'applicationReceived', amountCents: 150_000, bankPartnerId: 'bank-parcours' });
    expectOk(await platform.call('lending', 'POST', `/tenants/${TENANT}/loans/${String(loan.loanId)}/refuse`, { token: tokens.advisor, body: { reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity' } }), 'refuse');
    const closed = await until('the refusal on the file', async () => {
      const reply = await file(refused);
      return reply.body.status === 'closed' ? reply.body : undefined;
    });
    expect(closed).toMatchObject({ outcome: 'bankRefused', reasonCode: 'DEBT_RATIO_TOO_HIGH', reasonCategory: 'repaymentCapacity', loanId: loan.loanId, appointmentsHeld: 2 });

    const approved = await transmittedFile();
    const second = await until('the second loan in lending', async () => (await loans()).find((row) => row.applicationId === approved));
    expectOk(await platform.call('lending', 'POST', `/tenants/${TENANT}/loans/${String(second.loanId)}/approve`, { token: tokens.advisor, body: { amountCents: 150_000, termMonths: 24, nominalRateBps: 300 } }), 'approve');
    const granted = await until('the approval on the file', async () => {
      const reply = await file(approved);
      return reply.body.status === 'closed' ? reply.body : undefined;
    });
    expect(granted).toMatchObject({ outcome: 'loanApproved', loanId: second.loanId, reasonCode: null });
  });
});
