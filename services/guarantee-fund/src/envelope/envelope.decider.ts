import { ruleError, stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { EnvelopeCommand, VoteEnvelopeCapacity } from './envelope.commands';
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
      /** Held by granted guarantees: their guaranteed share of the principal not yet repaid. */
      readonly reservedCents: number;
      /** Paid out in claims, net of the guarantor's share of recoveries. */
      readonly consumedCents: number;
      readonly decisionDate: string;
      readonly decisionReference: string;
    };

export const initialEnvelopeState = (): EnvelopeState => ({ status: 'unopened' });

export function evolveEnvelope(state: EnvelopeState, event: EnvelopeEvent): EnvelopeState {
  switch (event.type) {
    case 'EnvelopeCapacityVoted': {
      const { guarantorId, capacityCents, decisionDate, decisionReference } = event.data;
      const held = state.status === 'open' ? { reservedCents: state.reservedCents, consumedCents: state.consumedCents } : { reservedCents: 0, consumedCents: 0 };
      return { status: 'open', guarantorId, capacityCents, ...held, decisionDate, decisionReference };
    }
    case 'EnvelopeReserved':
      return state.status === 'open' ? { ...state, reservedCents: state.reservedCents + event.data.amountCents } : state;
    case 'EnvelopeReleased':
      return state.status === 'open' ? { ...state, reservedCents: state.reservedCents - event.data.amountCents } : state;
    case 'EnvelopeConsumed':
      return state.status === 'open'
        ? { ...state, reservedCents: state.reservedCents - event.data.releasedCents, consumedCents: state.consumedCents + event.data.consumedCents }
        : state;
    case 'EnvelopeReplenished':
      return state.status === 'open' ? { ...state, consumedCents: state.consumedCents - event.data.amountCents } : state;
    default:
      return exhaustive(event);
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
      // A board may reduce its envelope, never below what its guarantees already hold: headroom stays >= 0.
      if (state.status === 'open' && command.capacityCents < state.reservedCents + state.consumedCents) {
        throw stateError(
          'CAPACITY_BELOW_COMMITMENTS',
          `guarantees hold ${state.reservedCents} cents and claims consumed ${state.consumedCents} cents: the capacity cannot go below ${state.reservedCents + state.consumedCents}`,
          'capacityCents',
        );
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
    case 'ReserveForGuarantee': {
      checkAmount(command.amountCents, 'amountCents');
      if (command.amountCents > headroomOf(state)) {
        throw stateError('INSUFFICIENT_HEADROOM', `the envelope has ${headroomOf(state)} cents of headroom, ${command.amountCents} are needed`, 'amountCents');
      }
      return [{ type: 'EnvelopeReserved', data: { loanId: command.loanId, amountCents: command.amountCents } }];
    }
    case 'ReleaseReservation': {
      checkAmount(command.amountCents, 'amountCents');
      if (command.amountCents > reservedOf(state)) throw stateError('RELEASE_ABOVE_RESERVED', `only ${reservedOf(state)} cents are reserved`, 'amountCents');
      return [{ type: 'EnvelopeReleased', data: { loanId: command.loanId, amountCents: command.amountCents } }];
    }
    case 'ConsumeForClaim': {
      if (command.releasedCents > 0) checkAmount(command.releasedCents, 'releasedCents');
      if (command.consumedCents > 0) checkAmount(command.consumedCents, 'consumedCents');
      if (command.releasedCents > reservedOf(state)) throw stateError('RELEASE_ABOVE_RESERVED', `only ${reservedOf(state)} cents are reserved`, 'releasedCents');
      if (command.consumedCents > headroomOf(state) + command.releasedCents) {
        throw stateError('INSUFFICIENT_HEADROOM', `the claim of ${command.consumedCents} cents exceeds what the envelope can pay`, 'consumedCents');
      }
      return [{ type: 'EnvelopeConsumed', data: { loanId: command.loanId, releasedCents: command.releasedCents, consumedCents: command.consumedCents } }];
    }
    case 'ReplenishFromRecovery': {
      checkAmount(command.amountCents, 'amountCents');
      const consumed = state.status === 'open' ? state.consumedCents : 0;
      if (command.amountCents > consumed) throw stateError('REPLENISH_ABOVE_CONSUMED', `claims consumed only ${consumed} cents`, 'amountCents');
      return [{ type: 'EnvelopeReplenished', data: { loanId: command.loanId, amountCents: command.amountCents } }];
    }
    default:
      return exhaustive(command);
  }
}

function checkAmount(amountCents: number, field: string): void {
  if (!Number.isSafeInteger(amountCents) || amountCents <= 0) throw ruleError('AMOUNT_INVALID', `${field} must be a whole positive number of cents`, field);
}

function reservedOf(state: EnvelopeState): number {
  return state.status === 'open' ? state.reservedCents : 0;
}

function checkVote(command: VoteEnvelopeCapacity): void {
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
  return state.status === 'open' ? state.capacityCents - state.reservedCents - state.consumedCents : 0;
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
