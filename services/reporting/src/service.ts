import { join } from 'node:path';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'reporting',
  description: 'Aggregated read models for federation and Caisse des Dépôts dashboards.',
  configSchema,
  migrations: [{ name: 'reporting', directory: join(__dirname, '..', 'migrations') }],
  module: (config) => AppModule.register(config),
};
