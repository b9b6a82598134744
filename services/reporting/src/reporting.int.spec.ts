import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually, startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import type { ConsumedEvent } from './facts/facts';
import { event, grantedLoan } from './facts/scenario.test-support';
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
];

const figures = (token: string, query: string) => h.call('GET', `/reporting/figures?${query}`, { token });
type Row = { key: string; values: Record<string, number | null>; suppressed: string[] };

beforeAll(async () => {
  h = await startServiceHarness({ name: 'reporting', service, tenant: 'ccas-tarbes', env: { REPORTING_FEDERATIONS: JSON.stringify(FEDERATIONS) } });
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
      return all?.loansGranted === 14 && tarbes?.recoveries === 1 && pau?.loansRefused === 1 ? true : undefined;
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
  });

  it('rebuilds every table from the log alone to checksums equal to the live ones, with progress', async () => {
    const live = await h.call('GET', '/reporting/checksums', { token: tokens.admin });
    expect(live.status).toBe(200);
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'rebuild.cli.ts')], { env: { ...process.env, DATABASE_URL: h.db.appUrl }, cwd: join(__dirname, '..', '..', '..') });
    expect(stderr).toMatch(/reporting rebuild \[#{20}\] (\d+)\/\1 events \(100%\)/);
    const result = JSON.parse(stdout) as { events: number; checksums: Record<string, string>; rows: Record<string, number> };
    expect(result.checksums).toEqual(live.body);
    expect(result.rows['reporting.loan_fact']).toBe(16);
    expect(result.events).toBe(SCENARIO.length + 3);
    const route = await h.call('POST', '/reporting/rebuild', { token: tokens.admin });
    expect(route.body).toMatchObject({ unchanged: true, checksums: live.body });
    expect(((await figures(tokens.tarbes, 'period=2026&groupBy=none')).body.total as Row).values.amountSumCents).toBe(547_500);
  });
});
