import { Inject, Param } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import { z } from 'zod';
import { ApiController, CLOCK, Command, COMMAND_EXECUTOR, CommandRoute, fromInput, QueryRoute, recordedEvents, SERVICE_CONFIG, type Clock, type CommandInput } from '@tremplin/service-kit';
import type { AccompanimentConfig } from '../config';
import { MAX_DEADLINE_WORKING_DAYS, MIN_DEADLINE_WORKING_DAYS } from '../plan/escalation.rules';
import { deadlineAggregate, deadlineOn, DECISION_REFERENCE } from './deadline.decider';
import { DEADLINE_STREAM_ID } from './deadline.events';

const deadlineBody = z.strictObject({
  workingDays: z.int().min(MIN_DEADLINE_WORKING_DAYS).max(MAX_DEADLINE_WORKING_DAYS),
  effectiveFrom: z.iso.date(),
  decisionReference: z.string().regex(DECISION_REFERENCE, 'the decision’s reference code (capitals, digits, - _ . /)'),
});

/** The CCAS's deadline for a first contact after a missed instalment, in French working days, versioned. */
@ApiController('tenants/:tenantId/escalation-deadline', 'accompaniment settings')
export class DeadlineController {
  constructor(
    @Inject(COMMAND_EXECUTOR) private readonly executor: CommandExecutor,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SERVICE_CONFIG) private readonly config: AccompanimentConfig,
  ) {}

  @QueryRoute({ access: 'accompaniment.read', summary: 'The deadline in force today and every version decided (the service default when none)' })
  async current(@Param('tenantId') tenantId: string) {
    const { state } = await this.executor.read(deadlineAggregate, tenantId, DEADLINE_STREAM_ID);
    const today = this.clock().toISOString().slice(0, 10);
    return { workingDays: deadlineOn(state, today, this.config.ACCOMPANIMENT_DEADLINE_WORKING_DAYS), defaultWorkingDays: this.config.ACCOMPANIMENT_DEADLINE_WORKING_DAYS, versions: state.versions };
  }

  @CommandRoute({ path: 'versions', body: deadlineBody, access: 'tenant.configure', status: 201, summary: 'Record the CCAS’s decision on its first-contact deadline (from today or a later day; open escalations keep theirs)' })
  set(@Command() input: CommandInput<z.infer<typeof deadlineBody>>) {
    const now = this.clock().toISOString();
    return this.executor.execute({
      aggregate: deadlineAggregate,
      ...fromInput(input, now),
      streamId: DEADLINE_STREAM_ID,
      command: { type: 'SetEscalationDeadline', ...input.body, now, actor: input.actor },
      respond: (decided) => ({ statusCode: 201, body: { version: decided.after.versions.length, ...input.body, streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) } }),
    });
  }
}
