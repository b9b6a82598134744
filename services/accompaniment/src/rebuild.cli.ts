import { rebuildMain } from '@tremplin/service-kit';
import { planRowProjection } from './worklist/plan-row.projection';

// DATABASE_URL=postgres://tremplin_app@…/tremplin_accompaniment node -r @swc-node/register services/accompaniment/src/rebuild.cli.ts [plan-rows]
rebuildMain('accompaniment', [planRowProjection]);
