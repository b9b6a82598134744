import { Inject, Injectable, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import { loggerOf } from '@tremplin/service-kit';
import { RETENTION_JOB, type RetentionJob } from './retention.job';
import { startRetentionSchedule, type RetentionSchedule } from './retention.scheduler';

export const RETENTION_SCHEDULE = Symbol('RETENTION_SCHEDULE');

/** The retention job on its schedule, for the configured CCAS; stopped (after its current run) before the pool closes. */
@Injectable()
export class RetentionWorker implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private schedule?: ReturnType<typeof startRetentionSchedule>;

  constructor(
    @Inject(RETENTION_JOB) private readonly job: RetentionJob,
    @Inject(RETENTION_SCHEDULE) private readonly config: RetentionSchedule,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule = startRetentionSchedule(this.config, (tenantId, dryRun) => this.job.run(tenantId, dryRun), loggerOf('intake-retention'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.schedule?.stop();
  }
}
