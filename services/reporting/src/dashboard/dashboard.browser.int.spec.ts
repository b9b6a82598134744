import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, ensureChromium, eventually, startServiceHarness, type ServiceHarness } from '@tremplin/testing';
import type { ConsumedEvent } from '../facts/facts';
import { escalation, event, evaluationRecorded, grantedLoan, guaranteeActivated, interestRefundPaid, supportGranted } from '../facts/scenario.test-support';
import { publish } from '../reporting.test-support';
import { service } from '../service';

// The dashboard in a real headless Chromium (Debian's, installed by the test helper when missing): the figures
// shown for a scripted scenario, small numbers hidden for a federation analyst, and the screenshot the README shows.

const run = randomUUID().slice(0, 6);
const FEDERATIONS = { 'fed-sud': ['ccas-tarbes', 'ccas-pau'], 'fed-ouest': ['ccas-brest', 'ccas-rennes'] };
const SCREENSHOT = join(__dirname, '..', '..', '..', '..', 'docs', 'reporting-dashboard.png');
const PURPOSES = ['mobility', 'housing', 'healthEquipment', 'employmentTraining', 'mobility', 'other'] as const;

const loans = (tenantId: string, amounts: readonly number[]) =>
  amounts.flatMap((amountCents, i) => {
    const month = String(1 + ((i * 5 + tenantId.length) % 10)).padStart(2, '0');
    return grantedLoan({
      tenantId,
      loanId: `${tenantId}-${run}-l${i}`,
      applicationId: `${tenantId}-${run}-a${i}`,
      amountCents,
      purposeCategory: PURPOSES[i % PURPOSES.length],
      transmittedAt: `2026-${month}-02T09:00:00.000Z`,
      approvedAt: `2026-${month}-${String(8 + (i % 9)).padStart(2, '0')}T09:00:00.000Z`,
      disbursedAt: `2026-${month}-${String(18 + (i % 9)).padStart(2, '0')}T09:00:00.000Z`,
    });
  });
const missed = (tenantId: string, i: number, due: string): ConsumedEvent =>
  event('lending.instalment-missed.v1', tenantId, `${due}T10:00:00.000Z`, { loanId: `${tenantId}-${run}-l${i}`, instalmentNumber: 2, dueDate: due, unpaidCount: 1, daysPastDue: 1, arrearsCents: 8_000 });

// Tarbes: 3 loans of 1,500 €, 1,825 € and 2,150 € (median 1,825 €); the others above the threshold.
const SCENARIO: ConsumedEvent[] = [
  ...loans('ccas-tarbes', [150_000, 182_500, 215_000]),
  ...loans('ccas-pau', [100_000, 120_000, 140_000, 160_000, 180_000, 300_000, 90_000, 250_000]),
  ...loans('ccas-brest', [80_000, 90_000, 100_000, 110_000, 120_000, 60_000]),
  ...loans('ccas-rennes', [200_000, 210_000, 220_000, 230_000, 240_000, 400_000, 75_000]),
  ...[1, 2, 3, 4, 5].map((i) => missed('ccas-pau', i, `2026-0${4 + i}-05`)),
  ...[0, 1, 2, 3, 4, 5].map((i) => missed('ccas-rennes', i, `2026-0${3 + i}-05`)),
  // Tarbes's accompaniment and guarantee: one escalation (first CCAS contact after 1.2 days, on time), an emergency
  // aid, an interest refund of 57.58 €, the fund covering half of each loan, one end-of-loan evaluation.
  ...escalation({ tenantId: 'ccas-tarbes', loanId: `ccas-tarbes-${run}-l0`, escalationId: `esc-${run}`, openedAt: '2026-05-06T10:00:00.000Z', deadlineDate: '2026-05-13', contact: { at: '2026-05-07T14:30:00.000Z', minutes: 1_710, workingDays: 1, late: false } }),
  supportGranted('ccas-tarbes', `ccas-tarbes-${run}-l0`, `sup-${run}`, 'emergencyAid', '2026-05-10', 20_000),
  interestRefundPaid('ccas-tarbes', `ccas-tarbes-${run}-l1`, 5_758, '2026-11-02'),
  ...[150_000, 182_500, 215_000].map((cents, i) => guaranteeActivated('ccas-tarbes', `ccas-tarbes-${run}-l${i}`, cents, '2026-06-01T09:00:00.000Z')),
  evaluationRecorded('ccas-tarbes', `ccas-tarbes-${run}-l2`, '2026-11-20', 'improved', 'satisfied'),
];

