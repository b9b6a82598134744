import type { CommandExecutor, Idempotency, Outcome } from '@tremplin/commands';
import type { Actor } from '@tremplin/event-sourcing';
import type { PoolClient } from '@tremplin/pg';
import { recordedEvents, type Clock } from '@tremplin/service-kit';
import { metadataFromContext } from '@tremplin/tenancy';
import { deadlineAggregate, deadlineOn } from '../deadline/deadline.decider';
import { DEADLINE_STREAM_ID } from '../deadline/deadline.events';
import { intakeFileAggregate } from '../intake-file/intake-file.decider';
import { intakeFileStreamId } from '../intake-file/intake-file.events';
import type { NoteIntakeFile } from '../intake-file/intake-file.commands';
import type { PlanCommand } from './plan.commands';
import { nextStepOfEscalation, planAggregate, type PlanState } from './plan.decider';
import { planStreamId } from './plan.events';
import { planMessages } from './plan.outbound';

export const PLAN_HANDLER = Symbol('PLAN_HANDLER');
export type PlanHandler = ReturnType<typeof createPlanHandler>;

type Issued = 'now' | 'actor' | 'deadlineWorkingDays';
export type PlanInput = PlanCommand extends infer C ? (C extends PlanCommand ? Omit<C, Issued> : never) : never;

/** Who and how: an HTTP command's id and key, or an inbox message's transaction and id. */
export interface PlanOptions {
  readonly commandId: string;
  readonly actor: Actor;
  readonly idempotency?: Idempotency;
  readonly tx?: PoolClient;
  readonly causationId?: string;
}

export interface PlanHandlerDeps {
  readonly executor: CommandExecutor;
  readonly clock: Clock;
  /** The first-contact deadline when the CCAS decided none (ACCOMPANIMENT_DEADLINE_WORKING_DAYS). */
  readonly defaultDeadlineWorkingDays: number;
}

const CREATED: ReadonlySet<PlanInput['type']> = new Set(['RecordContact', 'ScheduleCheckIn', 'RaiseDifficulty', 'GrantSupport', 'RequestRescheduling']);

export function createPlanHandler(deps: PlanHandlerDeps) {
  return {
    handle(tenantId: string, loanId: string, input: PlanInput, options: PlanOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return deps.executor.execute({
        aggregate: planAggregate,
        tenantId,
        streamId: planStreamId(loanId),
        commandId: options.commandId,
        metadata: metadataFromContext(now, options.causationId ? { causationId: options.causationId } : {}),
        ...(options.idempotency ? { idempotency: options.idempotency } : {}),
        ...(options.tx ? { tx: options.tx } : {}),
        // An escalation opens with the CCAS's deadline in force today, read in the same transaction.
        command: async (_state, read) => {
          // A plan opens with what intake told about the file: the person, the accompaniment it assessed.
          if (input.type === 'OpenPlan') {
            const file = await read.load(intakeFileAggregate, tenantId, intakeFileStreamId(input.applicationId));
            const intake = { ...(file.beneficiaryId ? { beneficiaryId: file.beneficiaryId } : {}), ...(file.accompanimentLevel ? { accompanimentLevel: file.accompanimentLevel } : {}) };
            return { ...input, ...(Object.keys(intake).length ? { intake } : {}), now, actor: options.actor };
          }
          if (input.type !== 'RecordMissedInstalment' && input.type !== 'RaiseDifficulty') return { ...input, now, actor: options.actor } as PlanCommand;
          const deadline = deadlineOn(await read.load(deadlineAggregate, tenantId, DEADLINE_STREAM_ID), now.slice(0, 10), deps.defaultDeadlineWorkingDays);
          return { ...input, deadlineWorkingDays: deadline, now, actor: options.actor } as PlanCommand;
        },
        toMessages: (decided) => planMessages(tenantId, decided.before, decided.recorded),
        respond: (decided) => ({
          statusCode: CREATED.has(input.type) ? 201 : 200,
          body: { loanId, ...planSummaryOf(decided.after), streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) },
        }),
      });
    },
    read(tenantId: string, loanId: string) {
      return deps.executor.read(planAggregate, tenantId, planStreamId(loanId));
    },
    /** intake's facts about a file, kept for the plan its loan will open. */
    noteIntakeFile(tenantId: string, input: Omit<NoteIntakeFile, 'now' | 'actor'>, options: PlanOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return deps.executor.execute({
        aggregate: intakeFileAggregate,
        tenantId,
        streamId: intakeFileStreamId(input.applicationId),
        commandId: options.commandId,
        metadata: metadataFromContext(now, options.causationId ? { causationId: options.causationId } : {}),
        ...(options.tx ? { tx: options.tx } : {}),
        command: { ...input, now, actor: options.actor },
        respond: (decided) => ({ statusCode: 200, body: { applicationId: input.applicationId, streamVersion: decided.streamVersion } }),
      });
    },
  };
}

/** What a command answers and GET …/plans/:loanId shows: the plan and its open escalation, ids and codes. */
export function planSummaryOf(state: PlanState) {
  if (state.status !== 'open') return { status: state.status };
  const escalation = state.escalation;
  return {
    status: state.status,
    product: state.loan.product,
    intensity: state.intensity,
    kinds: state.kinds,
    referentId: state.referentId ?? null,
    beneficiaryId: state.beneficiaryId ?? null,
    charter: state.charter ?? null,
    checkIns: Object.entries(state.checkIns).map(([checkInId, checkIn]) => ({ checkInId, ...checkIn })),
    escalation: escalation
      ? {
          escalationId: escalation.opened.escalationId,
          trigger: escalation.opened.trigger,
          openedAt: escalation.opened.openedAt,
          deadlineDate: escalation.opened.deadlineDate,
          instalmentsMissed: escalation.instalmentsMissed,
          bankContact: escalation.bankContact ?? null,
          ccasAlertedAt: escalation.ccasAlertedAt ?? null,
          firstContact: escalation.firstContact ?? null,
          threePartyMeetingAt: escalation.threePartyMeetingAt ?? null,
          supports: escalation.supports,
          reschedulings: escalation.reschedulings,
          nextStep: nextStepOfEscalation(escalation),
        }
      : null,
    escalationsOpened: state.escalationsOpened,
    ended: state.ended ?? null,
  };
}
