import { Inject } from '@nestjs/common';
import { z } from 'zod';
import { ApiController, Command, CommandRoute, type CommandInput } from '@tremplin/service-kit';
import { RETENTION_JOB, type RetentionJob } from './retention.job';

const runBody = z.strictObject({ dryRun: z.boolean() });

/** The retention job for one CCAS: run by its scheduler (or a director), dry run first. */
@ApiController('tenants/:tenantId/retention-runs', 'retention')
export class RetentionController {
  constructor(@Inject(RETENTION_JOB) private readonly job: RetentionJob) {}

  @CommandRoute({ path: '', body: runBody, access: 'privacy.erase', summary: 'Shred the people whose retention periods have all run out today (dryRun: only report who and why)' })
  async run(@Command() input: CommandInput<z.infer<typeof runBody>>) {
    const report = await this.job.run(input.tenantId, input.body.dryRun);
    return { kind: 'done' as const, replayed: false, response: { statusCode: 200, body: { ...report } } };
  }
}
