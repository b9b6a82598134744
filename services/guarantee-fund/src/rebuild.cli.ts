import { rebuildMain } from '@tremplin/service-kit';
import { envelopeHeadroomProjection } from './envelope/envelope-headroom.projection';
import { guaranteeBookProjection } from './guarantee/guarantee-book.projection';

// DATABASE_URL=postgres://tremplin_app@…/guarantee_fund node -r @swc-node/register services/guarantee-fund/src/rebuild.cli.ts [envelope-headroom|guarantee-book]
rebuildMain('guarantee-fund', [envelopeHeadroomProjection, guaranteeBookProjection]);
