import { aggregateFold, type ServiceAudit } from '@tremplin/audit';
import { guaranteeGateAggregate } from './guarantee-gate/guarantee-gate.decider';
import { loanAggregate } from './loan/loan.decider';
import { loanSummaryProjection } from './loan/loan-summary.projection';
import { productAggregate } from './product/product.decider';

// What the auditor's CLI (npm run audit) needs of lending: its folds for `history --state`, its read models for `replay-check`.
export const audit: ServiceAudit = {
  service: 'lending',
  folds: [aggregateFold(loanAggregate), aggregateFold(productAggregate), aggregateFold(guaranteeGateAggregate)],
  projections: [loanSummaryProjection],
};
