import { beneficiaryErasedV1, type Envelope } from '@tremplin/contracts';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages } from '@tremplin/service-kit';
import { beneficiaryAggregate, type BeneficiaryState } from './beneficiary.decider';

/** A person's facts stay in intake; only their erasure leaves (ids only), so other services shred what they sealed. */
export function beneficiaryMessages(tenantId: string, before: BeneficiaryState, recorded: readonly RecordedEvent[]): Envelope[] {
  return outboundMessages(beneficiaryAggregate, before, recorded, (after, event) =>
    event.type === 'BeneficiaryErased' && after.status === 'erased'
      ? outbound(beneficiaryErasedV1, { tenantId, beneficiaryId: after.beneficiaryId, reason: event.data.reason, erasedAt: event.data.erasedAt })
      : undefined,
  );
}
