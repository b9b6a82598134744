import type { RecordedEvent } from '@tremplin/event-sourcing';
import type { LoanCommand } from './loan.commands';
import { evolveLoan, loanDecider } from './loan.decider';
import type { LoanState } from './loan.state';

/** Runs commands through the decider and records what it decides, as the store would (for pure specs). */
export function recordedLoanEvents(commands: LoanCommand[]): RecordedEvent[] {
  let state: LoanState = loanDecider.initialState();
  const out: RecordedEvent[] = [];
  for (const command of commands) {
    for (const event of loanDecider.decide(command, state)) {
      state = evolveLoan(state, event);
      const version = out.length + 1;
      out.push({
        ...event,
        eventId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
        schemaVersion: 1,
        metadata: { correlationId: 'corr-1', occurredAt: command.now, actorId: command.actor.userId },
        tenantId: 'ccas-tarbes',
        streamId: 'loan-l1',
        streamVersion: version,
        globalPosition: BigInt(version),
        transactionId: 1n,
        recordedAt: command.now,
        hash: 'h',
        previousHash: 'p',
      });
    }
  }
  return out;
}
