import { arrearsAt, compareDates, daysPastDue } from '@tremplin/finance';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { dueLinesOf, hasServicing, isFullyPaid, outstandingPrincipalOf, type LoanState } from './loan.state';

// What the GET routes answer. Arrears and days past due depend on the day they are looked at: they are
// computed here from the folded state, never stored.

export interface LoanFigures {
  readonly outstandingPrincipalCents: number;
  readonly arrearsCents: number;
  readonly unpaidInstalments: number;
  readonly daysPastDue: number;
  readonly interestPaidCents: number;
  readonly principalPaidCents: number;
}

export function figuresOf(state: LoanState, day: string): LoanFigures {
  if (!hasServicing(state)) return { outstandingPrincipalCents: 0, arrearsCents: 0, unpaidInstalments: 0, daysPastDue: 0, interestPaidCents: 0, principalPaidCents: 0 };
  const lines = dueLinesOf(state.servicing.lines);
  const arrears = arrearsAt(lines, day);
  return {
    outstandingPrincipalCents: outstandingPrincipalOf(state.servicing.lines),
    arrearsCents: arrears.total,
    unpaidInstalments: arrears.unpaidInstalments,
    daysPastDue: daysPastDue(lines, day, state.servicing.pauses),
    interestPaidCents: state.servicing.interestPaidCents,
    principalPaidCents: state.servicing.principalPaidCents,
  };
}

export function loanView(loanId: string, state: LoanState, streamVersion: number, day: string, asOf?: string) {
  if (state.status === 'none') return { loanId, status: state.status };
  const base = {
    loanId,
    status: state.status,
    streamVersion,
    ...(asOf ? { asOf } : {}),
    figuresOn: day,
    application: state.application,
    ...('terms' in state && state.terms ? { terms: state.terms } : {}),
    ...('refusal' in state ? { refusal: state.refusal } : {}),
  };
  if (!('offer' in state)) return base;
  const { schedule: _lines, ...offer } = state.offer;
  return {
    ...base,
    offer: {
      ...offer,
      firstDueDate: state.offer.schedule.firstDueDate,
      instalmentCents: state.offer.schedule.instalmentCents,
      // Line 1 charges its first period by its days: it differs from the regular instalment.
      firstInstalmentCents: state.offer.schedule.lines[0].instalment,
      endDate: state.offer.schedule.endDate,
    },
    ...('signature' in state ? { signature: state.signature, agreementNotices: state.notices } : {}),
    ...(hasServicing(state)
      ? {
          disbursedAt: state.servicing.disbursedAt,
          ...(state.servicing.taegBps === undefined ? {} : { taegAtDisbursementBps: state.servicing.taegBps, firstInstalmentCents: state.servicing.lines[0].instalment }),
          figures: figuresOf(state, day),
          endDate: state.servicing.lines[state.servicing.lines.length - 1].dueDate,
          everLate: state.servicing.everLate,
          incidentWarning: state.servicing.warning ?? null,
          pendingReschedulingRequests: state.servicing.pendingRequests,
          pauses: state.servicing.pauses,
          reschedulings: state.servicing.reschedulings,
        }
      : {}),
    ...(state.status === 'repaid' ? { repaidOn: state.repaidOn } : {}),
    ...(state.status === 'defaulted' || state.status === 'writtenOff' ? { defaulted: state.defaulted } : {}),
    ...(state.status === 'writtenOff' ? { writtenOffAt: state.writtenOffAt, writtenOffCents: state.writtenOffCents } : {}),
  };
}

export function scheduleView(loanId: string, state: LoanState, day: string) {
  if (hasServicing(state)) {
    return {
      loanId,
      status: state.status,
      figuresOn: day,
      lines: state.servicing.lines.map((line) => ({
        ...line,
        state: isFullyPaid(line) ? 'paid' : compareDates(line.dueDate, day) < 0 ? 'late' : line.interestPaid + line.principalPaid > 0 ? 'partlyPaid' : 'upcoming',
      })),
    };
  }
  if ('offer' in state) return { loanId, status: state.status, figuresOn: day, lines: state.offer.schedule.lines.map((line) => ({ ...line, interestPaid: 0, principalPaid: 0, state: 'offered' })) };
  return { loanId, status: state.status, figuresOn: day, lines: [] };
}

export function historyView(loanId: string, events: readonly RecordedEvent[]) {
  return {
    loanId,
    events: events.map((event) => ({
      streamVersion: event.streamVersion,
      eventId: event.eventId,
      type: event.type,
      occurredAt: event.metadata.occurredAt,
      recordedAt: event.recordedAt,
      actor: { userId: event.metadata.actorId ?? null, role: event.metadata.role ?? null, organisationId: event.metadata.organisationId ?? null },
      correlationId: event.metadata.correlationId,
      ...(event.metadata.causationId ? { causationId: event.metadata.causationId } : {}),
      data: event.data,
      hash: event.hash,
    })),
  };
}
