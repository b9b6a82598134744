import { currentContext } from '@tremplin/tenancy';
import type { RetentionReport } from './retention.job';
import { startRetentionSchedule } from './retention.scheduler';

const report = (dryRun: boolean): RetentionReport => ({ today: '2028-03-10', dryRun, shredded: [{ beneficiaryId: 'ben-1', dueOn: '2028-03-10', because: 'last contact', outcome: dryRun ? 'wouldShred' : 'shredded' }], kept: 2, active: 1 });

describe('the retention schedule', () => {
  it('runs each configured CCAS in its own context, in the configured mode, and logs ids only', async () => {
    const seen: Array<[string, boolean, string | undefined, string | undefined]> = [];
    const logs: Array<[string, string, Record<string, unknown> | undefined]> = [];
    const schedule = startRetentionSchedule(
      { tenants: ['ccas-laval', 'ccas-tarbes'], intervalMs: 60_000, mode: 'dryRun' },
      async (tenantId, dryRun) => {
        seen.push([tenantId, dryRun, currentContext()?.tenantId, currentContext()?.actor?.userId]);
        return report(dryRun);
      },
      (level, message, fields) => logs.push([level, message, fields]),
    );
    await schedule.tick();
    await schedule.stop();
    expect(seen).toEqual([
      ['ccas-laval', true, 'ccas-laval', 'retention-job'],
      ['ccas-tarbes', true, 'ccas-tarbes', 'retention-job'],
    ]);
    expect(logs[0]).toEqual(['info', 'intake: retention run', { tenantId: 'ccas-laval', today: '2028-03-10', dryRun: true, shredded: ['ben-1:wouldShred'], kept: 2, active: 1 }]);
  });

  it('keeps going with the next CCAS when one fails', async () => {
    const logs: string[] = [];
    const schedule = startRetentionSchedule(
      { tenants: ['ccas-a', 'ccas-b'], intervalMs: 60_000, mode: 'shred' },
      async (tenantId, dryRun) => {
        if (tenantId === 'ccas-a') throw new Error('database unreachable');
        return report(dryRun);
      },
      (level, message) => logs.push(`${level} ${message}`),
    );
    await schedule.tick();
    await schedule.stop();
    expect(logs).toEqual(['error intake: retention run failed', 'info intake: retention run']);
  });

  it('ticks on its interval, and not at all without tenants', async () => {
    const callbacks: Array<() => void> = [];
    const timers = { set: ((fn: () => void) => (callbacks.push(fn), { unref() {} })) as unknown as typeof setInterval, clear: (() => undefined) as typeof clearInterval };
    const runs: string[] = [];
    const schedule = startRetentionSchedule({ tenants: ['ccas-laval'], intervalMs: 1_000, mode: 'shred' }, async (tenantId, dryRun) => (runs.push(`${tenantId}:${dryRun}`), report(dryRun)), () => undefined, timers);
    callbacks[0]();
    callbacks[0]();
    await schedule.stop();
    expect(runs).toEqual(['ccas-laval:false', 'ccas-laval:false']);
    startRetentionSchedule({ tenants: [], intervalMs: 1_000, mode: 'shred' }, async () => report(false), () => undefined, timers);
    expect(callbacks).toHaveLength(1);
  });
});
