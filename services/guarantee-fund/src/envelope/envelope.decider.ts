import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { EnvelopeCommand } from './envelope.commands';
import type { EnvelopeEvent } from './envelope.events';

// No CCAS envelope comes near 10 M€: a larger figure is a typing error (cents entered as euros ×100).
export const MAX_ENVELOPE_CAPACITY_CENTS = 1_000_000_000;
export const DECISION_REFERENCE = /^[A-Z0-9][A-Z0-9_./-]{0,63}$/;
const CALENDAR_DATE = /^\d{4}-\d{2}-\d{2}$/;

export type EnvelopeState =
  | { readonly status: 'unopened' }
  | {
      readonly status: 'open';
      readonly guarantorId: string;
      readonly capacityCents: number;
      /** Held by granted guarantees; none exist yet, so always 0 for now. */
      readonly reservedCents: number;
      readonly decisionDate: string;
      readonly decisionReference: string;
    };

export const initialEnvelopeState = (): EnvelopeState => ({ status: 'unopened' });

export function evolveEnvelope(state: EnvelopeState, event: EnvelopeEvent): EnvelopeState {
  switch (event.type) {
    case 'EnvelopeCapacityVoted': {
      const { guarantorId, capacityCents, decisionDate, decisionReference } = event.data;
      return { status: 'open', guarantorId, capacityCents, reservedCents: state.status === 'open' ? state.reservedCents : 0, decisionDate, decisionReference };
    }
    default:
      return exhaustive(event.type);
  }
}

export function decideEnvelope(command: EnvelopeCommand, state: EnvelopeState): EnvelopeEvent[] {
  switch (command.type) {
    case 'VoteEnvelopeCapacity': {
      checkVote(command);
      const previousCapacityCents = capacityOf(state);
      if (state.status === 'open' && command.capacityCents === state.capacityCents) {
        throw stateError('ENVELOPE_CAPACITY_UNCHANGED', `the envelope already holds a capacity of ${state.capacityCents} cents (decision ${state.decisionReference})`, 'capacityCents');
      }
      return [
        {
          type: 'EnvelopeCapacityVoted',
          data: {
            guarantorId: command.guarantorId,
            capacityCents: command.capacityCents,
            previousCapacityCents,
            decisionDate: command.decisionDate,
            decisionReference: command.decisionReference,
            votedBy: command.actor.userId,
          },
        },
      ];
    }
    default:
      return exhaustive(command.type);
  }
}

function checkVote(command: EnvelopeCommand): void {
  const { capacityCents, decisionDate, decisionReference, today } = command;
  if (!Number.isSafeInteger(capacityCents) || capacityCents <= 0 || capacityCents > MAX_ENVELOPE_CAPACITY_CENTS) {
    throw ruleError('CAPACITY_INVALID', `capacityCents must be a whole number of cents from 1 to ${MAX_ENVELOPE_CAPACITY_CENTS}, got ${capacityCents}`, 'capacityCents');
  }
  if (!CALENDAR_DATE.test(decisionDate)) throw ruleError('DECISION_DATE_INVALID', 'decisionDate must be YYYY-MM-DD', 'decisionDate');
  if (decisionDate > today) throw ruleError('DECISION_DATE_IN_FUTURE', `decisionDate ${decisionDate} is after today (${today})`, 'decisionDate');
  if (!DECISION_REFERENCE.test(decisionReference)) {
    throw ruleError('DECISION_REFERENCE_INVALID', 'decisionReference is the decision’s code (capitals, digits, - _ . /), not a sentence', 'decisionReference');
  }
}

export function capacityOf(state: EnvelopeState): number {
  switch (state.status) {
    case 'unopened':
      return 0;
    case 'open':
      return state.capacityCents;
    default:
      return exhaustive(state);
  }
}

export function headroomOf(state: EnvelopeState): number {
  return state.status === 'open' ? state.capacityCents - state.reservedCents : 0;
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const envelopeDecider: Decider<EnvelopeCommand, EnvelopeEvent, EnvelopeState> = {
  initialState: initialEnvelopeState,
  evolve: evolveEnvelope,
  decide: decideEnvelope,
};

/** Envelope streams (`envelope-<guarantorId>`), one per guarantor within a CCAS. */
export const envelopeAggregate: Aggregate<EnvelopeCommand, EnvelopeEvent, EnvelopeState> = { category: 'envelope', decider: envelopeDecider };
