import { eventually, expectOk, journeyCalendar, moveClocks, type RunningPlatform, startPlatformProcesses } from '@tremplin/testing';

// Issue 11's journey across lending and the guarantee fund, as separate processes on the run's PostgreSQL and
// Kafka (no HTTP call between them): a restructuring loan is refused its guarantee for lack of envelope headroom
// and so cannot be disbursed (409 with a code); the CCAS board raises the envelope; the guarantee is granted; the
// loan is disbursed; an instalment paid lowers the exposure; instalments missed; the default calls the guarantee
// for 50 % of the outstanding principal to the cent; the claim is paid; a recovery is shared pro rata.
jest.setTimeout(600_000);
const TENANT = 'ccas-laval';
const GUARANTOR = 'ccas-laval';
let platform: RunningPlatform;
const tokens = { advisor: '', director: '', officer: '', admin: '' };
// Written as the journey of December 2026 to June 2027; run in the first such months still ahead of the clocks.
const day = journeyCalendar('2026-11-30T00:00:00.000Z').date;
const halfUp = (numerator: number, denominator: number) => Math.floor((2 * numerator + denominator) / (2 * denominator));

const at = (instant: string) => moveClocks(platform, ['lending', 'guarantee-fund'], instant);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => eventually(what, probe, 60_000);

const lending = (method: 'GET' | 'POST', path: string, body?: unknown) => platform.call('lending', method, `/tenants/${TENANT}/loans${path}`, { token: tokens.advisor, ...(body ? { body } : {}) });
const fund = (method: 'GET' | 'POST', path: string, token: string, body?: unknown) => platform.call('guarantee-fund', method, `/tenants/${TENANT}${path}`, { token, ...(body ? { body } : {}) });

