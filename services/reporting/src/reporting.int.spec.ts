import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { startService } from '@tremplin/service-kit';
import { eventually, kafkaBrokers, startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import type { ConsumedEvent } from './facts/facts';
import { escalation, event, evaluationRecorded, fileOpenedAndDecided, grantedLoan, guaranteeActivated, guaranteeLoss, interestRefundPaid, supportGranted } from './facts/scenario.test-support';
import { publish as publishTo } from './reporting.test-support';
import { service } from './service';

const publish = (events: readonly ConsumedEvent[]) => publishTo(h, events);

// The figures of a scripted scenario, published on Kafka as intake, lending and the guarantee fund publish them,
// read back through the reporting API to the cent: a CCAS sees its own, a federation analyst sees small numbers
// hidden, the log rebuilds every table to the same checksum.

const FEDERATIONS = { 'fed-sud': ['ccas-tarbes', 'ccas-pau'], 'fed-ouest': ['ccas-brest'] };
const run = randomUUID().slice(0, 6);
let h: ServiceHarness;
const tokens = { tarbes: '', brest: '', pau: '', analyst: '', worker: '', admin: '', cdc: '' };

const loans = (tenantId: string, amounts: readonly number[], month: string) =>
  amounts.flatMap((amountCents, i) =>
    grantedLoan({
      tenantId,
      loanId: `${tenantId}-${run}-l${i}`,
      applicationId: `${tenantId}-${run}-a${i}`,
      amountCents,
      transmittedAt: `2026-${month}-02T09:00:00.000Z`,
      approvedAt: `2026-${month}-${String(9 + i).padStart(2, '0')}T09:00:00.000Z`,
      disbursedAt: `2026-${month}-${String(20 + i).padStart(2, '0')}T09:00:00.000Z`,
    }),
  );

// Tarbes: 3 loans (1,500 €, 1,825 €, 2,150 €), one misses two instalments, is warned, rescheduled, defaults and recovers.
const TARBES = [150_000, 182_500, 215_000];
const PAU = [100_000, 120_000, 140_000, 160_000, 180_000, 300_050];
const BREST = [80_000, 90_000, 100_000, 110_000, 120_001];
const troubled = `ccas-tarbes-${run}-l0`;
const SCENARIO: ConsumedEvent[] = [
  ...loans('ccas-tarbes', TARBES, '03'),
  ...loans('ccas-pau', PAU, '04'),
  ...loans('ccas-brest', BREST, '05'),
  event('lending.instalment-paid.v1', 'ccas-tarbes', '2026-04-05T10:00:00.000Z', { loanId: troubled, amountCents: 6_512, principalRepaidCents: 6_012, interestPaidCents: 500, outstandingPrincipalCents: 143_988, paidOn: '2026-04-05', recordedAt: '2026-04-05T10:00:00.000Z' }),
  event('lending.instalment-missed.v1', 'ccas-tarbes', '2026-05-06T10:00:00.000Z', { loanId: troubled, instalmentNumber: 2, dueDate: '2026-05-05', unpaidCount: 1, daysPastDue: 1, arrearsCents: 6_512 }),
  event('lending.instalment-missed.v1', 'ccas-tarbes', '2026-06-06T10:00:00.000Z', { loanId: troubled, instalmentNumber: 3, dueDate: '2026-06-05', unpaidCount: 2, daysPastDue: 32, arrearsCents: 13_024 }),
  event('lending.incident-warning-issued.v1', 'ccas-tarbes', '2026-06-07T10:00:00.000Z', { loanId: troubled, unpaidCount: 2, arrearsCents: 13_024, declarableFrom: '2026-07-07' }),
  event('lending.loan-rescheduled.v1', 'ccas-tarbes', '2026-06-20T10:00:00.000Z', { loanId: troubled, kind: 'holiday', newEndDate: '2028-06-05' }),
  event('lending.loan-defaulted.v1', 'ccas-tarbes', '2026-10-01T10:00:00.000Z', { loanId: troubled, outstandingPrincipalCents: 143_988, defaultedAt: '2026-10-01T10:00:00.000Z' }),
  event('lending.recovery-received.v1', 'ccas-tarbes', '2026-11-02T10:00:00.000Z', { loanId: troubled, amountCents: 30_001, receivedAt: '2026-11-02T10:00:00.000Z' }),
  event('lending.loan-refused.v1', 'ccas-pau', '2026-04-15T10:00:00.000Z', { loanId: `ccas-pau-${run}-r1`, applicationId: `ccas-pau-${run}-r1`, reasonCode: 'DEBT_RATIO', reasonCategory: 'repaymentCapacity', refusedAt: '2026-04-15T10:00:00.000Z' }),
  event('guarantee.envelope-capacity-voted.v1', 'ccas-tarbes', '2026-01-15T10:00:00.000Z', { guarantorId: 'fcs', capacityCents: 5_000_000, previousCapacityCents: 0, reservedCents: 0, headroomCents: 5_000_000, decisionDate: '2026-01-14', decisionReference: 'DEL-2026-01', votedAt: '2026-01-15T10:00:00.000Z' }),
  // Intake: Tarbes's files opened on 2 February, decided by the commission on 23 February.
  ...TARBES.flatMap((_, i) => fileOpenedAndDecided('ccas-tarbes', `ccas-tarbes-${run}-a${i}`, '2026-02-02T09:00:00.000Z', '2026-02-23T09:00:00.000Z')),
  // The guarantee fund covers half of each Tarbes and Pau loan; the troubled loan's guarantee is called, paid, partly recovered, written off.
  ...TARBES.map((cents, i) => guaranteeActivated('ccas-tarbes', `ccas-tarbes-${run}-l${i}`, cents, `2026-03-${20 + i}T09:00:00.000Z`)),
  ...PAU.map((cents, i) => guaranteeActivated('ccas-pau', `ccas-pau-${run}-l${i}`, cents, `2026-04-${20 + i}T09:00:00.000Z`)),
  ...guaranteeLoss('ccas-tarbes', troubled, { outstandingCents: 143_988, claimCents: 71_994, calledAt: '2026-10-02T10:00:00.000Z', paidOn: '2026-10-15', recoveryCents: 30_001, fundShareCents: 15_000, recoveredAt: '2026-11-02T11:00:00.000Z', lossCents: 56_994, writtenOffAt: '2026-11-30T10:00:00.000Z' }),
  // Accompaniment: two escalations of the troubled loan (first CCAS contact after 1.2 days, on time; after 9 days, late),
  // an emergency aid and a referral, an interest refund on another loan, an end-of-loan evaluation.
  ...escalation({ tenantId: 'ccas-tarbes', loanId: troubled, escalationId: `esc-${run}-1`, openedAt: '2026-05-06T10:00:00.000Z', deadlineDate: '2026-05-13', contact: { at: '2026-05-07T14:30:00.000Z', minutes: 1_710, workingDays: 1, late: false } }),
  ...escalation({ tenantId: 'ccas-tarbes', loanId: troubled, escalationId: `esc-${run}-2`, openedAt: '2026-06-06T10:00:00.000Z', deadlineDate: '2026-06-12', contact: { at: '2026-06-15T10:00:00.000Z', minutes: 12_960, workingDays: 6, late: true } }),
  supportGranted('ccas-tarbes', troubled, `sup-${run}-1`, 'emergencyAid', '2026-06-10', 25_000),
  supportGranted('ccas-tarbes', troubled, `sup-${run}-2`, 'referral', '2026-06-11'),
  interestRefundPaid('ccas-tarbes', `ccas-tarbes-${run}-l1`, 5_758, '2026-12-01'),
  evaluationRecorded('ccas-tarbes', `ccas-tarbes-${run}-l2`, '2026-11-20', 'improved', 'satisfied'),
  // Pau: five loans escalated once each, every first contact on time.
  ...[0, 1, 2, 3, 4].flatMap((i) =>
    escalation({ tenantId: 'ccas-pau', loanId: `ccas-pau-${run}-l${i}`, escalationId: `esc-${run}-pau${i}`, openedAt: `2026-07-0${1 + i}T10:00:00.000Z`, deadlineDate: '2026-07-20', contact: { at: `2026-07-0${2 + i}T10:00:00.000Z`, minutes: 1_440, workingDays: 1, late: false } }),
  ),
];

const figures = (token: string, query: string) => h.call('GET', `/reporting/figures?${query}`, { token });
type Row = { key: string; values: Record<string, number | null>; suppressed: string[] };

beforeAll(async () => {
  // This instance's answers read what moved themselves (the tests count them): no warming, no background refresh.
  h = await startServiceHarness({ name: 'reporting', service, tenant: 'ccas-tarbes', env: { REPORTING_FEDERATIONS: JSON.stringify(FEDERATIONS), REPORTING_TALLIES_REFRESH_MS: '0' } });
  tokens.tarbes = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
  tokens.brest = await h.token({ role: 'ccasDirector', userId: 'dir-brest', organisationId: 'ccas-brest-org', organisationKind: 'ccas', tenants: ['ccas-brest'] });
  tokens.pau = await h.token({ role: 'ccasDirector', userId: 'dir-pau', organisationId: 'ccas-pau-org', organisationKind: 'ccas', tenants: ['ccas-pau'] });
  tokens.analyst = await h.token({ role: 'federationAnalyst', userId: 'fa-sud', organisationId: 'fed-sud', organisationKind: 'federation', tenants: ['ccas-tarbes', 'ccas-pau', 'ccas-brest'] });
  tokens.cdc = await h.token({ role: 'guarantorOfficer', userId: 'cdc-1', organisationId: 'cdc', organisationKind: 'guarantor', tenants: ['ccas-tarbes', 'ccas-pau', 'ccas-brest'] });
  tokens.worker = await h.token({ role: 'socialWorker', userId: 'sw-1', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
  tokens.admin = await h.token({ role: 'platformAdmin', userId: 'ops', organisationId: 'platform', organisationKind: 'platform', tenants: [] });
  await publish(SCENARIO);
  // Generous: a fresh single broker can take a while to settle its first consumer group on a busy machine.
  await eventually(
    'every message of the scenario in the figures',
    async () => {
      const total = async (token: string) => ((await figures(token, 'period=2026&groupBy=none')).body.total as Row | undefined)?.values;
      const [all, tarbes, pau] = [await total(tokens.cdc), await total(tokens.tarbes), await total(tokens.pau)];
      const accompanied = tarbes?.guaranteeLossCents === 56_994 && tarbes.evaluationsRecorded === 1 && tarbes.interestRefunds === 1 && tarbes.supportMeasures === 2 && tarbes.escalationsOpened === 2 && tarbes.daysOpeningToCommissionMedian === 21;
      return all?.loansGranted === 14 && tarbes?.recoveries === 1 && pau?.loansRefused === 1 && pau.escalationsOpened === 5 && pau.guaranteesActivated === 6 && accompanied ? true : undefined;
    },
    60_000,
  );
});

afterAll(async () => {
  await h?.close();
});

describe('reporting from the published contracts', () => {
  it('shows a CCAS its own figures to the cent, unsuppressed', async () => {
    const reply = await figures(tokens.tarbes, 'period=2026&groupBy=tenant');
    expect(reply.status).toBe(200);
    expect(reply.body).toMatchObject({ suppression: 'none', tenants: 1 });
    const [row] = reply.body.rows as Row[];
    expect(row.key).toBe('ccas-tarbes');
    expect(row.values).toMatchObject({
      applicationsTransmitted: 3,
      loansApproved: 3,
      loansGranted: 3,
      amountSumCents: 547_500,
      amountMeanCents: 182_500,
      amountMedianCents: 182_500,
      outstandingCents: 143_988 + 182_500 + 215_000,
      missedInstalments: 2,
      loansWithMissedInstalments: 1,
      incidentWarnings: 1,
      reschedulingsHoliday: 1,
      defaults: 1,
      defaultedCents: 143_988,
      recoveries: 1,
      recoveredCents: 30_001,
      daysToDecisionMedian: 8,
      daysToDisbursementMedian: 11,
      envelopeCapacityCents: 5_000_000,
    });
    expect(row.suppressed).toEqual([]);
  });

  it('gives a CCAS its processing times, escalations, supports, refunds, guarantee and evaluations to the cent', async () => {
    const [row] = (await figures(tokens.tarbes, 'period=2026&groupBy=tenant')).body.rows as Row[];
    expect(row.values).toMatchObject({
      // opened 2 Feb → commission 23 Feb (21 days) → the bank's decision 9–11 March (14–16 days) → disbursed 20–22 March (46–48 days from opening)
      daysOpeningToCommissionMedian: 21,
      daysCommissionToDecisionMedian: 15,
      daysCommissionToDecisionP90: 16,
      daysOpeningToDisbursementMedian: 47,
      escalationsOpened: 2,
      escalationsFromMissedInstalment: 2,
      firstContactDelayDaysMedian: 5.1,
      firstContactDelayDaysP90: 9,
      firstContactWithinDeadlinePercent: 50,
      supportMeasures: 2,
      supportEmergencyAid: 1,
      supportReferral: 1,
      supportAidCents: 25_000,
      interestRefunds: 1,
      interestRefundedCents: 5_758,
      guaranteesActivated: 3,
      guaranteedCents: 75_000 + 91_250 + 107_500,
      guaranteeExposureCents: 91_250 + 107_500,
      guaranteeClaims: 1,
      guaranteeClaimCents: 71_994,
      guaranteeClaimsPaidCents: 71_994,
      guarantorRecoveredCents: 15_000,
      guaranteeLossCents: 56_994,
      // 56,994 / 273,750
      guaranteeLossRatePercent: 20.82,
      evaluationsRecorded: 1,
      newProjects: 0,
    });
    const csv = await fetch(`${h.app.url}/reporting/figures?period=2026&groupBy=tenant&format=csv&table=outcomes`, { headers: { authorization: `Bearer ${tokens.tarbes}` } });
    expect((await csv.text()).split('\r\n')).toEqual(expect.arrayContaining(['dimension;code;evaluations', 'employment;improved;1', 'satisfaction;satisfied;1', 'satisfaction;noAnswer;0']));
  });

  it('hides from a federation analyst the escalations, supports, refunds, losses and outcomes of fewer than five people', async () => {
    const reply = await figures(tokens.analyst, 'period=2026&groupBy=tenant');
    const rows = Object.fromEntries((reply.body.rows as Row[]).map((row) => [row.key, row]));
    for (const measure of ['escalationsOpened', 'firstContactDelayDaysMedian', 'firstContactWithinDeadlinePercent', 'supportAidCents', 'interestRefundedCents', 'guaranteeLossCents', 'guaranteeLossRatePercent', 'guaranteedCents', 'evaluationsRecorded'])
      expect([measure, rows['ccas-tarbes']!.values[measure]]).toEqual([measure, null]);
    // Pau's five escalations would give Tarbes's one by subtraction from the total: hidden with it.
    expect(rows['ccas-pau']!.values.escalationsOpened).toBeNull();
    expect((reply.body.total as Row).values).toMatchObject({ escalationsOpened: 7, firstContactDelayDaysMedian: 1, guaranteesActivated: 9, guaranteeLossCents: null, interestRefunds: null, evaluationsRecorded: null, supportMeasures: null });
    const outcomes = reply.body.outcomes as Array<{ dimension: string; codes: Array<{ code: string; count: number | null }> }>;
    expect(outcomes.find((o) => o.dimension === 'employment')!.codes.map((c) => c.count)).toEqual([null, null, null, null]);
  });

  it('hides from a federation analyst every cell that reveals the CCAS of three loans, and its complement', async () => {
    const reply = await figures(tokens.analyst, 'period=2026&groupBy=tenant');
    expect(reply.body.suppression).toBe('smallNumbers');
    const rows = Object.fromEntries((reply.body.rows as Row[]).map((row) => [row.key, row]));
    for (const measure of ['loansGranted', 'amountSumCents', 'amountMeanCents', 'amountMedianCents', 'outstandingCents', 'applicationsTransmitted', 'loansApproved', 'approvalRatePercent'])
      expect([measure, rows['ccas-tarbes']!.values[measure]]).toEqual([measure, null]);
    // Brest (5) is the smallest other CCAS: hidden with Tarbes so the total cannot give Tarbes by subtraction.
    expect(rows['ccas-brest']!.values.loansGranted).toBeNull();
    expect(rows['ccas-pau']!.values).toMatchObject({ loansGranted: 6, amountSumCents: 1_000_050 });
    expect((reply.body.total as Row).values).toMatchObject({ loansGranted: 14, amountSumCents: 547_500 + 1_000_050 + 500_001 });
    // One person's troubles are never shown on a shared view.
    expect((reply.body.total as Row).values).toMatchObject({ missedInstalments: null, defaults: null, recoveredCents: null });
  });

  it('shows the federations, each above the threshold, by federation', async () => {
    const reply = await figures(tokens.analyst, 'period=2026&groupBy=federation');
    expect((reply.body.rows as Row[]).map((row) => [row.key, row.values.loansGranted, row.values.amountSumCents])).toEqual([
      ['fed-ouest', 5, 500_001],
      ['fed-sud', 9, 547_500 + 1_000_050],
    ]);
  });

  it('downloads a table as CSV with the same cells hidden', async () => {
    const response = await fetch(`${h.app.url}/reporting/figures?period=2026&groupBy=tenant&format=csv&table=groups`, { headers: { authorization: `Bearer ${tokens.analyst}` } });
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).trim().split('\r\n').map((line) => line.split(';'));
    const column = lines[0]!.indexOf('loansGranted');
    expect(lines.map((line) => [line[0], line[column]])).toEqual([
      ['tenant', 'loansGranted'],
      ['ccas-brest', ''],
      ['ccas-pau', '6'],
      ['ccas-tarbes', ''],
      ['total', '14'],
    ]);
  });

  it('answers 403 to a role without reporting access, 404 for a CCAS outside the scope, 400 naming a bad period', async () => {
    expect((await figures(tokens.worker, 'period=2026')).status).toBe(403);
    const outside = await figures(tokens.tarbes, 'period=2026&tenantId=ccas-pau');
    expect([outside.status, outside.body.code]).toEqual([404, 'NOT_FOUND']);
    const bad = await figures(tokens.tarbes, 'period=2026-13');
    expect([bad.status, bad.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(JSON.stringify(bad.body)).toContain('period');
    expect((await h.call('GET', '/reporting/figures?period=2026')).status).toBe(401);
  });

  it('counts a message delivered twice once', async () => {
    const again = SCENARIO.filter((e) => e.name === 'lending.recovery-received.v1');
    await publish(again);
    const probe = grantedLoan({ tenantId: 'ccas-brest', loanId: `probe-${run}`, applicationId: `probe-${run}`, amountCents: 1, transmittedAt: '2025-01-02T09:00:00.000Z', approvedAt: '2025-01-03T09:00:00.000Z' });
    await publish(probe);
    await eventually('the probe after the repeat', async () => ((await figures(tokens.brest, 'period=2025&groupBy=none')).body.total as Row).values.loansApproved === 1 || undefined, 30_000);
    const reply = await figures(tokens.tarbes, 'period=2026&groupBy=none');
    expect((reply.body.total as Row).values).toMatchObject({ recoveries: 1, recoveredCents: 30_001 });
    // Asked again with nothing new in the log: the same answer, kept; a new fact for the period recomputes it.
    const kept = await fetch(`${h.app.url}/reporting/figures?period=2026&groupBy=none`, { headers: { authorization: `Bearer ${tokens.tarbes}` } });
    expect(kept.headers.get('server-timing')).toMatch(/^cache;desc="hit"/);
    expect(((await kept.json()) as { total: Row }).total.values.recoveredCents).toBe(30_001);
    await publish([event('lending.recovery-received.v1', 'ccas-tarbes', '2026-11-20T10:00:00.000Z', { loanId: troubled, amountCents: 1, receivedAt: '2026-11-20T10:00:00.000Z' })]);
    await eventually('the new recovery in the figures', async () => ((await figures(tokens.tarbes, 'period=2026&groupBy=none')).body.total as Row).values.recoveredCents === 30_002 || undefined, 30_000);
  });

  it('rebuilds every table from the log alone to checksums equal to the live ones, with progress', async () => {
    const live = await h.call('GET', '/reporting/checksums', { token: tokens.admin });
    expect(live.status).toBe(200);
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'rebuild.cli.ts')], { env: { ...process.env, DATABASE_URL: h.db.appUrl }, cwd: join(__dirname, '..', '..', '..') });
    expect(stderr).toMatch(/reporting rebuild \[#{20}\] (\d+)\/\1 events \(100%\)/);
    const result = JSON.parse(stdout) as { events: number; checksums: Record<string, string>; rows: Record<string, number> };
    expect(result.checksums).toEqual(live.body);
    expect(result.rows['reporting.loan_fact']).toBe(16);
    expect(result.events).toBe(SCENARIO.length + 4); // the repeat is not logged twice; the probe (3) and a later recovery (1) are
    const route = await h.call('POST', '/reporting/rebuild', { token: tokens.admin });
    expect(route.body).toMatchObject({ unchanged: true, checksums: live.body });
    expect(((await figures(tokens.tarbes, 'period=2026&groupBy=none')).body.total as Row).values.amountSumCents).toBe(547_500);
  });

  it('reads again only the CCAS whose facts moved, and its answer is the one computed afresh', async () => {
    const byTenant = async () => {
      const response = await fetch(`${h.app.url}/reporting/figures?period=2026&groupBy=tenant`, { headers: { authorization: `Bearer ${tokens.cdc}` } });
      return { timing: response.headers.get('server-timing') ?? '', body: (await response.json()) as { rows: Row[]; total: Row } };
    };
    const before = (await byTenant()).body;
    // A sixth loan for Brest: the Caisse des Dépôts's next answer reads Brest only, Tarbes's and Pau's tallies are kept.
    await publish(grantedLoan({ tenantId: 'ccas-brest', loanId: `ccas-brest-${run}-l5`, applicationId: `ccas-brest-${run}-a5`, amountCents: 130_000, transmittedAt: '2026-09-01T09:00:00.000Z', approvedAt: '2026-09-08T09:00:00.000Z', disbursedAt: '2026-09-15T09:00:00.000Z' }));
    const after = await eventually('the sixth Brest loan in the figures', async () => {
      const answer = await byTenant();
      return answer.body.total.values.loansGranted === before.total.values.loansGranted! + 1 ? answer : undefined;
    }, 30_000);
    expect(after.timing).toMatch(/load;desc="1 of 3 CCAS read"/);
    expect(after.body.total.values).toMatchObject({ amountSumCents: before.total.values.amountSumCents! + 130_000 });
    const row = (answer: typeof before, key: string) => answer.rows.find((r) => r.key === key)!;
    expect(row(after.body, 'ccas-pau')).toEqual(row(before, 'ccas-pau'));
    expect(row(after.body, 'ccas-tarbes')).toEqual(row(before, 'ccas-tarbes'));
    // Brest's own director sees its six loans (80,000 … 130,000 cents: median 105,000).
    expect(((await figures(tokens.brest, 'period=2026&groupBy=none')).body.total as Row).values).toMatchObject({ loansGranted: 6, amountMedianCents: 105_000 });
    // The same answer as every CCAS read afresh (a rebuild rewrites every tenant's facts, so every tally is read again).
    await h.call('POST', '/reporting/rebuild', { token: tokens.admin });
    const afresh = await byTenant();
    expect(afresh.timing).toMatch(/load;desc="3 of 3 CCAS read"/);
    expect(afresh.body).toEqual(after.body);
  });
});

describe('many requests at once', () => {
  it('answers 40 concurrent figures requests of every scope as it answers them one by one, and serialises concurrent rebuilds', async () => {
    const queries = ['period=2026&groupBy=tenant', 'period=2026&groupBy=federation', 'period=2026&groupBy=product', 'period=2026-Q3&groupBy=tenant', 'period=2026&groupBy=none&format=csv&table=groups'];
    const viewers = [tokens.cdc, tokens.analyst, tokens.tarbes, tokens.pau];
    const cases = queries.flatMap((query) => viewers.map((token) => ({ query, token })));
    const one = async ({ query, token }: { query: string; token: string }) => {
      const response = await fetch(`${h.app.url}/reporting/figures?${query}`, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(30_000) });
      return { status: response.status, body: await response.text() };
    };
    const alone = [];
    for (const c of cases) alone.push(await one(c));
    // Twice each case, all at once: kept tallies, reads in flight and the pool shared by every answer.
    const together = await Promise.all([...cases, ...cases].map(one));
    expect(together.map((answer) => answer.status)).toEqual(together.map(() => 200));
    expect(together).toEqual([...alone, ...alone]);
    // Rebuilds take the log's lock one after the other: each answers, and none changes the tables.
    const rebuilds = await Promise.all([1, 2, 3].map(() => h.call('POST', '/reporting/rebuild', { token: tokens.admin })));
    expect(rebuilds.map((reply) => [reply.status, reply.body.unchanged])).toEqual([[200, true], [200, true], [200, true]]);
  });
});

describe('kept figures of a second instance (warmed at start, refreshed while the facts stand still)', () => {
  it('answers its first request from tallies read at start, and a fold from tallies refreshed in the background', async () => {
    // A second instance on the same database and topics, its clock frozen in 2026 so the warmed year is the scenario's.
    const second = await startService(service, {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: h.db.appUrl,
      MIGRATION_DATABASE_URL: h.db.ownerUrl,
      KAFKA_BROKERS: kafkaBrokers().join(','),
      KAFKA_TOPIC_PREFIX: h.prefix,
      AUTH_DEV_KEYS_DIR: h.keysDir,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'test',
      PROJECTION_POLL_MS: '20',
      CLOCK_CONTROL: 'on',
      CLOCK_START: '2026-12-07T12:00:00.000Z',
      REPORTING_FEDERATIONS: JSON.stringify(FEDERATIONS),
      REPORTING_TALLIES_REFRESH_MS: '100',
    });
    const owner = new Client({ connectionString: h.db.ownerUrl });
    await owner.connect();
    try {
      const ask = async (url: string) => {
        const response = await fetch(`${url}/reporting/figures?period=2026&groupBy=tenant`, { headers: { authorization: `Bearer ${tokens.cdc}` } });
        return { timing: response.headers.get('server-timing') ?? '', body: (await response.json()) as { rows: Row[]; total: Row } };
      };
      const granted = (await ask(h.app.url)).body.total.values.loansGranted!;
      const first = await ask(second.url);
      expect(first.timing).toMatch(/load;desc="0 of 3 CCAS read"/);
      expect(first.body.total.values.loansGranted).toBe(granted);

      await publish(grantedLoan({ tenantId: 'ccas-pau', loanId: `ccas-pau-${run}-l9`, applicationId: `ccas-pau-${run}-a9`, amountCents: 90_000, transmittedAt: '2026-10-01T09:00:00.000Z', approvedAt: '2026-10-08T09:00:00.000Z', disbursedAt: '2026-10-15T09:00:00.000Z' }));
      await eventually('the new Pau loan folded', async () => ((await ask(h.app.url)).body.total.values.loansGranted === granted + 1 ? true : undefined), 30_000);
      const writes = Number((await owner.query<{ writes: string }>('SELECT writes FROM reporting.fold_progress')).rows[0]!.writes);
      const metrics = async () => Number(/^reporting_kept_figures_writes(?:\{[^}]*\})? (\d+)$/m.exec(await (await fetch(`${second.url}/metrics`)).text())?.[1] ?? -1);
      await eventually('the second instance’s kept figures brought up to the fold', async () => ((await metrics()) >= writes ? true : undefined), 30_000);
      const refreshed = await ask(second.url);
      expect(refreshed.timing).toMatch(/load;desc="0 of 3 CCAS read"/);
      expect(refreshed.body.total.values.loansGranted).toBe(granted + 1);
      expect(refreshed.body.rows.find((row) => row.key === 'ccas-pau')!.values.amountSumCents).toBe((await ask(h.app.url)).body.rows.find((row) => row.key === 'ccas-pau')!.values.amountSumCents);
    } finally {
      await owner.end();
      await second.close();
    }
  });
});
