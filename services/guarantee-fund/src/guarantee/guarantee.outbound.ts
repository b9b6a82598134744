import {
  createEnvelope,
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
  type Contract,
  type Envelope,
  type PayloadSchema,
} from '@tremplin/contracts';
import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { deriveMessageId } from '@tremplin/messaging';
import type { z } from 'zod';
import { evolveGuarantee, guaranteeAggregate, type GuaranteeState } from './guarantee.decider';
import type { GuaranteeEvent } from './guarantee.events';

/** Guarantee events → guarantee.*.v1 (ids, codes and amounts): lending's disbursement gate and reporting read them. */
export function guaranteeMessages(tenantId: string, before: GuaranteeState, recorded: readonly RecordedEvent[]): Envelope[] {
  const envelopes: Envelope[] = [];
  let state = before;
  for (const record of recorded) {
    const event = decodeEvent(guaranteeAggregate, record);
    state = evolveGuarantee(state, event);
    const message = messageOf(tenantId, state, event);
    if (!message) continue;
    envelopes.push(
      createEnvelope(message.contract, message.payload, {
        messageId: deriveMessageId(record.eventId, message.contract.name),
        occurredAt: record.metadata.occurredAt,
        correlationId: record.metadata.correlationId,
        causationId: record.eventId,
      }) as Envelope,
    );
  }
  return envelopes;
}

interface Message {
  readonly contract: Contract;
  readonly payload: Record<string, unknown>;
}

const message = <S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>): Message => ({ contract: contract as unknown as Contract, payload: payload as Record<string, unknown> });

function messageOf(tenantId: string, state: GuaranteeState, event: GuaranteeEvent): Message | undefined {
  if (state.status === 'none') return undefined;
  const loan = { tenantId, loanId: state.request.loanId };
  if (event.type === 'GuaranteeRequested') {
    const d = event.data;
    return message(guaranteeRequestedV1, { ...loan, bankPartnerId: d.bankPartnerId, product: d.product, principalCents: d.principalCents, requestedAt: d.requestedAt });
  }
  if (event.type === 'GuaranteeRefused') {
    const d = event.data;
    return message(guaranteeRefusedV1, {
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
    return message(guaranteeWithdrawnV1, { ...loan, product: state.request.product, ...(d.guarantorId ? { guarantorId: d.guarantorId } : {}), releasedCents: d.releasedCents, withdrawnAt: d.withdrawnAt });
  }
  if (!('grant' in state)) return undefined;
  const covered = { ...loan, guarantorId: state.grant.guarantorId, guarantorKind: state.grant.guarantorKind, product: state.request.product };
  switch (event.type) {
    case 'GuaranteeGranted': {
      const d = event.data;
      return message(guaranteeGrantedV1, { ...covered, guaranteedShareBps: d.shareBps, guaranteedCents: d.guaranteedCents, coverageVersion: d.coverageVersion, grantedAt: d.grantedAt });
    }
    case 'GuaranteeActivated':
      return message(guaranteeActivatedV1, {
        ...covered,
        principalCents: event.data.principalCents,
        guaranteedShareBps: state.grant.shareBps,
        exposureCents: event.data.exposureCents,
        activatedAt: event.data.activatedAt,
      });
    case 'GuaranteeExposureReduced': {
      const d = event.data;
      return message(guaranteeExposureReducedV1, {
        ...covered,
        outstandingPrincipalCents: d.outstandingPrincipalCents,
        previousExposureCents: d.exposureCents + d.releasedCents,
        exposureCents: d.exposureCents,
        reducedOn: d.reducedOn,
      });
    }
    case 'GuaranteeReleased':
      return message(guaranteeReleasedV1, { ...covered, releasedCents: event.data.releasedCents, reason: 'loanRepaid', releasedAt: event.data.releasedAt });
    case 'GuaranteeCalled':
      return message(guaranteeCalledV1, {
        ...covered,
        outstandingPrincipalCents: event.data.outstandingPrincipalCents,
        guaranteedShareBps: state.grant.shareBps,
        claimCents: event.data.claimCents,
        calledAt: event.data.calledAt,
      });
    case 'ClaimPaid':
      return message(guaranteeClaimPaidV1, { ...covered, claimCents: event.data.claimCents, paidOn: event.data.paidOn, paidBy: event.data.paidBy, paidAt: event.data.paidAt });
    case 'RecoveryShared': {
      const d = event.data;
      return message(guaranteeRecoverySharedV1, {
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
      return message(guaranteeWrittenOffV1, { ...covered, claimPaidCents: d.claimPaidCents, recoveredCents: d.recoveredCents, lossCents: d.lossCents, writtenOffAt: d.writtenOffAt });
    }
    default:
      return undefined;
  }
}