beforeAll(async () => {
  // Clocks only move forward from the real now: the journey runs in the coming months, with a usury quarter for its offer.
  const usury = [{ effectiveFrom: day('2026-10-01'), effectiveUntil: day('2026-12-31'), caps: { upTo3000: 2356, from3000To6000: 1587, over6000: 867 } }];
  platform = await startPlatformProcesses({ services: ['lending', 'guarantee-fund'], env: { CLOCK_CONTROL: 'on', DISBURSEMENT_REQUIRES_GUARANTEE: 'true', USURY_CAP_TABLES: JSON.stringify(usury) } });
  tokens.advisor = await platform.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank', tenants: [TENANT] });
  tokens.director = await platform.token({ role: 'ccasDirector', userId: 'dir-laval', organisationId: 'ccas-laval-org', organisationKind: 'ccas', tenants: [TENANT] });
  tokens.officer = await platform.token({ role: 'guarantorOfficer', userId: 'ccas-treasurer', organisationId: 'ccas-laval-org', organisationKind: 'guarantor', tenants: [TENANT] });
  tokens.admin = await platform.token({ role: 'platformAdmin', userId: 'ops-olga', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
});

afterAll(async () => {
  await platform?.stop();
});

describe('a restructuring loan and its CCAS guarantee, across lending and the guarantee fund', () => {
  it('is refused, not disbursable, granted once the board raises the envelope, then disbursed, repaid in part, defaulted, claimed, paid and recovered', async () => {
    await at(day('2026-12-01T09:00:00.000Z'));
    // The CCAS guarantees its restructuring loans at 50 % from an envelope its board voted: 500 €.
    expectOk(
      await fund('POST', '/coverage/restructuring/versions', tokens.director, { guarantorId: GUARANTOR, guarantorKind: 'ccas', managerId: 'ccas-laval', shareBps: 5_000, effectiveFrom: day('2026-01-01'), decisionReference: 'CA-2025-12-10-4' }),
      'coverage',
    );
    expectOk(await fund('POST', `/envelopes/${GUARANTOR}/capacity-votes`, tokens.director, { capacityCents: 50_000, decisionDate: day('2026-11-30'), decisionReference: 'CA-2026-11-30-2' }), 'first vote');

    // A 1,200 € restructuring loan over 12 months: 600 € to guarantee, more than the envelope holds.
    await at(day('2026-12-02T10:00:00.000Z'));
    const application = expectOk(
      await lending('POST', '/applications', { applicationId: 'app-e2e-restructuring', product: 'restructuring', purposeCategory: 'debtRestructuring', requestedAmountCents: 120_000, requestedTermMonths: 12 }),
      'application',
    );
    const loanId = String(application.body.loanId);
    expectOk(await lending('POST', `/${loanId}/approve`, { amountCents: 120_000, termMonths: 12, nominalRateBps: 200 }), 'approval');
    expectOk(await lending('POST', `/${loanId}/offer`, { firstDueDate: day('2027-01-05') }), 'offer');
    expectOk(await lending('POST', `/${loanId}/sign`, { socialWorkerPresent: true, socialWorkerId: 'sw-sophie' }), 'signature');

    const refused = await until('the refusal seen by the advisor', async () => {
      const gate = (await lending('GET', `/${loanId}/guarantee`)).body as { guarantee: { status: string } };
      return gate.guarantee.status === 'refused' ? gate : undefined;
    });
    expect(refused).toEqual({ loanId, loanStatus: 'signed', guarantee: { status: 'refused', reasonCode: 'INSUFFICIENT_HEADROOM', refusedAt: day('2026-12-02T10:00:00.000Z') }, disbursable: false });
    const notDisbursable = await lending('POST', `/${loanId}/disburse`, {});
    expect([notDisbursable.status, notDisbursable.body.code]).toEqual([409, 'GUARANTEE_REFUSED']);
    const guaranteeRefused = (await fund('GET', `/guarantees/${loanId}`, tokens.officer)).body;
    expect(guaranteeRefused).toMatchObject({ status: 'refused', refusalReason: 'INSUFFICIENT_HEADROOM', principalCents: 120_000 });

    // The board raises the envelope to 1,000 €; the fund decides again and grants 600 €.
    await at(day('2026-12-04T10:00:00.000Z'));
    expectOk(await fund('POST', `/envelopes/${GUARANTOR}/capacity-votes`, tokens.director, { capacityCents: 100_000, decisionDate: day('2026-12-03'), decisionReference: 'CA-2026-12-03-1' }), 'raised vote');
    const granted = expectOk(await fund('POST', `/guarantees/${loanId}/reconsiderations`, tokens.director, {}), 'reconsideration');
    expect(granted.body).toMatchObject({ status: 'granted', guaranteedCents: 60_000 });
    await until('the grant seen by lending', async () => ((await lending('GET', `/${loanId}/guarantee`)).body.disbursable === true ? true : undefined));

    expectOk(await lending('POST', `/${loanId}/disburse`, {}), 'disbursement');
    await until('the guarantee active', async () => {
      const row = (await fund('GET', `/guarantees/${loanId}`, tokens.officer)).body;
      return row.status === 'active' ? row : undefined;
    });
    const envelopeFull = ((await fund('GET', '/envelopes', tokens.director)).body.envelopes as Array<Record<string, unknown>>).find((row) => row.guarantorId === GUARANTOR);
    expect(envelopeFull).toMatchObject({ capacityCents: 100_000, reservedCents: 60_000, headroomCents: 40_000 });

    // The first instalment is paid on its due date: the exposure falls to 50 % of the principal left.
    const schedule = (await lending('GET', `/${loanId}/schedule`)).body.lines as Array<{ number: number; dueDate: string; instalment: number; principal: number }>;
    await at(`${schedule[0]!.dueDate}T09:00:00.000Z`);
    expectOk(await lending('POST', `/${loanId}/payments`, { amountCents: schedule[0]!.instalment, paidOn: schedule[0]!.dueDate }), 'first payment');
    const afterPayment = 120_000 - schedule[0]!.principal;
    const reduced = await until('the exposure reduced', async () => {
      const row = (await fund('GET', `/guarantees/${loanId}`, tokens.officer)).body;
      return row.exposureCents !== 60_000 ? row : undefined;
    });
    expect(reduced.exposureCents).toBe(halfUp(afterPayment * 5_000, 10_000));

    // Instalments 2 and 3 are missed; the bank declares the default after its recovery failed.
    await at(`${schedule[1]!.dueDate}T12:00:00.000Z`);
    await at(`${schedule[2]!.dueDate.slice(0, 8)}20T09:00:00.000Z`);
    expectOk(await lending('POST', `/${loanId}/missed-instalments`, { instalmentNumber: 2 }), 'instalment 2 missed');
    expectOk(await lending('POST', `/${loanId}/missed-instalments`, { instalmentNumber: 3 }), 'instalment 3 missed');
    await at(day('2027-05-01T09:00:00.000Z'));
    const defaulted = expectOk(await lending('POST', `/${loanId}/default`, {}), 'default');
    expect(defaulted.body.status).toBe('defaulted');
    const loan = (await lending('GET', `/${loanId}`)).body as Record<string, unknown>;
    const outstanding = JSON.stringify(loan).match(/"outstandingPrincipalCents":(\d+)/);
    expect(outstanding).not.toBeNull();
    const outstandingAtDefault = Number(outstanding![1]);
    expect(outstandingAtDefault).toBe(afterPayment);

    const called = await until('the guarantee called', async () => {
      const row = (await fund('GET', `/guarantees/${loanId}`, tokens.officer)).body;
      return row.status === 'called' ? row : undefined;
    });
    // Claim = 50 % of the outstanding principal at default, rounded half-up to the cent.
    expect(called.claimCents).toBe(halfUp(outstandingAtDefault * 5_000, 10_000));
    const open = (await fund('GET', '/guarantees/claims?status=open', tokens.officer)).body.claims as Array<Record<string, unknown>>;
    expect(open.find((claim) => claim.loanId === loanId)).toMatchObject({ status: 'open', claimCents: called.claimCents, guarantorId: GUARANTOR });

    // The CCAS pays the claim; a recovery the bank collects afterwards is shared pro rata.
    await at(day('2027-05-15T09:00:00.000Z'));
    const paid = expectOk(await fund('POST', `/guarantees/${loanId}/claim-payments`, tokens.officer, { paidOn: day('2027-05-15') }), 'claim payment');
    expect(paid.body).toMatchObject({ status: 'claimPaid', claimCents: called.claimCents });
    await at(day('2027-06-04T09:00:00.000Z'));
    expectOk(await lending('POST', `/${loanId}/recoveries`, { amountCents: 20_000, receivedOn: day('2027-06-04') }), 'recovery');
    const recovered = await until('the recovery shared', async () => {
      const row = (await fund('GET', `/guarantees/${loanId}`, tokens.officer)).body;
      return (row.recoveredCents as number) > 0 ? row : undefined;
    });
    const guarantorPart = halfUp(20_000 * (called.claimCents as number), outstandingAtDefault);
    expect(recovered).toMatchObject({ status: 'claimPaid', claimPaidOn: day('2027-05-15'), claimPaidBy: 'ccas-treasurer', recoveredCents: guarantorPart });
    // The envelope is its own read model: it shows the replenishment once its projection has folded it too.
    const lost = (called.claimCents as number) - guarantorPart;
    const envelope = await until('the envelope replenished', async () => {
      const row = ((await fund('GET', '/envelopes', tokens.director)).body.envelopes as Array<Record<string, unknown>>).find((candidate) => candidate.guarantorId === GUARANTOR);
      return row?.consumedCents === lost ? row : undefined;
    });
    expect(envelope).toMatchObject({ capacityCents: 100_000, reservedCents: 0, consumedCents: lost, headroomCents: 100_000 - lost });
    const loss = (await fund('GET', '/guarantees/loss-rate', tokens.director)).body.lossRates as Array<Record<string, unknown>>;
    expect(loss).toEqual([
      {
        guarantorId: GUARANTOR,
        product: 'restructuring',
        guaranteedCents: 60_000,
        claimsPaidCents: called.claimCents,
        recoveredCents: guarantorPart,
        lossCents: lost,
        lossRateBps: halfUp(lost * 10_000, 60_000),
      },
    ]);
  });
});
