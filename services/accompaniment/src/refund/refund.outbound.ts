import { interestRefundApprovedV1, interestRefundPaidV1, type Envelope } from '@tremplin/contracts';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages } from '@tremplin/service-kit';
import { interestRefundAggregate, type InterestRefundState } from './interest-refund.decider';

/** Refund events → accompaniment.* contracts: the amount approved and paid, never the account it went to. */
export function refundMessages(tenantId: string, loanId: string, before: InterestRefundState, recorded: readonly RecordedEvent[]): Envelope[] {
  return outboundMessages(interestRefundAggregate, before, recorded, (after, event, record) => {
    if (after.status !== 'approved' && after.status !== 'paid') return undefined;
    switch (event.type) {
      case 'InterestRefundApproved':
        return outbound(interestRefundApprovedV1, { tenantId, loanId, amountCents: event.data.amountCents, policyVersion: after.policyVersion, rule: after.rule, approvedAt: event.data.approvedAt });
      case 'InterestRefundPaid':
        return outbound(interestRefundPaidV1, { tenantId, loanId, amountCents: event.data.amountCents, policyVersion: after.policyVersion, paidOn: event.data.paidOn, paidAt: record.metadata.occurredAt });
      default:
        return undefined;
    }
  });
}
