import { applicationOpenedV1, applicationSubmittedV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type HandlerContext, type MessagingLog } from '@tremplin/messaging';
import type { Intensity } from '../plan/plan.commands';
import type { PlanHandler } from '../plan/plan.handler';

const intake = { userId: 'intake', role: 'service' };

/** intake's facts about a file (its person, the accompaniment assessed), kept until its loan is disbursed. */
export function intakeConsumers(handler: PlanHandler, log: MessagingLog): HandlerBinding[] {
  const note = async (tenantId: string, applicationId: string, fields: { beneficiaryId?: string; accompanimentLevel?: Intensity }, context: HandlerContext<unknown>) => {
    const outcome = await handler.noteIntakeFile(tenantId, { type: 'NoteIntakeFile', applicationId, ...fields }, { commandId: context.envelope.messageId, actor: intake, tx: context.tx, causationId: context.envelope.messageId });
    if (outcome.kind === 'refused') log('warn', 'accompaniment: intake fact skipped', { code: outcome.error.code, contract: context.envelope.name, applicationId, messageId: context.envelope.messageId });
  };
  return [
    on(applicationOpenedV1, (p, context) => note(p.tenantId, p.applicationId, { beneficiaryId: p.beneficiaryId }, context)),
    on(applicationSubmittedV1, (p, context) => note(p.tenantId, p.applicationId, { accompanimentLevel: p.accompanimentLevel }, context)),
  ];
}
