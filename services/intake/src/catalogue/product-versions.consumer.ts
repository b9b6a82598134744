import { productTermsChangedV1 } from '@tremplin/contracts';
import type { CommandExecutor } from '@tremplin/commands';
import { on, type HandlerBinding, type MessagingLog } from '@tremplin/messaging';
import { metadataFromContext } from '@tremplin/tenancy';
import type { Clock } from '@tremplin/service-kit';
import { catalogueAggregate } from './catalogue.decider';
import { catalogueStreamId } from './catalogue.events';

/** lending.product-terms-changed.v1 → the CCAS's catalogue in intake, through the inbox transaction (exactly once). */
export function productVersionsConsumer(deps: { readonly executor: CommandExecutor; readonly clock: Clock }, log: MessagingLog): HandlerBinding {
  return on(productTermsChangedV1, async (payload, { tx, envelope }) => {
    const now = deps.clock().toISOString();
    const { tenantId, guarantorKind: _guarantor, guaranteedShareBps: _share, maxNominalRateBps: _rate, ...terms } = payload;
    const outcome = await deps.executor.execute({
      aggregate: catalogueAggregate,
      tenantId,
      streamId: catalogueStreamId(terms.product),
      command: { type: 'LearnProductVersion', terms, now, actor: { userId: 'lending', role: 'service' } },
      commandId: envelope.messageId,
      metadata: metadataFromContext(now, { causationId: envelope.messageId }),
      respond: (decided) => ({ statusCode: 200, body: { streamVersion: decided.streamVersion } }),
      tx,
    });
    if (outcome.kind === 'refused') log('warn', 'intake: product version skipped', { code: outcome.error.code, product: terms.product, version: terms.version, messageId: envelope.messageId });
  });
}
