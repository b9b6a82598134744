import type { Aggregate, Decider } from '@tremplin/event-sourcing';
import type { GuaranteeGateCommand } from './guarantee-gate.commands';
import type { GuaranteeGateEvent } from './guarantee-gate.events';

export type GuaranteeGateState =
  | { readonly status: 'awaiting' }
  | { readonly status: 'refused'; readonly reasonCode: string; readonly refusedAt: string }
  | { readonly status: 'granted'; readonly guarantorId: string; readonly guaranteedCents: number; readonly grantedAt: string };

export function evolveGuaranteeGate(_state: GuaranteeGateState, event: GuaranteeGateEvent): GuaranteeGateState {
  switch (event.type) {
    case 'GuaranteeGrantNoted':
      return { status: 'granted', ...event.data };
    case 'GuaranteeRefusalNoted':
      return { status: 'refused', ...event.data };
    default:
      return exhaustive(event);
  }
}

// Every answer is noted (the inbox drops a message delivered twice): a loan signed again is answered again, and
// only the answers stored after its last signature decide (guarantee-gate.handler.ts).
export function decideGuaranteeGate(command: GuaranteeGateCommand, _state: GuaranteeGateState): GuaranteeGateEvent[] {
  switch (command.type) {
    case 'NoteGuaranteeGranted':
      return [{ type: 'GuaranteeGrantNoted', data: { guarantorId: command.guarantorId, guaranteedCents: command.guaranteedCents, grantedAt: command.grantedAt } }];
    case 'NoteGuaranteeRefused':
      return [{ type: 'GuaranteeRefusalNoted', data: { reasonCode: command.reasonCode, refusedAt: command.refusedAt } }];
    default:
      return exhaustive(command);
  }
}

/** Why a loan may not be disbursed yet; undefined once its guarantee is granted. */
export function disbursementRefusal(state: GuaranteeGateState): { code: string; message: string } | undefined {
  switch (state.status) {
    case 'granted':
      return undefined;
    case 'refused':
      return { code: 'GUARANTEE_REFUSED', message: `the guarantee fund refused the guarantee (${state.reasonCode}): the loan cannot be disbursed` };
    case 'awaiting':
      return { code: 'GUARANTEE_NOT_GRANTED', message: 'the loan is awaiting its guarantee: it cannot be disbursed before the guarantee fund grants it' };
    default:
      return exhaustive(state);
  }
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const guaranteeGateDecider: Decider<GuaranteeGateCommand, GuaranteeGateEvent, GuaranteeGateState> = {
  initialState: () => ({ status: 'awaiting' }),
  evolve: evolveGuaranteeGate,
  decide: decideGuaranteeGate,
};

export const guaranteeGateAggregate: Aggregate<GuaranteeGateCommand, GuaranteeGateEvent, GuaranteeGateState> = { category: 'guarantee-gate', decider: guaranteeGateDecider };
