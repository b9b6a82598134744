import { escalationClosedV1, escalationOpenedV1, firstContactMadeV1, reschedulingRequestedV1, supportGrantedV1, type Envelope } from '@tremplin/contracts';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages, type OutboundMessage } from '@tremplin/service-kit';
import { planAggregate, type PlanState } from './plan.decider';
import type { PlanEvent } from './plan.events';

/** Plan events → accompaniment.*.v1: ids, codes, delays and amounts for reporting, and the rescheduling lending decides. */
export function planMessages(tenantId: string, before: PlanState, recorded: readonly RecordedEvent[]): Envelope[] {
  return outboundMessages(planAggregate, before, recorded, (after, event) => messageOf(tenantId, after, event));
}

function messageOf(tenantId: string, state: PlanState, event: PlanEvent): OutboundMessage | undefined {
  if (state.status !== 'open') return undefined;
  const loan = { tenantId, loanId: state.loan.loanId };
  switch (event.type) {
    case 'EscalationOpened': {
      const d = event.data;
      return outbound(escalationOpenedV1, {
        ...loan,
        escalationId: d.escalationId,
        trigger: d.trigger,
        ...(d.instalmentNumber !== undefined ? { instalmentNumber: d.instalmentNumber } : {}),
        ...(d.dueDate !== undefined ? { missedDueDate: d.dueDate } : {}),
        deadlineWorkingDays: d.deadlineWorkingDays,
        deadlineDate: d.deadlineDate,
        openedAt: d.openedAt,
      });
    }
    case 'FirstCcasContactMade': {
      const d = event.data;
      const escalation = state.escalation;
      if (!escalation) return undefined;
      return outbound(firstContactMadeV1, {
        ...loan,
        escalationId: d.escalationId,
        trigger: escalation.opened.trigger,
        channel: d.channel,
        contactedAt: d.contactedAt,
        delayMinutes: d.delayMinutes,
        delayWorkingDays: d.delayWorkingDays,
        deadlineWorkingDays: escalation.opened.deadlineWorkingDays,
        late: d.late,
      });
    }
    case 'EscalationClosed': {
      const closed = state.lastClosed;
      if (!closed) return undefined;
      return outbound(escalationClosedV1, {
        ...loan,
        escalationId: event.data.escalationId,
        trigger: closed.opened.trigger,
        outcome: event.data.outcome,
        openedAt: closed.opened.openedAt,
        closedAt: event.data.closedAt,
        ...(closed.firstContact ? { firstContactDelayMinutes: closed.firstContact.delayMinutes, firstContactDelayWorkingDays: closed.firstContact.delayWorkingDays } : {}),
        threePartyMeetingHeld: closed.threePartyMeetingAt !== undefined,
        supportMeasures: closed.supports,
        reschedulingsRequested: closed.reschedulings,
      });
    }
    case 'SupportGranted': {
      const d = event.data;
      const support = d.support;
      return outbound(supportGrantedV1, {
        ...loan,
        supportId: d.supportId,
        ...(d.escalationId ? { escalationId: d.escalationId } : {}),
        kind: support.kind,
        ...(support.kind === 'emergencyAid' ? { amountCents: support.amountCents } : {}),
        ...(support.kind === 'socialGrocery' ? { months: support.months } : {}),
        ...(support.kind === 'referral' ? { partner: support.partner } : {}),
        grantedOn: d.grantedOn,
        grantedAt: d.grantedAt,
      });
    }
    case 'ReschedulingRequested': {
      const d = event.data;
      const r = d.rescheduling;
      return outbound(reschedulingRequestedV1, {
        ...loan,
        requestId: d.requestId,
        ...(d.escalationId ? { escalationId: d.escalationId } : {}),
        kind: r.kind,
        ...(r.kind === 'holiday' ? { months: r.months } : {}),
        ...(r.kind === 'termExtension' ? { additionalMonths: r.additionalMonths } : {}),
        ...(r.kind === 'instalmentRevision' ? { instalmentCents: r.instalmentCents } : {}),
        requestedBy: d.requestedBy,
        requestedAt: d.requestedAt,
      });
    }
    // Notes, contacts, check-ins, the charter and the bank's steps stay inside the service.
    case 'PlanOpened':
    case 'PlanDefined':
    case 'CharterSigned':
    case 'ContactRecorded':
    case 'CheckInScheduled':
    case 'CheckInCompleted':
    case 'InstalmentMissedAgain':
    case 'BankContactRecorded':
    case 'CcasAlerted':
    case 'ThreePartyMeetingHeld':
    case 'ReschedulingApplied':
    case 'PlanEnded':
      return undefined;
    default: {
      const unhandled: never = event;
      throw new Error(`unmapped event ${JSON.stringify(unhandled)}`);
    }
  }
}
