import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, demoUsuryCapTables, ensureChromium, runDemo, startPlatformProcesses, TARBES_LAVAL_TARGETS, type DemoResult, type RunningPlatform } from '@tremplin/testing';

// `npm run demo`'s driver against the five services as processes (as npm start runs them), on the run's PostgreSQL
// and Kafka: a year like Tarbes 2016 and one like Laval 2015 driven through the HTTP APIs only, the clocks moving
// month by month through the next calendar year. The figures are then read from reporting, which computed them
// from the events the services published: what the dashboard shows (and its screenshot in docs/).
const SCREENSHOT = join(__dirname, '..', 'docs', 'demo-dashboard.png');
jest.setTimeout(900_000);
let platform: RunningPlatform;
let result: DemoResult;
const year = new Date().getUTCFullYear() + 1;

beforeAll(async () => {
  platform = await startPlatformProcesses({
    services: ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'],
    env: { CLOCK_CONTROL: 'on', DISBURSEMENT_REQUIRES_GUARANTEE: 'true', USURY_CAP_TABLES: demoUsuryCapTables(new Date(), year + 1) },
  });
  result = await runDemo(platform, { year, concurrency: 6 });
}, 900_000);

afterAll(async () => {
  await platform?.stop();
});

describe('the demo year, as reporting shows it', () => {
  it('shows Tarbes’ files, loans and mean amount and its one missed instalment, computed from events', () => {
    const tarbes = result.figures['ccas-tarbes'];
    expect(tarbes).toMatchObject({
      applicationsTransmitted: TARBES_LAVAL_TARGETS.tarbesFiles,
      loansGranted: TARBES_LAVAL_TARGETS.tarbesLoans,
      amountMeanCents: TARBES_LAVAL_TARGETS.tarbesMeanCents,
      amountSumCents: TARBES_LAVAL_TARGETS.tarbesMeanCents * TARBES_LAVAL_TARGETS.tarbesLoans,
      missedInstalments: 1,
      loansWithMissedInstalments: 1,
      incidentWarnings: 0,
      defaults: 0,
      interestRefunds: TARBES_LAVAL_TARGETS.refunds,
      interestRefundedCents: TARBES_LAVAL_TARGETS.refundedInterestCents,
      // Every loan disbursed under an FCS guarantee granted by the fund before the funds were paid out.
      guaranteesActivated: TARBES_LAVAL_TARGETS.tarbesLoans,
      guaranteeClaims: 0,
    });
  });

  it('repays the five refunded loans within the year, their payments settling exactly 301.60 € of interest', () => {
    expect(result.refundedLoanIds).toHaveLength(TARBES_LAVAL_TARGETS.refunds);
    expect(result.refundedLoansInterestPaidCents).toBe(TARBES_LAVAL_TARGETS.refundedInterestCents);
    expect(result.interestRefundedCents).toBe(TARBES_LAVAL_TARGETS.refundedInterestCents);
  });

  it('shows Laval’s requests and loans, and the restructuring loan called in after its unpaid instalments', () => {
    expect(result.figures['ccas-laval']).toMatchObject({
      applicationsTransmitted: TARBES_LAVAL_TARGETS.lavalFiles,
      loansGranted: TARBES_LAVAL_TARGETS.lavalLoans,
      defaults: 1,
      loansWithMissedInstalments: 1,
      guaranteesActivated: TARBES_LAVAL_TARGETS.lavalLoans,
      // The default calls the CCAS's guarantee on the restructuring loan.
      guaranteeClaims: 1,
    });
    expect(result.figures['ccas-laval'].missedInstalments).toBeGreaterThanOrEqual(2);
  });

  it('opens on the dashboard with a Tarbes director’s token, showing the year’s figures, and saves the screenshot', async () => {
    const browser = await chromium.launch({ executablePath: ensureChromium(), args: [...CHROMIUM_ARGS] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 1500 }, locale: 'fr-FR' });
      // The viewer's computer is on the real date: the page offers the years up to the service's own today (the
      // demo's last day), so the link's period is honoured.
      await page.goto(`${platform.url('reporting')}/reporting/dashboard#token=${result.dashboardTokens['ccas-tarbes']}&period=${year}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      // Intl writes thousands with a narrow no-break space and a no-break space before €: compare as people read it.
      const kpi = async (measure: string) => (await page.locator(`#kpis [data-measure="${measure}"] dd`).innerText()).replace(/[\u202f\u00a0]/g, ' ').trim();
      expect(await kpi('applicationsTransmitted')).toBe('92');
      expect(await kpi('loansGranted')).toBe('30');
      expect(await kpi('amountMeanCents')).toBe('1 825 €');
      expect(await kpi('missedInstalments')).toBe('1');
      mkdirSync(join(SCREENSHOT, '..'), { recursive: true });
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      expect(readFileSync(SCREENSHOT).subarray(1, 4).toString()).toBe('PNG');
    } finally {
      await browser.close();
    }
  });
});
