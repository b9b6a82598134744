import { aggregateFold, type ServiceAudit } from '@tremplin/audit';
import { envelopeAggregate } from './envelope/envelope.decider';
import { envelopeHeadroomProjection } from './envelope/envelope-headroom.projection';
import { guaranteeAggregate } from './guarantee/guarantee.decider';
import { guaranteeBookProjection } from './guarantee/guarantee-book.projection';
import { coverageAggregate } from './product-coverage/coverage.decider';

// What the auditor's CLI (npm run audit) needs of the guarantee fund: its folds for `history --state`, its read models for `replay-check`.
export const audit: ServiceAudit = {
  service: 'guarantee-fund',
  folds: [aggregateFold(guaranteeAggregate), aggregateFold(envelopeAggregate), aggregateFold(coverageAggregate)],
  projections: [envelopeHeadroomProjection, guaranteeBookProjection],
};
