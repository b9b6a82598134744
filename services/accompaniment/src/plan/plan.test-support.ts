import { recordDecisions, type RecordedEvent } from '@tremplin/event-sourcing';
import type { PlanCommand } from './plan.commands';
import { planDecider } from './plan.decider';

/** Runs commands through the decider and records what it decides, as the store would (for pure specs). */
export const recordedPlanEvents = (commands: PlanCommand[], loanId = 'loan-1'): RecordedEvent[] => recordDecisions(planDecider, commands, { tenantId: 'ccas-laval', streamId: `plan-${loanId}` });
