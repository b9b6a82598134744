import { join } from 'node:path';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'lending',
  description: 'Loans: bank decision, offer, signature, disbursement, schedule, payments, incidents and rescheduling.',
  configSchema,
  migrations: [{ name: 'lending', directory: join(__dirname, '..', 'migrations') }],
  module: (config) => AppModule.register(config),
};
