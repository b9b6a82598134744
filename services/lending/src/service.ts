import { join } from 'node:path';
import { platformMigrations, type ServiceDefinition } from '@tremplin/service-kit';
import { AppModule, type LendingModuleOptions } from './app.module';
import { configSchema } from './config';

/** The lending service; `options.clock` lets a test drive time (the service never reads another clock). */
export function lendingService(options: LendingModuleOptions = {}): ServiceDefinition<typeof configSchema> {
  return {
    name: 'lending',
    description: 'Loans: bank decision, offer, signature, disbursement, schedule, payments, incidents and rescheduling.',
    configSchema,
    // Order matters: the tenancy RLS helper is used by the others; lending's 0003 moves its keys to the commands lib's table.
    migrations: [...platformMigrations, { name: 'lending', directory: join(__dirname, '..', 'migrations') }],
    module: (config) => AppModule.register(config, options),
  };
}

export const service = lendingService();
