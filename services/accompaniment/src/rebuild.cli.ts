import { rebuildMain } from '@tremplin/service-kit';
import { refundListProjection, refundPolicyProjection } from './refund/refund-list.projection';
import { planRowProjection } from './worklist/plan-row.projection';

// DATABASE_URL=postgres://tremplin_app@…/tremplin_accompaniment node -r @swc-node/register services/accompaniment/src/rebuild.cli.ts [plan-rows|refund-list|refund-policy]
rebuildMain('accompaniment', [planRowProjection, refundListProjection, refundPolicyProjection]);
