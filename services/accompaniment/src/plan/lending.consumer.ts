import { borrowerContactedV1, instalmentMissedV1, loanDisbursedV1, loanRepaidV1, loanRescheduledV1, loanWrittenOffV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type HandlerContext, type MessagingLog } from '@tremplin/messaging';
import type { PlanHandler, PlanInput } from './plan.handler';

const lending = { userId: 'lending', role: 'service' };

/**
 * Lending's facts → plan commands, each written through the inbox transaction (exactly once). A business refusal
 * (e.g. a missed instalment on a loan disbursed before this service kept plans) is logged with its code and skipped.
 */
export function lendingConsumers(handler: PlanHandler, log: MessagingLog): HandlerBinding[] {
  const apply = async (tenantId: string, loanId: string, input: PlanInput, context: HandlerContext<unknown>) => {
    const outcome = await handler.handle(tenantId, loanId, input, { commandId: context.envelope.messageId, actor: lending, tx: context.tx, causationId: context.envelope.messageId });
    if (outcome.kind === 'refused') log('warn', 'accompaniment: lending fact skipped', { code: outcome.error.code, contract: context.envelope.name, loanId, messageId: context.envelope.messageId });
  };
  return [
    on(loanDisbursedV1, (p, context) =>
      apply(p.tenantId, p.loanId, { type: 'OpenPlan', loanId: p.loanId, applicationId: p.applicationId, product: p.product, amountCents: p.amountCents, termMonths: p.termMonths, firstDueDate: p.firstDueDate, disbursedAt: p.disbursedAt }, context),
    ),
    // The delay to the CCAS's first contact runs from the moment lending recorded the miss.
    on(instalmentMissedV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'RecordMissedInstalment', instalmentNumber: p.instalmentNumber, dueDate: p.dueDate, missedAt: context.envelope.occurredAt }, context)),
    on(borrowerContactedV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'RecordBankContact', outcome: p.outcome, contactedAt: p.contactedAt }, context)),
    on(loanRescheduledV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'RecordRescheduled', kind: p.kind, newEndDate: p.newEndDate }, context)),
    // The loan ended: an open escalation closes (loanEnded) and the check-ins still due are dropped from the worklist.
    on(loanRepaidV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'RecordLoanEnded', reason: 'repaid', endedAt: p.repaidAt }, context)),
    on(loanWrittenOffV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'RecordLoanEnded', reason: 'writtenOff', endedAt: p.writtenOffAt }, context)),
  ];
}
