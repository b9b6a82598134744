import { aggregateFold, type ServiceAudit } from '@tremplin/audit';
import { deadlineAggregate } from './deadline/deadline.decider';
import { evaluationAggregate } from './evaluation/evaluation.decider';
import { intakeFileAggregate } from './intake-file/intake-file.decider';
import { planAggregate } from './plan/plan.decider';
import { interestRefundAggregate } from './refund/interest-refund.decider';
import { refundListProjection, refundPolicyProjection } from './refund/refund-list.projection';
import { refundPolicyAggregate } from './refund/refund-policy.decider';
import { planRowProjection } from './worklist/plan-row.projection';

// What the auditor's CLI (npm run audit) needs of the accompaniment service: its folds for `history --state`, its read models for `replay-check`.
export const audit: ServiceAudit = {
  service: 'accompaniment',
  folds: [aggregateFold(planAggregate), aggregateFold(deadlineAggregate), aggregateFold(intakeFileAggregate), aggregateFold(interestRefundAggregate), aggregateFold(refundPolicyAggregate), aggregateFold(evaluationAggregate)],
  projections: [planRowProjection, refundListProjection, refundPolicyProjection],
};
