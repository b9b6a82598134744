import type { DataSource } from 'typeorm';
import type { Outcome } from '@tremplin/commands';
import { inTenant, type Clock } from '@tremplin/service-kit';
import { retentionVerdict, type RetainedPerson, type RetentionPeriods } from './retention.rules';

export const RETENTION_JOB = Symbol('RETENTION_JOB');
export type RetentionJob = ReturnType<typeof createRetentionJob>;

interface PersonFact {
  beneficiary_id: string;
  last_activity_on: string;
}
interface FileFact {
  beneficiary_id: string;
  application_id: string;
  status: string;
  outcome: string | null;
  closed_on: string | null;
  loan_ended_on: string | null;
  last_activity_on: string;
}

export interface RetentionReport {
  readonly today: string;
  readonly dryRun: boolean;
  readonly shredded: ReadonlyArray<{ beneficiaryId: string; dueOn: string; because: string; outcome: string }>;
  readonly kept: number;
  readonly active: number;
}

/**
 * Finds the people of a CCAS whose retention clocks have all run out on the clock's today, and shreds each (an event,
 * then the key) — or, in a dry run, only says who it would shred and why. The clock is the service's, injectable.
 */
export function createRetentionJob(deps: {
  readonly readModel: DataSource;
  readonly clock: Clock;
  readonly periods: RetentionPeriods;
  readonly shred: (tenantId: string, beneficiaryId: string) => Promise<Outcome>;
}) {
  return {
    async run(tenantId: string, dryRun: boolean): Promise<RetentionReport> {
      const today = deps.clock().toISOString().slice(0, 10);
      const { people, files } = await inTenant(deps.readModel, tenantId, async (manager) => ({
        people: (await manager.query(`SELECT beneficiary_id, to_char(last_activity_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last_activity_on FROM intake.person_list WHERE erased_at IS NULL ORDER BY beneficiary_id`)) as PersonFact[],
        files: (await manager.query(
          `SELECT beneficiary_id, application_id, status, outcome, to_char(closed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS closed_on, to_char(loan_ended_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS loan_ended_on, to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS last_activity_on FROM intake.file_list`,
        )) as FileFact[],
      }));
      const shredded: Array<{ beneficiaryId: string; dueOn: string; because: string; outcome: string }> = [];
      let kept = 0;
      let active = 0;
      for (const row of people) {
        const person: RetainedPerson = {
          beneficiaryId: row.beneficiary_id,
          lastActivityOn: row.last_activity_on,
          files: files.filter((file) => file.beneficiary_id === row.beneficiary_id).map((file) => ({ applicationId: file.application_id, status: file.status, outcome: file.outcome, closedOn: file.closed_on, loanEndedOn: file.loan_ended_on, lastActivityOn: file.last_activity_on })),
        };
        const verdict = retentionVerdict(person, today, deps.periods);
        if (verdict.kind === 'active') active += 1;
        else if (verdict.kind === 'kept') kept += 1;
        else if (dryRun) shredded.push({ beneficiaryId: row.beneficiary_id, dueOn: verdict.dueOn, because: verdict.because, outcome: 'wouldShred' });
        else {
          const outcome = await deps.shred(tenantId, row.beneficiary_id);
          shredded.push({ beneficiaryId: row.beneficiary_id, dueOn: verdict.dueOn, because: verdict.because, outcome: outcome.kind === 'done' ? 'shredded' : outcome.error.code });
        }
      }
      return { today, dryRun, shredded, kept, active };
    },
  };
}
