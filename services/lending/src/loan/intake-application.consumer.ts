import { applicationTransmittedV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type MessagingLog } from '@tremplin/messaging';
import { loanIdOf, type LoanHandler } from './loan.handler';

/**
 * intake.application-transmitted.v1 → ReceiveApplication, written through the inbox transaction (exactly once).
 * A business refusal (the bank already received this file through its REST route) is logged and skipped:
 * it is an outcome, not a poison message.
 */
export function intakeApplicationConsumer(handler: LoanHandler, log: MessagingLog): HandlerBinding {
  return on(applicationTransmittedV1, async (payload, { tx, envelope }) => {
    const loanId = loanIdOf(payload.tenantId, payload.applicationId);
    const outcome = await handler.handle(
      payload.tenantId,
      loanId,
      {
        type: 'ReceiveApplication',
        loanId,
        applicationId: payload.applicationId,
        bankPartnerId: payload.bankPartnerId,
        product: payload.product,
        purposeCategory: payload.purposeCategory,
        requestedAmountCents: payload.requestedAmountCents,
        requestedTermMonths: payload.requestedTermMonths,
        channel: 'intake',
        commissionDecisionId: payload.commissionDecisionId,
      },
      { commandId: envelope.messageId, actor: { userId: 'intake', role: 'service' }, tx, causationId: envelope.messageId },
    );
    if (outcome.kind === 'refused') {
      log('warn', 'lending: transmitted application skipped', { code: outcome.error.code, applicationId: payload.applicationId, messageId: envelope.messageId });
    }
  });
}
