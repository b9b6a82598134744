import { join } from 'node:path';
import { privacyMigrations } from '@tremplin/privacy';
import { platformMigrations, type ServiceDefinition } from '@tremplin/service-kit';
import { AppModule, type IntakeModuleOptions } from './app.module';
import { configSchema } from './config';

/** The intake service; `options.clock` lets a test drive time (the service never reads another clock). */
export function intakeService(options: IntakeModuleOptions = {}): ServiceDefinition<typeof configSchema> {
  return {
    name: 'intake',
    description: 'Beneficiaries, files (dossiers), appointments, budget, accompaniment needs, the CCAS commission and the bank’s answer.',
    configSchema,
    // Order matters: the tenancy RLS helper is used by all that follow; privacy holds the per-person keys.
    migrations: [...platformMigrations, privacyMigrations, { name: 'intake', directory: join(__dirname, '..', 'migrations') }],
    module: (config) => AppModule.register(config, options),
  };
}

export const service = intakeService();
