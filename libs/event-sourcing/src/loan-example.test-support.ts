import type { Decider } from './decider';
import type { DomainEvent } from './command-handler';

// A tiny loan decider used by the specs of this lib.
export type LoanCommand = { type: 'RequestLoan'; amountCents: number } | { type: 'ApproveLoan'; approvedOn: string };
export type LoanEvent = DomainEvent<'LoanRequested', { amountCents: number }> | DomainEvent<'LoanApproved', { approvedOn: string }>;
export type LoanState = { status: 'none' } | { status: 'requested'; amountCents: number } | { status: 'approved'; amountCents: number };

export class LoanRuleError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

export const loanDecider: Decider<LoanCommand, LoanEvent, LoanState> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'LoanRequested':
        return { status: 'requested', amountCents: event.data.amountCents };
      case 'LoanApproved':
        return state.status === 'requested' ? { status: 'approved', amountCents: state.amountCents } : state;
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RequestLoan':
        if (state.status !== 'none') throw new LoanRuleError('LOAN_ALREADY_REQUESTED');
        return [{ type: 'LoanRequested', data: { amountCents: command.amountCents } }];
      case 'ApproveLoan':
        if (state.status === 'approved') return [];
        if (state.status !== 'requested') throw new LoanRuleError('LOAN_NOT_REQUESTED');
        return [{ type: 'LoanApproved', data: { approvedOn: command.approvedOn } }];
    }
  },
};
