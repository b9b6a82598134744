import { createEnvelope, productTermsChangedV1, type Envelope } from '@tremplin/contracts';
import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { deriveMessageId } from '@tremplin/messaging';
import { productAggregate } from './product.decider';

/** Product events → lending.product-terms-changed.v1: intake checks eligibility against the version in force. */
export function productMessages(tenantId: string, recorded: readonly RecordedEvent[]): Envelope[] {
  return recorded.map((record) => {
    const event = decodeEvent(productAggregate, record);
    const { product, version, effectiveFrom, terms } = event.data;
    return createEnvelope(
      productTermsChangedV1,
      {
        tenantId,
        product,
        version,
        effectiveFrom,
        minAmountCents: terms.minAmountCents,
        maxAmountCents: terms.maxAmountCents,
        ...(terms.exceptionMaxAmountCents !== undefined ? { exceptionMaxAmountCents: terms.exceptionMaxAmountCents } : {}),
        minTermMonths: terms.minTermMonths,
        maxTermMonths: terms.maxTermMonths,
        ...(terms.exceptionMaxTermMonths !== undefined ? { exceptionMaxTermMonths: terms.exceptionMaxTermMonths } : {}),
        accompaniment: terms.accompaniment,
        guarantorKind: terms.guarantorKind,
        guaranteedShareBps: terms.guaranteedShareBps,
        maxNominalRateBps: terms.maxNominalRateBps,
      },
      { messageId: deriveMessageId(record.eventId, productTermsChangedV1.name), occurredAt: record.metadata.occurredAt, correlationId: record.metadata.correlationId, causationId: record.eventId },
    ) as Envelope;
  });
}
