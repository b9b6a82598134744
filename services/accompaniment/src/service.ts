import { join } from 'node:path';
import { privacyMigrations } from '@tremplin/privacy';
import { platformMigrations, type ServiceDefinition } from '@tremplin/service-kit';
import { AppModule, type AccompanimentModuleOptions } from './app.module';
import { configSchema } from './config';

/** The accompaniment service; `options.clock` lets a test drive time (the service never reads another clock). */
export function accompanimentService(options: AccompanimentModuleOptions = {}): ServiceDefinition<typeof configSchema> {
  return {
    name: 'accompaniment',
    description: 'Accompaniment plans, charters, contacts, escalation on difficulty, support measures and interest refunds.',
    configSchema,
    // Order matters: the tenancy RLS helper is used by all that follow; privacy holds the per-person keys.
    migrations: [...platformMigrations, privacyMigrations, { name: 'accompaniment', directory: join(__dirname, '..', 'migrations') }],
    module: (config) => AppModule.register(config, options),
  };
}

export const service = accompanimentService();
