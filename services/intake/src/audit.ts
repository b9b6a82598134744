import { aggregateFold, type ServiceAudit } from '@tremplin/audit';
import { applicationAggregate } from './application/application.decider';
import { fileListProjection } from './application/file-list.projection';
import { beneficiaryAggregate } from './beneficiary/beneficiary.decider';
import { catalogueAggregate } from './catalogue/catalogue.decider';
import { personListProjection } from './retention/person-list.projection';

// What the auditor's CLI (npm run audit) needs of intake: its folds for `history --state` (personal fields stay sealed
// unless --decrypt), its read models for `replay-check`.
export const audit: ServiceAudit = {
  service: 'intake',
  folds: [aggregateFold(applicationAggregate), aggregateFold(beneficiaryAggregate), aggregateFold(catalogueAggregate)],
  projections: [fileListProjection, personListProjection],
};
