import { join } from 'node:path';
import { platformMigrations, type ServiceDefinition } from '@tremplin/service-kit';
import { AppModule, type GuaranteeFundModuleOptions } from './app.module';
import { configSchema } from './config';

/** The guarantee-fund service; `options.clock` lets a test drive time (the service never reads another clock). */
export function guaranteeFundService(options: GuaranteeFundModuleOptions = {}): ServiceDefinition<typeof configSchema> {
  return {
    name: 'guarantee-fund',
    description: 'Guarantees, guarantor envelopes, exposure, claims and recoveries.',
    configSchema,
    // Order matters: the tenancy RLS helper is used by the others and by this service's own migrations.
    migrations: [...platformMigrations, { name: 'guarantee-fund', directory: join(__dirname, '..', 'migrations') }],
    module: (config) => AppModule.register(config, options),
  };
}

export const service = guaranteeFundService();
