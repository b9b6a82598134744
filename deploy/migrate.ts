import { join } from 'node:path';
import { runMigrations } from '@tremplin/pg';
import type { ServiceDefinition } from '@tremplin/service-kit';

/**
 * Applies one service's migrations as the owner role and exits: the migration Job of deploy/k8s and the
 * `migrate-*` containers of deploy/compose run it before the service rolls out, so the service itself runs
 * with the application role only (no MIGRATION_DATABASE_URL in its environment).
 *
 *   MIGRATION_DATABASE_URL=postgres://tremplin_owner:…@db/lending node -r @swc-node/register deploy/migrate.ts lending
 *
 * The service's definition is loaded by path, as deploy/local starts services by path: deploy/ is tooling and
 * imports no service module statically.
 */
export const MIGRATABLE_SERVICES = ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'] as const;

export async function migrate(name: string, ownerUrl: string | undefined): Promise<string[]> {
  if (!(MIGRATABLE_SERVICES as readonly string[]).includes(name)) throw new Error(`unknown service "${name}" (one of ${MIGRATABLE_SERVICES.join(', ')})`);
  if (!ownerUrl || !/^postgres(ql)?:\/\/.+/.test(ownerUrl)) throw new Error('MIGRATION_DATABASE_URL is required (postgres:// URL of the owner role)');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { service } = require(join(__dirname, '..', 'services', name, 'src', 'service')) as { service: ServiceDefinition<never> };
  const applied = await runMigrations(ownerUrl, service.migrations);
  return applied.filter((m) => m.appliedNow).map((m) => m.id);
}

if (require.main === module) {
  const name = process.argv[2] ?? '';
  migrate(name, process.env['MIGRATION_DATABASE_URL']).then(
    (applied) => {
      process.stdout.write(`${JSON.stringify({ level: 'info', service: name, msg: `migrations applied: ${applied.length}`, applied })}\n`);
    },
    (error: unknown) => {
      process.stderr.write(`${JSON.stringify({ level: 'fatal', service: name, msg: `migrations failed: ${(error as Error).message ?? error}` })}\n`);
      process.exit(1);
    },
  );
}
