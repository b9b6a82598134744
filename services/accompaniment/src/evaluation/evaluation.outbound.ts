import { evaluationRecordedV1, newProjectLinkedV1, type Envelope } from '@tremplin/contracts';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { outbound, outboundMessages } from '@tremplin/service-kit';
import { evaluationAggregate, type EvaluationState } from './evaluation.decider';

/** Evaluation events → accompaniment.* contracts: codes and ids only. */
export function evaluationMessages(tenantId: string, loanId: string, before: EvaluationState, recorded: readonly RecordedEvent[]): Envelope[] {
  return outboundMessages(evaluationAggregate, before, recorded, (_after, event) => {
    switch (event.type) {
      case 'EndOfLoanEvaluationRecorded': {
        const { outcomes, satisfaction, withoutSupport, heldOn, newProjectApplicationId, recordedAt } = event.data;
        return outbound(evaluationRecordedV1, { tenantId, loanId, outcomes, satisfaction, withoutSupport, heldOn, ...(newProjectApplicationId ? { newProjectApplicationId } : {}), recordedAt });
      }
      case 'NewProjectLinked':
        return outbound(newProjectLinkedV1, { tenantId, loanId, newProjectApplicationId: event.data.applicationId, linkedAt: event.data.linkedAt });
      case 'LoanEndNoted':
        return undefined;
      default: {
        const unhandled: never = event;
        throw new Error(`unmapped event ${JSON.stringify(unhandled)}`);
      }
    }
  });
}
