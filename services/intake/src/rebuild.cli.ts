import { rebuildMain } from '@tremplin/service-kit';
import { fileListProjection } from './application/file-list.projection';
import { personListProjection } from './retention/person-list.projection';

// DATABASE_URL=postgres://tremplin_app@…/intake node -r @swc-node/register services/intake/src/rebuild.cli.ts [file-list|person-list]
rebuildMain('intake', [fileListProjection, personListProjection]);
