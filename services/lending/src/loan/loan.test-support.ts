import { recordDecisions, type RecordedEvent } from '@tremplin/event-sourcing';
import type { LoanCommand } from './loan.commands';
import { loanDecider } from './loan.decider';

/** Runs commands through the decider and records what it decides, as the store would (for pure specs). */
export const recordedLoanEvents = (commands: LoanCommand[]): RecordedEvent[] => recordDecisions(loanDecider, commands, { tenantId: 'ccas-tarbes', streamId: 'loan-l1' });
