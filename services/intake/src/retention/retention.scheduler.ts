import { runInContext } from '@tremplin/tenancy';
import type { MessagingLog } from '@tremplin/messaging';
import type { RetentionReport } from './retention.job';

export interface RetentionSchedule {
  /** The CCAS whose people the job looks after (the platform keeps no tenant registry yet). */
  readonly tenants: readonly string[];
  readonly intervalMs: number;
  readonly mode: 'dryRun' | 'shred';
}

/**
 * Runs the retention job for each configured CCAS on every tick, in the CCAS's own context (row-level security,
 * event metadata), one tenant at a time; a failure is logged and the next tenant still runs. Reports name ids only.
 */
export function startRetentionSchedule(
  schedule: RetentionSchedule,
  run: (tenantId: string, dryRun: boolean) => Promise<RetentionReport>,
  log: MessagingLog,
  timers: { set: typeof setInterval; clear: typeof clearInterval } = { set: setInterval, clear: clearInterval },
): { tick(): Promise<void>; stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const tick = async () => {
    for (const tenantId of schedule.tenants) {
      const context = { tenantId, correlationId: `retention-${tenantId}-${Date.now()}`, actor: { userId: 'retention-job', role: 'service', organisationId: 'platform' } };
      try {
        const report = await runInContext(context, () => run(tenantId, schedule.mode === 'dryRun'));
        log('info', 'intake: retention run', { tenantId, today: report.today, dryRun: report.dryRun, shredded: report.shredded.map((entry) => `${entry.beneficiaryId}:${entry.outcome}`), kept: report.kept, active: report.active });
      } catch (error) {
        log('error', 'intake: retention run failed', { tenantId, error: (error as Error).message });
      }
    }
  };
  const timer = schedule.tenants.length ? timers.set(() => void (running = running.then(tick)), schedule.intervalMs) : undefined;
  timer?.unref?.();
  return {
    tick: () => (running = running.then(tick)),
    async stop() {
      if (timer) timers.clear(timer);
      await running;
    },
  };
}
