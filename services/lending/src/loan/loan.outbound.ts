import {
  borrowerContactChannels,
  borrowerContactedV1,
  borrowerContactOutcomes,
  incidentWarningIssuedV1,
  instalmentMissedV1,
  instalmentPaidV1,
  loanApplicationReceivedV1,
  loanApprovedV1,
  loanDefaultedV1,
  loanDisbursedV1,
  loanRefusedV1,
  loanRepaidV1,
  loanRescheduledV1,
  loanWrittenOffV1,
  offerSignedV1,
  offerWithdrawnV1,
  recoveryReceivedV1,
  type Envelope,
} from '@tremplin/contracts';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages, type OutboundMessage } from '@tremplin/service-kit';
import { loanAggregate } from './loan.decider';
import type { LoanEvent } from './loan.events';
import { outstandingPrincipalOf, type LoanState } from './loan.state';

/**
 * Domain events stay private; these facts leave the service as versioned contracts (ids and amounts, no
 * personal data). The signature (the guarantee is requested on it), each payment's principal and the write-off
 * leave for the guarantee fund; the bank's contacts with a borrower leave for the accompaniment service's escalation
 * (codes only); offers, notices and requests are internal.
 */
export function loanMessages(tenantId: string, before: LoanState, recorded: readonly RecordedEvent[]): Envelope[] {
  return outboundMessages(loanAggregate, before, recorded, (state, event, record) => messageOf(tenantId, state, event, record.metadata.occurredAt));
}

