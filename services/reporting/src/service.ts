import { join } from 'node:path';
import { platformMigrations, type ServiceDefinition } from '@tremplin/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'reporting',
  description: 'Figures for CCAS, federations and the Caisse des Dépôts from every published contract, and the dashboard.',
  configSchema,
  migrations: [...platformMigrations, { name: 'reporting', directory: join(__dirname, '..', 'migrations') }],
  module: (config) => AppModule.register(config),
};
