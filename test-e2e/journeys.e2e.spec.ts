import { randomUUID } from 'node:crypto';
import { startPlatformProcesses, type RunningPlatform } from '@tremplin/testing';
import { JOURNEY_SERVICES, journeyEnv, LAVAL, runJourneys, settledCounts, TARBES, type JourneyResult } from './journeys.driver';

// Issue 15's journeys on the whole platform: the five services as processes started as npm start starts them, on the
// run's PostgreSQL and Kafka, driven through their HTTP APIs only (journeys.driver.ts says what each journey does).
jest.setTimeout(900_000);
let platform: RunningPlatform;
let result: JourneyResult;
let counts: Record<string, number>;

beforeAll(async () => {
  platform = await startPlatformProcesses({ services: JOURNEY_SERVICES, env: journeyEnv() });
  const started = Date.now();
  result = await runJourneys(platform, { runId: `j-${randomUUID().slice(0, 8)}` });
  counts = await settledCounts(platform);
  const events = Object.values(counts).reduce((sum, n) => sum + n, 0);
  process.stdout.write(`journeys: 5 journeys in ${Math.round((Date.now() - started) / 1000)} s, ${result.trespasses} cross-tenant or cross-role attempts refused, ${events} events in the five stores\n`);
}, 900_000);

afterAll(async () => {
  await platform?.stop();
});

describe('five journeys across the five services', () => {
  it('refunds Tarbes’s classic loan’s interest in full and counts the loan, the refund and the evaluation in reporting', () => {
    expect(result.refundedCents).toBeGreaterThan(0);
    expect(result.figures[TARBES]).toMatchObject({ loansGranted: 2, interestRefunds: 1, interestRefundedCents: result.refundedCents, evaluationsRecorded: 1 });
    expect(counts[`accompaniment/${TARBES}/InterestRefundPaid`]).toBe(1);
  });

  it('escalates Laval’s restructuring loan, grants social grocery and a holiday approved by the bank, and refunds nothing', () => {
    expect(result.figures[LAVAL]).toMatchObject({ escalationsOpened: 1, supportSocialGrocery: 1, reschedulingsHoliday: 1, interestRefunds: 0 });
    expect(counts[`lending/${LAVAL}/PaymentHolidayGranted`]).toBe(1);
  });

  it('claims 50 % of the defaulted loan’s outstanding principal, pays it and shares a recovery', () => {
    expect(result.claimCents).toBe(Math.floor((2 * result.outstandingAtDefault * 5_000 + 10_000) / 20_000));
    expect(result.figures[TARBES]).toMatchObject({ defaults: 1, guaranteeClaims: 1, guaranteeClaimsPaidCents: result.claimCents, guarantorRecoveredCents: result.guarantorRecoveredCents });
  });

  it('shows the bank’s refusal on the file and counts it', () => {
    expect(result.figures[TARBES]).toMatchObject({ loansRefused: 1, applicationsTransmitted: 3 });
  });

  it('refused every cross-tenant and cross-role attempt without writing an event', () => {
    expect(result.trespasses).toBe(13);
  });
});
