import {
  applicationClosedV1,
  applicationOpenedV1,
  applicationSubmittedV1,
  applicationTransmittedV1,
  applicationWithdrawnV1,
  commissionDecidedV1,
  createEnvelope,
  type Contract,
  type Envelope,
  type PayloadSchema,
} from '@tremplin/contracts';
import { decodeEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { deriveMessageId } from '@tremplin/messaging';
import type { z } from 'zod';
import { applicationAggregate, evolveApplication, type ApplicationState } from './application.decider';

/** Application events → intake.*.v1 contracts: ids, codes and amounts; the sealed fields never leave. */
export function applicationMessages(tenantId: string, before: ApplicationState, recorded: readonly RecordedEvent[]): Envelope[] {
  const envelopes: Envelope[] = [];
  let state = before;
  const add = <S extends PayloadSchema>(contract: Contract<S>, record: RecordedEvent, payload: z.input<S>) =>
    envelopes.push(
      createEnvelope(contract, payload as never, {
        messageId: deriveMessageId(record.eventId, contract.name),
        occurredAt: record.metadata.occurredAt,
        correlationId: record.metadata.correlationId,
        causationId: record.eventId,
      }) as Envelope,
    );
  for (const record of recorded) {
    const event = decodeEvent(applicationAggregate, record);
    state = evolveApplication(state, event);
    if (state.status === 'none') continue;
    const { file } = state;
    const ids = { tenantId, applicationId: file.applicationId };
    const at = record.metadata.occurredAt;
    switch (event.type) {
      case 'ApplicationOpened':
        add(applicationOpenedV1, record, { ...ids, beneficiaryId: file.beneficiaryId, product: file.product, purposeCategory: file.purposeCategory, requestedAmountCents: file.requestedAmountCents, requestedTermMonths: file.requestedTermMonths, openedAt: at });
        break;
      case 'ApplicationSubmitted':
        add(applicationSubmittedV1, record, { ...ids, product: file.product, appointmentsHeld: file.appointmentIds.length, resteAVivreBelowMinimum: file.budget?.belowMinimum ?? false, accompanimentLevel: file.needs?.level ?? 'none', submittedAt: at });
        break;
      case 'CommissionDecided':
        add(commissionDecidedV1, record, { ...ids, commissionDecisionId: event.data.decisionId, decision: event.data.decision, reasonCode: event.data.reasonCode, decidedAt: at });
        break;
      case 'ApplicationTransmitted':
        add(applicationTransmittedV1, record, {
          ...ids,
          beneficiaryId: file.beneficiaryId,
          bankPartnerId: event.data.bankPartnerId,
          product: file.product,
          purposeCategory: file.purposeCategory,
          requestedAmountCents: file.requestedAmountCents,
          requestedTermMonths: file.requestedTermMonths,
          transmittedAt: at,
          commissionDecisionId: event.data.commissionDecisionId,
        });
        break;
      case 'ApplicationWithdrawn':
        add(applicationWithdrawnV1, record, { ...ids, reasonCode: event.data.reasonCode, withdrawnAt: at });
        break;
      case 'ApplicationClosed':
        add(applicationClosedV1, record, {
          ...ids,
          outcome: event.data.outcome,
          ...(event.data.loanId ? { loanId: event.data.loanId } : {}),
          ...(event.data.reasonCode ? { reasonCode: event.data.reasonCode } : {}),
          closedAt: at,
        });
        break;
      case 'AppointmentHeld':
      case 'BudgetAssessed':
      case 'NeedsAssessed':
      case 'EligibilityChecked':
      case 'LoanEnded':
        // Preparation steps stay inside intake (their facts reach others with the submission); lending publishes the loan's end.
        break;
      default: {
        const unhandled: never = event;
        throw new Error(`unmapped event ${JSON.stringify(unhandled)}`);
      }
    }
  }
  return envelopes;
}
