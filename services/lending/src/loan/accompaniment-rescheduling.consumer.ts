import { reschedulingParametersOf, reschedulingRequestedV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type MessagingLog } from '@tremplin/messaging';
import type { LoanHandler } from './loan.handler';

/**
 * accompaniment.rescheduling-requested.v1 → RequestRescheduling, through the inbox transaction (exactly once): the
 * social worker who asked is the request's first pair of eyes, so a bank advisor approves or declines it through
 * the usual routes and the same person can never do both. A refusal (a request already pending, a loan not being
 * repaid, a schedule that cannot take it) is logged with its code and skipped: the social worker sees the loan's
 * requests in lending.
 */
export function accompanimentReschedulingConsumer(handler: LoanHandler, log: MessagingLog): HandlerBinding {
  return on(reschedulingRequestedV1, async (payload, { tx, envelope }) => {
    const request = reschedulingParametersOf(payload);
    if (!request) {
      log('warn', 'lending: rescheduling request without its parameter skipped', { kind: payload.kind, loanId: payload.loanId, messageId: envelope.messageId });
      return;
    }
    const outcome = await handler.handle(
      payload.tenantId,
      payload.loanId,
      { type: 'RequestRescheduling', requestId: payload.requestId, request },
      { commandId: envelope.messageId, actor: { userId: payload.requestedBy, role: 'socialWorker' }, tx, causationId: envelope.messageId },
    );
    if (outcome.kind === 'refused') {
      log('warn', 'lending: rescheduling request from accompaniment skipped', { code: outcome.error.code, loanId: payload.loanId, requestId: payload.requestId, messageId: envelope.messageId });
    }
  });
}
