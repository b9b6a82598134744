import {
  guaranteeActivatedV1,
  guaranteeCalledV1,
  guaranteeClaimPaidV1,
  guaranteeExposureReducedV1,
  guaranteeGrantedV1,
  guaranteeRecoverySharedV1,
  guaranteeRefusedV1,
  guaranteeReleasedV1,
  guaranteeRequestedV1,
  guaranteeWithdrawnV1,
  guaranteeWrittenOffV1,
  type Envelope,
} from '@tremplin/contracts';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages, type OutboundMessage } from '@tremplin/service-kit';
import { guaranteeAggregate, type GuaranteeState } from './guarantee.decider';
import type { GuaranteeEvent } from './guarantee.events';

/** Guarantee events → guarantee.*.v1 (ids, codes and amounts): lending's disbursement gate and reporting read them. */
export function guaranteeMessages(tenantId: string, before: GuaranteeState, recorded: readonly RecordedEvent[]): Envelope[] {
  return outboundMessages(guaranteeAggregate, before, recorded, (state, event) => messageOf(tenantId, state, event));
}

function messageOf(tenantId: string, state: GuaranteeState, event: GuaranteeEvent): OutboundMessage | undefined {
  if (state.status === 'none') return undefined;
  const loan = { tenantId, loanId: state.request.loanId };
  if (event.type === 'GuaranteeRequested') {
    const d = event.data;
    return outbound(guaranteeRequestedV1, { ...loan, bankPartnerId: d.bankPartnerId, product: d.product, principalCents: d.principalCents, requestedAt: d.requestedAt });
  }
  if (event.type === 'GuaranteeRefused') {
    const d = event.data;
    return outbound(guaranteeRefusedV1, {
      ...loan,
      product: state.request.product,
      ...(d.guarantorId ? { guarantorId: d.guarantorId } : {}),
      reasonCode: d.reasonCode,
      requiredCents: d.requiredCents,
      headroomCents: d.headroomCents,
      refusedAt: d.refusedAt,
    });
  }
  if (event.type === 'GuaranteeWithdrawn') {
    const d = event.data;
    return outbound(guaranteeWithdrawnV1, { ...loan, product: state.request.product, ...(d.guarantorId ? { guarantorId: d.guarantorId } : {}), releasedCents: d.releasedCents, withdrawnAt: d.withdrawnAt });
  }
  if (!('grant' in state)) return undefined;
  const covered = { ...loan, guarantorId: state.grant.guarantorId, guarantorKind: state.grant.guarantorKind, product: state.request.product };
  switch (event.type) {
    case 'GuaranteeGranted': {
      const d = event.data;
      return outbound(guaranteeGrantedV1, { ...covered, guaranteedShareBps: d.shareBps, guaranteedCents: d.guaranteedCents, coverageVersion: d.coverageVersion, grantedAt: d.grantedAt });
    }
    case 'GuaranteeActivated':
      return outbound(guaranteeActivatedV1, {
        ...covered,
        principalCents: event.data.principalCents,
        guaranteedShareBps: state.grant.shareBps,
        exposureCents: event.data.exposureCents,
        activatedAt: event.data.activatedAt,
      });
    case 'GuaranteeExposureReduced': {
      const d = event.data;
      return outbound(guaranteeExposureReducedV1, {
        ...covered,
        outstandingPrincipalCents: d.outstandingPrincipalCents,
        previousExposureCents: d.exposureCents + d.releasedCents,
        exposureCents: d.exposureCents,
        reducedOn: d.reducedOn,
      });
    }
    case 'GuaranteeReleased':
      return outbound(guaranteeReleasedV1, { ...covered, releasedCents: event.data.releasedCents, reason: 'loanRepaid', releasedAt: event.data.releasedAt });
    case 'GuaranteeCalled':
      return outbound(guaranteeCalledV1, {
        ...covered,
        outstandingPrincipalCents: event.data.outstandingPrincipalCents,
        guaranteedShareBps: state.grant.shareBps,
        claimCents: event.data.claimCents,
        calledAt: event.data.calledAt,
      });
    case 'ClaimPaid':
      return outbound(guaranteeClaimPaidV1, { ...covered, claimCents: event.data.claimCents, paidOn: event.data.paidOn, paidBy: event.data.paidBy, paidAt: event.data.paidAt });
    case 'RecoveryShared': {
      const d = event.data;
      return outbound(guaranteeRecoverySharedV1, {
        ...covered,
        recoveryCents: d.recoveryCents,
        guarantorShareCents: d.guarantorShareCents,
        bankShareCents: d.bankShareCents,
        guarantorRecoveredTotalCents: d.guarantorRecoveredTotalCents,
        receivedAt: d.receivedAt,
      });
    }
    case 'GuaranteeWrittenOff': {
      const d = event.data;
      return outbound(guaranteeWrittenOffV1, { ...covered, claimPaidCents: d.claimPaidCents, recoveredCents: d.recoveredCents, lossCents: d.lossCents, writtenOffAt: d.writtenOffAt });
    }
    default:
      return undefined;
  }
}
