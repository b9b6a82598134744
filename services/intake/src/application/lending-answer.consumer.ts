import { loanApprovedV1, loanRefusedV1, loanRepaidV1, loanWrittenOffV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type MessagingLog } from '@tremplin/messaging';
import type { ApplicationHandler } from './application.handler';

const LENDING = { userId: 'lending', role: 'service' };

/**
 * lending.loan-approved.v1 / lending.loan-refused.v1 → the file closes with the bank's answer (and loan-repaid /
 * loan-written-off → the loan's end is recorded on it), in the inbox
 * transaction (exactly once). A loan that is not one of ours (received by the bank directly) or an answer that finds
 * the file already closed is an outcome to log and skip, never a poison message.
 */
export function lendingAnswerConsumers(handler: ApplicationHandler, log: MessagingLog): HandlerBinding[] {
  const skipped = (code: string, applicationId: string, messageId: string) => log('warn', 'intake: bank answer skipped', { code, applicationId, messageId });
  return [
    on(loanApprovedV1, async (payload, { tx, envelope }) => {
      const outcome = await handler.bankAnswer(
        payload.applicationId,
        { loanId: payload.loanId, answer: { outcome: 'loanApproved', approvedAmountCents: payload.approvedAmountCents, termMonths: payload.termMonths } },
        { tenantId: payload.tenantId, commandId: envelope.messageId, actor: LENDING, tx, causationId: envelope.messageId },
      );
      if (outcome.kind === 'refused') skipped(outcome.error.code, payload.applicationId, envelope.messageId);
    }),
    on(loanRefusedV1, async (payload, { tx, envelope }) => {
      const outcome = await handler.bankAnswer(
        payload.applicationId,
        { loanId: payload.loanId, answer: { outcome: 'bankRefused', reasonCode: payload.reasonCode, reasonCategory: payload.reasonCategory } },
        { tenantId: payload.tenantId, commandId: envelope.messageId, actor: LENDING, tx, causationId: envelope.messageId },
      );
      if (outcome.kind === 'refused') skipped(outcome.error.code, payload.applicationId, envelope.messageId);
    }),
    // The loan's end starts the granted file's archive clock (and lifts the block on erasure).
    on(loanRepaidV1, async (payload, { tx, envelope }) => {
      if (!payload.applicationId) return;
      const outcome = await handler.loanEnded(payload.applicationId, { loanId: payload.loanId, ending: 'repaid', endedAt: payload.repaidAt }, { tenantId: payload.tenantId, commandId: envelope.messageId, actor: LENDING, tx, causationId: envelope.messageId });
      if (outcome.kind === 'refused') skipped(outcome.error.code, payload.applicationId, envelope.messageId);
    }),
    on(loanWrittenOffV1, async (payload, { tx, envelope }) => {
      if (!payload.applicationId) return;
      const outcome = await handler.loanEnded(payload.applicationId, { loanId: payload.loanId, ending: 'writtenOff', endedAt: payload.writtenOffAt }, { tenantId: payload.tenantId, commandId: envelope.messageId, actor: LENDING, tx, causationId: envelope.messageId });
      if (outcome.kind === 'refused') skipped(outcome.error.code, payload.applicationId, envelope.messageId);
    }),
  ];
}
