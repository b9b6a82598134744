import { instalmentMissedV1, instalmentPaidV1, loanDefaultedV1, loanRepaidV1, loanRescheduledV1, loanWrittenOffV1 } from '@tremplin/contracts';
import type { Outcome } from '@tremplin/commands';
import { on, type HandlerBinding, type HandlerContext, type MessagingLog } from '@tremplin/messaging';
import type { EvaluationHandler } from '../evaluation/evaluation.handler';
import type { LoanEnd } from '../evaluation/evaluation.commands';
import type { LendingFact, RefundHandler } from './refund.handler';

/**
 * Lending's facts → the loan's refund stream (and, at its end, its evaluation stream), in the message's inbox
 * transaction. Each stream gets its own command id from the message id: event ids derive from it, and the plan
 * streams may be written from the same message. A business refusal is logged with its code and skipped.
 */
export function refundConsumers(refunds: RefundHandler, evaluations: EvaluationHandler, log: MessagingLog): HandlerBinding[] {
  const options = (context: HandlerContext<unknown>, part: string) => ({ commandId: `${context.envelope.messageId}\u001f${part}`, tx: context.tx, causationId: context.envelope.messageId });
  const skipped = (outcome: Outcome, context: HandlerContext<unknown>, loanId: string) => {
    if (outcome.kind === 'refused') log('warn', 'accompaniment: lending fact skipped', { code: outcome.error.code, contract: context.envelope.name, loanId, messageId: context.envelope.messageId });
  };
  const refund = async (tenantId: string, loanId: string, fact: LendingFact, context: HandlerContext<unknown>) =>
    skipped(await refunds.fromLending(tenantId, loanId, fact, options(context, 'refund')), context, loanId);
  const ended = async (tenantId: string, loanId: string, end: LoanEnd, endedAt: string, context: HandlerContext<unknown>) =>
    skipped(await evaluations.loanEnded(tenantId, loanId, end, endedAt, options(context, 'evaluation')), context, loanId);
  return [
    on(instalmentPaidV1, (p, context) => refund(p.tenantId, p.loanId, { type: 'NoteInstalmentPaid', interestPaidCents: p.interestPaidCents, paidOn: p.paidOn }, context)),
    on(instalmentMissedV1, (p, context) => refund(p.tenantId, p.loanId, { type: 'NoteInstalmentMissed', instalmentNumber: p.instalmentNumber, dueDate: p.dueDate }, context)),
    on(loanRescheduledV1, (p, context) => refund(p.tenantId, p.loanId, { type: 'NoteLoanRescheduled', kind: p.kind }, context)),
    on(loanRepaidV1, async (p, context) => {
      await refund(p.tenantId, p.loanId, { type: 'AssessInterestRefund', interestPaidTotalCents: p.interestPaidTotalCents, everLate: p.everLate, repaidAt: p.repaidAt }, context);
      await ended(p.tenantId, p.loanId, 'repaid', p.repaidAt, context);
    }),
    on(loanDefaultedV1, (p, context) => ended(p.tenantId, p.loanId, 'defaulted', p.defaultedAt, context)),
    on(loanWrittenOffV1, (p, context) => ended(p.tenantId, p.loanId, 'writtenOff', p.writtenOffAt, context)),
  ];
}
