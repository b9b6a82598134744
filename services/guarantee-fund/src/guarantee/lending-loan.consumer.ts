import { instalmentPaidV1, loanDefaultedV1, loanDisbursedV1, loanRepaidV1, loanWrittenOffV1, offerSignedV1, offerWithdrawnV1, recoveryReceivedV1 } from '@tremplin/contracts';
import { on, type HandlerBinding, type HandlerContext, type MessagingLog } from '@tremplin/messaging';
import type { GuaranteeHandler, GuaranteeInput } from './guarantee.handler';

const lending = { userId: 'lending', role: 'service' };

/**
 * Lending's facts → guarantee commands, each written through the inbox transaction (exactly once). A business
 * refusal (e.g. a disbursement reported for a loan whose guarantee was refused) is an outcome, not a poison
 * message: it is logged with its code and skipped.
 */
export function lendingLoanConsumers(handler: GuaranteeHandler, log: MessagingLog): HandlerBinding[] {
  const apply = async (tenantId: string, loanId: string, input: GuaranteeInput, context: HandlerContext<unknown>) => {
    const outcome = await handler.handle(tenantId, loanId, input, { commandId: context.envelope.messageId, actor: lending, tx: context.tx, causationId: context.envelope.messageId });
    if (outcome.kind === 'refused') log('warn', 'guarantee-fund: lending fact skipped', { code: outcome.error.code, contract: context.envelope.name, loanId, messageId: context.envelope.messageId });
  };
  return [
    on(offerSignedV1, (p, context) =>
      apply(p.tenantId, p.loanId, { type: 'RequestGuarantee', loanId: p.loanId, bankPartnerId: p.bankPartnerId, product: p.product, principalCents: p.amountCents }, context),
    ),
    on(offerWithdrawnV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'WithdrawGuarantee', withdrawnAt: p.withdrawnAt }, context)),
    on(loanDisbursedV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'ActivateGuarantee', principalCents: p.amountCents, disbursedAt: p.disbursedAt }, context)),
    on(instalmentPaidV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'ReduceExposure', outstandingPrincipalCents: p.outstandingPrincipalCents, paidOn: p.paidOn }, context)),
    on(loanRepaidV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'ReleaseGuarantee', repaidAt: p.repaidAt }, context)),
    on(loanDefaultedV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'CallGuarantee', outstandingPrincipalCents: p.outstandingPrincipalCents, defaultedAt: p.defaultedAt }, context)),
    on(recoveryReceivedV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'ShareRecovery', recoveryCents: p.amountCents, receivedAt: p.receivedAt }, context)),
    on(loanWrittenOffV1, (p, context) => apply(p.tenantId, p.loanId, { type: 'WriteOffGuarantee', writtenOffAt: p.writtenOffAt }, context)),
  ];
}