function messageOf(tenantId: string, state: LoanState, event: LoanEvent, at: string): OutboundMessage | undefined {
  if (state.status === 'none') return undefined;
  const ids = { tenantId, loanId: state.application.loanId, applicationId: state.application.applicationId };
  switch (event.type) {
    case 'LoanApplicationReceived': {
      const d = event.data;
      return outbound(loanApplicationReceivedV1, {
        ...ids,
        bankPartnerId: d.bankPartnerId,
        product: d.product,
        purposeCategory: d.purposeCategory,
        requestedAmountCents: d.requestedAmountCents,
        requestedTermMonths: d.requestedTermMonths,
        receivedAt: d.receivedAt,
      });
    }
    case 'LoanApproved': {
      const d = event.data;
      return outbound(loanApprovedV1, {
        ...ids,
        bankPartnerId: state.application.bankPartnerId,
        product: state.application.product,
        approvedAmountCents: d.amountCents,
        termMonths: d.termMonths,
        nominalRateBps: d.nominalRateBps,
        taegBps: d.indicativeTaegBps,
        approvedAt: d.approvedAt,
      });
    }
    case 'LoanRefused':
      return outbound(loanRefusedV1, { ...ids, reasonCode: event.data.reasonCode, reasonCategory: event.data.reasonCategory, refusedAt: event.data.refusedAt });
    case 'FundsDisbursed': {
      if (!('offer' in state)) return undefined;
      const offer = state.offer;
      return outbound(loanDisbursedV1, {
        ...ids,
        amountCents: event.data.amountCents,
        termMonths: offer.termMonths,
        product: offer.product,
        guarantorKind: offer.guarantorKind,
        guaranteedShareBps: offer.guaranteedShareBps,
        disbursedAt: event.data.disbursedAt,
        firstDueDate: offer.schedule.firstDueDate,
        nominalRateBps: offer.nominalRateBps,
        taegBps: offer.taegBps,
      });
    }
    case 'InstalmentMissed': {
      const d = event.data;
      return outbound(instalmentMissedV1, { ...ids, instalmentNumber: d.instalmentNumber, dueDate: d.dueDate, unpaidCount: d.unpaidCount, daysPastDue: d.daysPastDue, arrearsCents: d.arrearsCents });
    }
    case 'IncidentWarningIssued':
      return outbound(incidentWarningIssuedV1, { ...ids, unpaidCount: event.data.unpaidCount, arrearsCents: event.data.arrearsCents, declarableFrom: event.data.declarableFrom });
    case 'PaymentHolidayGranted':
      return outbound(loanRescheduledV1, { ...ids, kind: 'holiday', newEndDate: event.data.newEndDate, newInstalmentCents: event.data.instalmentCents });
    case 'TermExtended':
      return outbound(loanRescheduledV1, { ...ids, kind: 'termExtension', newEndDate: event.data.newEndDate, newInstalmentCents: event.data.instalmentCents });
    case 'InstalmentRevised':
      return outbound(loanRescheduledV1, { ...ids, kind: 'instalmentRevision', newEndDate: event.data.newEndDate, newInstalmentCents: event.data.instalmentCents });
    case 'LoanRepaid':
      return outbound(loanRepaidV1, { ...ids, interestPaidTotalCents: event.data.interestPaidTotalCents, everLate: event.data.everLate, repaidAt: at });
    case 'LoanDefaulted':
      return outbound(loanDefaultedV1, { ...ids, outstandingPrincipalCents: event.data.outstandingPrincipalCents, defaultedAt: event.data.defaultedAt });
    case 'RecoveryReceived':
      return outbound(recoveryReceivedV1, { ...ids, amountCents: event.data.amountCents, receivedAt: at });
    case 'LoanOfferSigned': {
      if (!('offer' in state)) return undefined;
      const offer = state.offer;
      return outbound(offerSignedV1, {
        ...ids,
        bankPartnerId: state.application.bankPartnerId,
        product: offer.product,
        amountCents: offer.amountCents,
        termMonths: offer.termMonths,
        guarantorKind: offer.guarantorKind,
        guaranteedShareBps: offer.guaranteedShareBps,
        firstDueDate: offer.schedule.firstDueDate,
        signedAt: event.data.signedAt,
      });
    }
    case 'InstalmentPaid': {
      if (!('servicing' in state)) return undefined;
      const d = event.data;
      return outbound(instalmentPaidV1, {
        ...ids,
        amountCents: d.amountCents,
        principalRepaidCents: d.allocations.reduce((sum, a) => sum + a.principalCents, 0),
        interestPaidCents: d.allocations.reduce((sum, a) => sum + a.interestCents, 0),
        outstandingPrincipalCents: outstandingPrincipalOf(state.servicing.lines),
        paidOn: d.paidOn,
        recordedAt: d.recordedAt,
      });
    }
    case 'LoanWrittenOff':
      return outbound(loanWrittenOffV1, { ...ids, writtenOffCents: event.data.writtenOffCents, writtenOffAt: event.data.writtenOffAt });
    case 'BorrowerContacted': {
      const d = event.data;
      // The decider records only CONTACT_CHANNELS and CONTACT_OUTCOMES, the contract's own lists.
      const channel = d.channel as (typeof borrowerContactChannels)[number];
      const outcome = d.outcome as (typeof borrowerContactOutcomes)[number];
      return outbound(borrowerContactedV1, { ...ids, channel, outcome, daysPastDue: d.daysPastDue, contactedAt: d.contactedAt });
    }
    case 'LoanOfferWithdrawn':
      // Only a signed offer asked for a guarantee: its withdrawal is the fund's business.
      return event.data.wasSigned ? outbound(offerWithdrawnV1, { ...ids, reasonCode: event.data.reasonCode, withdrawnAt: event.data.withdrawnAt }) : undefined;
    // An early repayment's money leaves as the InstalmentPaid that follows it.
    case 'EarlyRepaymentRecorded':
    case 'ReschedulingWithdrawn':
    case 'LoanOfferIssued':
    case 'AgreementNoticeIssued':
    case 'IncidentWarningCleared':
    case 'IncidentDeclared':
    case 'ReschedulingRequested':
    case 'ReschedulingDeclined':
    case 'WriteOffRequested':
      return undefined;
    default: {
      const unhandled: never = event;
      throw new Error(`unmapped event ${JSON.stringify(unhandled)}`);
    }
  }
}
