import { join } from 'node:path';
import { authMigrations } from '@tremplin/auth';
import { commandsMigrations } from '@tremplin/commands';
import { eventStoreMigrations } from '@tremplin/event-store-postgres';
import { messagingMigrations } from '@tremplin/messaging';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { tenancyMigrations } from '@tremplin/tenancy';
import { AppModule, type GuaranteeFundModuleOptions } from './app.module';
import { configSchema } from './config';

/** The guarantee-fund service; `options.clock` lets a test drive time (the service never reads another clock). */
export function guaranteeFundService(options: GuaranteeFundModuleOptions = {}): ServiceDefinition<typeof configSchema> {
  return {
    name: 'guarantee-fund',
    description: 'Guarantees, guarantor envelopes, exposure, claims and recoveries.',
    configSchema,
    // Order matters: the tenancy RLS helper is used by the others and by this service's own migrations.
    migrations: [tenancyMigrations, authMigrations, eventStoreMigrations, messagingMigrations, commandsMigrations, { name: 'guarantee-fund', directory: join(__dirname, '..', 'migrations') }],
    module: (config) => AppModule.register(config, options),
  };
}

export const service = guaranteeFundService();
