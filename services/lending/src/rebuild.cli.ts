import { rebuildMain } from '@tremplin/service-kit';
import { loanSummaryProjection } from './loan/loan-summary.projection';

// DATABASE_URL=postgres://tremplin_app@…/lending node -r @swc-node/register services/lending/src/rebuild.cli.ts [loan-summary]
rebuildMain('lending', [loanSummaryProjection]);
