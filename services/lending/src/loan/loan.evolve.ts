import { compareDates, type ScheduleLine } from '@tremplin/finance';
import type { LoanEvent } from './loan.events';
import { applyAllocations, exhaustive, lineOf } from './loan.rules';
import { hasServicing, type ClosedRequest, type LoanState, type Servicing } from './loan.state';

export function evolveLoan(state: LoanState, event: LoanEvent): LoanState {
  switch (event.type) {
    case 'LoanApplicationReceived':
      return { status: 'applicationReceived', application: event.data };
    case 'LoanApproved':
      return state.status === 'applicationReceived' || state.status === 'approved' ? { status: 'approved', application: state.application, terms: event.data } : state;
    case 'LoanOfferWithdrawn':
      return state.status === 'offered' || state.status === 'signed' ? { status: 'approved', application: state.application, terms: state.terms } : state;
    case 'LoanRefused':
      return state.status === 'applicationReceived' || state.status === 'approved'
        ? { status: 'refused', application: state.application, refusal: event.data, ...(state.status === 'approved' ? { terms: state.terms } : {}) }
        : state;
    case 'LoanOfferIssued':
      return state.status === 'approved' ? { status: 'offered', application: state.application, terms: state.terms, offer: event.data } : state;
    case 'LoanOfferSigned':
      return state.status === 'offered' ? { ...state, status: 'signed', signature: event.data, notices: [] } : state;
    case 'AgreementNoticeIssued':
      return state.status === 'signed' ? { ...state, notices: [...state.notices, event.data] } : state;
    case 'FundsDisbursed':
      return state.status === 'signed'
        ? {
            ...state,
            status: 'repaying',
            servicing: {
              disbursedAt: event.data.disbursedAt,
              lines: (event.data.schedule ?? state.offer.schedule).lines.map((line) => ({ ...line, interestPaid: 0, principalPaid: 0 })),
              ...(event.data.taegBps === undefined ? {} : { taegBps: event.data.taegBps }),
              pauses: [],
              missed: [],
              everLate: false,
              interestPaidCents: 0,
              principalPaidCents: 0,
              pendingRequests: [],
              reschedulings: 0,
              contacts: 0,
            },
          }
        : state;
    case 'InstalmentPaid':
      return updateServicing(state, (servicing) => {
        const late = event.data.allocations.some((allocation) => compareDates(lineOf(servicing.lines, allocation.number).dueDate, event.data.paidOn) < 0);
        return {
          ...servicing,
          lines: applyAllocations(servicing.lines, event.data.allocations),
          everLate: servicing.everLate || late,
          interestPaidCents: servicing.interestPaidCents + event.data.allocations.reduce((sum, a) => sum + a.interestCents, 0),
          principalPaidCents: servicing.principalPaidCents + event.data.allocations.reduce((sum, a) => sum + a.principalCents, 0),
        };
      });
    case 'EarlyRepaymentRecorded':
      return updateServicing(state, (servicing) => {
        // Money paid ahead on the replaced lines moves onto the settlement line (interest first), so the
        // totals are recounted from the lines.
        const [settlement, ...rest] = event.data.lines;
        const carried = Math.min(event.data.paidAheadCents, settlement.interest);
        const kept = servicing.lines.filter((line) => line.number < settlement.number);
        const lines = [
          ...kept,
          { ...settlement, settlement: true, interestPaid: carried, principalPaid: event.data.paidAheadCents - carried },
          ...rest.map((line) => ({ ...line, interestPaid: 0, principalPaid: 0 })),
        ];
        return {
          ...servicing,
          lines,
          interestPaidCents: lines.reduce((sum, line) => sum + line.interestPaid, 0),
          principalPaidCents: lines.reduce((sum, line) => sum + line.principalPaid, 0),
        };
      });
    case 'InstalmentMissed':
      return updateServicing(state, (servicing) => ({ ...servicing, missed: [...servicing.missed, event.data.instalmentNumber], everLate: true }));
    case 'BorrowerContacted':
      return updateServicing(state, (servicing) => ({ ...servicing, contacts: servicing.contacts + 1 }));
    case 'IncidentWarningIssued':
      return updateServicing(state, (servicing) => ({
        ...servicing,
        warning: { issuedOn: event.data.issuedOn, declarableFrom: event.data.declarableFrom, declarationRequired: event.data.declarationRequired },
      }));
    case 'IncidentWarningCleared':
      return updateServicing(state, ({ warning: _cleared, ...servicing }) => servicing);
    case 'IncidentDeclared':
      return updateServicing(state, (servicing) => (servicing.warning ? { ...servicing, warning: { ...servicing.warning, declaredOn: event.data.declaredOn } } : servicing));
    case 'ReschedulingRequested':
      return updateServicing(state, (servicing) => ({
        ...servicing,
        pendingRequests: [...servicing.pendingRequests, { requestId: event.data.requestId, request: event.data.request, requestedBy: event.data.requestedBy, requestedAt: event.data.requestedAt }],
      }));
    case 'PaymentHolidayGranted':
    case 'TermExtended':
    case 'InstalmentRevised':
      return updateServicing(state, (servicing) => ({
        ...replaceLines(servicing, event.data.lines),
        ...closeRequest(servicing, event.data.requestId, 'approved'),
        reschedulings: servicing.reschedulings + 1,
        ...(event.type === 'PaymentHolidayGranted' ? { pauses: [...servicing.pauses, event.data.pause] } : {}),
      }));
    case 'ReschedulingDeclined':
      return updateServicing(state, (servicing) => ({ ...servicing, ...closeRequest(servicing, event.data.requestId, 'declined') }));
    case 'ReschedulingWithdrawn':
      return updateServicing(state, (servicing) => ({ ...servicing, ...closeRequest(servicing, event.data.requestId, 'withdrawn') }));
    case 'LoanRepaid':
      return state.status === 'repaying' ? { ...state, status: 'repaid', repaidOn: event.data.repaidOn } : state;
    case 'LoanDefaulted':
      return state.status === 'repaying'
        ? {
            ...state,
            status: 'defaulted',
            servicing: { ...state.servicing, pendingRequests: [] },
            defaulted: {
              defaultedAt: event.data.defaultedAt,
              outstandingPrincipalCents: event.data.outstandingPrincipalCents,
              unpaidInterestCents: event.data.unpaidInterestCents,
              recoveredCents: 0,
            },
          }
        : state;
    case 'RecoveryReceived':
      return state.status === 'defaulted' ? { ...state, defaulted: { ...state.defaulted, recoveredCents: event.data.recoveredTotalCents } } : state;
    case 'WriteOffRequested':
      return state.status === 'defaulted'
        ? { ...state, defaulted: { ...state.defaulted, writeOffRequest: { requestId: event.data.requestId, requestedBy: event.data.requestedBy, reasonCode: event.data.reasonCode } } }
        : state;
    case 'LoanWrittenOff':
      return state.status === 'defaulted'
        ? { ...state, status: 'writtenOff', defaulted: { ...state.defaulted, writeOffRequest: undefined }, writtenOffAt: event.data.writtenOffAt, writtenOffCents: event.data.writtenOffCents }
        : state;
    default:
      return exhaustive(event);
  }
}

function closeRequest(servicing: Servicing, requestId: string, outcome: ClosedRequest['outcome']): Pick<Servicing, 'pendingRequests' | 'closedRequests'> {
  return {
    pendingRequests: servicing.pendingRequests.filter((request) => request.requestId !== requestId),
    closedRequests: [...(servicing.closedRequests ?? []), { requestId, outcome }],
  };
}

function updateServicing(state: LoanState, update: (servicing: Servicing) => Servicing): LoanState {
  return hasServicing(state) ? { ...state, servicing: update(state.servicing) } : state;
}

function replaceLines(servicing: Servicing, replacement: readonly ScheduleLine[]): Servicing {
  const first = replacement[0]?.number ?? Number.POSITIVE_INFINITY;
  const kept = servicing.lines.filter((line) => line.number < first);
  return { ...servicing, lines: [...kept, ...replacement.map((line) => ({ ...line, interestPaid: 0, principalPaid: 0 }))] };
}