let h: ServiceHarness;
let browser: Browser;
const tokens = { tarbes: '', analyst: '' };
const CHARTS = 9;

async function open(token: string): Promise<{ page: Page; readyMs: number }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1500 }, locale: 'fr-FR' });
  const started = Date.now();
  await page.goto(`${h.app.url}/reporting/dashboard#token=${token}&period=2026`);
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
  return { page, readyMs: Date.now() - started };
}
// Intl writes thousands with a narrow no-break space and a no-break space before €: compare as people read it.
const text = async (page: Page, selector: string) => (await page.locator(selector).innerText()).replace(/[\u202f\u00a0]/g, ' ').trim();

beforeAll(async () => {
  const executablePath = ensureChromium();
  [h, browser] = await Promise.all([
    startServiceHarness({ name: 'reporting-ui', service, tenant: 'ccas-tarbes', env: { REPORTING_FEDERATIONS: JSON.stringify(FEDERATIONS) } }),
    chromium.launch({ executablePath, args: [...CHROMIUM_ARGS] }),
  ]);
  tokens.tarbes = await h.token({ role: 'ccasDirector', userId: 'dir-tarbes', organisationId: 'ccas-tarbes-org', organisationKind: 'ccas', tenants: ['ccas-tarbes'] });
  tokens.analyst = await h.token({ role: 'federationAnalyst', userId: 'fa-1', organisationId: 'fed-sud', organisationKind: 'federation', tenants: ['ccas-tarbes', 'ccas-pau', 'ccas-brest', 'ccas-rennes'] });
  await publish(h, SCENARIO);
  await eventually(
    'the scenario in the figures',
    async () => {
      const reply = await h.call('GET', '/reporting/figures?period=2026&groupBy=none', { token: tokens.analyst });
      const values = (reply.body.total as { values: Record<string, number | null> } | undefined)?.values;
      const own = ((await h.call('GET', '/reporting/figures?period=2026&groupBy=none', { token: tokens.tarbes })).body.total as { values: Record<string, number | null> } | undefined)?.values;
      const accompanied = own?.escalationsOpened === 1 && own.interestRefunds === 1 && own.guaranteesActivated === 3 && own.evaluationsRecorded === 1 && own.supportMeasures === 1;
      return values?.loansGranted === 24 && values.missedInstalments === 11 && accompanied ? true : undefined;
    },
    60_000,
  );
  // A fresh machine installs Debian's chromium first (apt-get update and install): allow for it.
}, 600_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

describe('the dashboard in a headless browser', () => {
  it('shows a CCAS director its own figures, formatted as French readers write them', async () => {
    const { page } = await open(tokens.tarbes);
    expect(await text(page, '[data-measure="loansGranted"] dd')).toBe('3');
    expect(await text(page, '[data-measure="amountMedianCents"] dd')).toBe('1 825 €');
    expect(await text(page, '[data-measure="amountSumCents"] dd')).toBe('5 475 €');
    expect(await text(page, '[data-measure="amountMeanCents"] dd')).toBe('1 825 €');
    expect(await text(page, '#groups tr[data-key="ccas-tarbes"] td[data-measure="loansGranted"]')).toBe('3');
    expect(await text(page, '[data-measure="firstContactDelayDaysMedian"] dd')).toBe('1,2 j');
    expect(await text(page, '[data-measure="firstContactWithinDeadlinePercent"] dd')).toBe('100 %');
    expect(await text(page, '[data-measure="interestRefundedCents"] dd')).toBe('57,58 €');
    expect(await text(page, '[data-measure="guaranteeExposureCents"] dd')).toBe('2 737,50 €');
    expect(await text(page, '[data-measure="supportMeasures"] dd')).toBe('1');
    // The end-of-loan chart's data table: employment improved for the one evaluation.
    expect(await page.locator('#chart-outcomes details tbody tr').first().locator('th, td').allTextContents()).toEqual(['Emploi', '1', '0', '0', '0']);
    expect(await page.locator('#suppression-note').isHidden()).toBe(true);
    // The tenant filter offers the director's own CCAS only.
    expect(await page.locator('#tenant option').allInnerTexts()).toEqual(['Toutes celles de mon périmètre', 'ccas-tarbes']);
    await page.close();
  });

  it('hides from a federation analyst every cell that reveals the CCAS of three loans, and saves the screenshot', async () => {
    const { page, readyMs } = await open(tokens.analyst);
    expect(await text(page, '#groups tr[data-key="ccas-tarbes"] td[data-measure="loansGranted"]')).toBe('s');
    expect(await text(page, '#groups tr[data-key="ccas-tarbes"] td[data-measure="amountSumCents"]')).toBe('s');
    // Brest (6), the smallest other CCAS, is hidden with it: the total minus the shown rows still leaves two.
    expect(await text(page, '#groups tr[data-key="ccas-brest"] td[data-measure="loansGranted"]')).toBe('s');
    expect(await text(page, '#groups tr[data-key="ccas-pau"] td[data-measure="loansGranted"]')).toBe('8');
    expect(await text(page, '#groups tr[data-key="total"] td[data-measure="loansGranted"]')).toBe('24');
    expect(await text(page, '[data-measure="amountSumCents"] dd')).toBe('40 225 €');
    // Tarbes alone was accompanied: one person's escalation, refund and evaluation are never shown to the federation.
    for (const measure of ['firstContactDelayDaysMedian', 'firstContactWithinDeadlinePercent', 'interestRefundedCents', 'supportMeasures', 'guaranteeExposureCents'])
      expect([measure, await text(page, `[data-measure="${measure}"] dd`)]).toEqual([measure, 's']);
    expect(await page.locator('#chart-outcomes details tbody tr').first().locator('th, td').allTextContents()).toEqual(['Emploi', 's', 's', 's', 's']);
    expect(await page.locator('#suppression-note').isVisible()).toBe(true);
    const shownByTenant = await page.locator('#groups tbody td').allInnerTexts();
    expect(shownByTenant).not.toContain('5 475 €');
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    process.stderr.write(`dashboard ready in ${readyMs} ms\n`);
    await page.close();
  });

  it('gives every chart a text alternative and its data as a table, and works from the keyboard', async () => {
    const { page } = await open(tokens.analyst);
    const canvases = await page.locator('figure canvas').evaluateAll((nodes) => nodes.map((node) => [node.getAttribute('role'), node.getAttribute('aria-label') ?? '']));
    expect(canvases).toHaveLength(CHARTS);
    for (const [role, label] of canvases) {
      expect(role).toBe('img');
      expect(label.length).toBeGreaterThan(10);
    }
    expect(await page.locator('figure details table').count()).toBe(CHARTS);
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.textContent')).toBe('Aller au contenu');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement && document.activeElement.id')).toBe('period');
    await page.close();
  });

  it('downloads a figure as CSV with the hidden cells left empty', async () => {
    const { page } = await open(tokens.analyst);
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('#chart-funnel button[data-csv="groups"]').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const rows = csv.trim().split('\r\n').map((line) => line.split(';'));
    const column = rows[0]!.indexOf('loansGranted');
    expect(rows.find((row) => row[0] === 'ccas-tarbes')![column]).toBe('');
    expect(rows.find((row) => row[0] === 'total')![column]).toBe('24');
    await page.close();
  });
});
