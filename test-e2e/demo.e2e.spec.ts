import { demoUsuryCapTables, runDemo, startPlatformProcesses, TARBES_LAVAL_TARGETS, type DemoResult, type RunningPlatform } from '@tremplin/testing';

// `npm run demo`'s driver against the five services as processes (as npm start runs them), on the run's PostgreSQL
// and Kafka: a year like Tarbes 2016 and one like Laval 2015 driven through the HTTP APIs only, the clocks moving
// month by month through the next calendar year. The figures are then read from reporting, which computed them
// from the events the services published: what the dashboard shows.
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
    });
  });

  it('repays the five refunded loans within the year, their payments settling exactly 301.60 € of interest', () => {
    expect(result.refundedLoanIds).toHaveLength(TARBES_LAVAL_TARGETS.refunds);
    expect(result.refundedLoansInterestPaidCents).toBe(TARBES_LAVAL_TARGETS.refundedInterestCents);
  });

  it('shows Laval’s requests and loans, and the restructuring loan called in after its unpaid instalments', () => {
    expect(result.figures['ccas-laval']).toMatchObject({
      applicationsTransmitted: TARBES_LAVAL_TARGETS.lavalFiles,
      loansGranted: TARBES_LAVAL_TARGETS.lavalLoans,
      defaults: 1,
      loansWithMissedInstalments: 1,
    });
    expect(result.figures['ccas-laval'].missedInstalments).toBeGreaterThanOrEqual(2);
  });
});
