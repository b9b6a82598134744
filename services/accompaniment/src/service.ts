import { join } from 'node:path';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'accompaniment',
  description: 'Accompaniment plans, charters, contacts, escalation on difficulty, support measures and interest refunds.',
  configSchema,
  migrations: [{ name: 'accompaniment', directory: join(__dirname, '..', 'migrations') }],
  module: (config) => AppModule.register(config),
};
