import type { RecordedEvent } from '@tremplin/event-sourcing';
import type { PlanCommand } from './plan.commands';
import { evolvePlan, planDecider, type PlanState } from './plan.decider';

/** Runs commands through the decider and records what it decides, as the store would (for pure specs). */
export function recordedPlanEvents(commands: PlanCommand[], loanId = 'loan-1'): RecordedEvent[] {
  let state: PlanState = planDecider.initialState();
  const out: RecordedEvent[] = [];
  for (const command of commands) {
    for (const event of planDecider.decide(command, state)) {
      state = evolvePlan(state, event);
      const version = out.length + 1;
      out.push({
        ...event,
        eventId: `00000000-0000-4000-8000-${String(version).padStart(12, '0')}`,
        schemaVersion: 1,
        metadata: { correlationId: 'corr-1', occurredAt: command.now, actorId: command.actor.userId },
        tenantId: 'ccas-laval',
        streamId: `plan-${loanId}`,
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
