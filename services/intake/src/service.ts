import { join } from 'node:path';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'intake',
  description: 'Beneficiaries, files (dossiers), appointments, budget, eligibility and the CCAS commission.',
  configSchema,
  migrations: [{ name: 'intake', directory: join(__dirname, '..', 'migrations') }],
  module: (config) => AppModule.register(config),
};
