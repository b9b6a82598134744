import { join } from 'node:path';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { AppModule } from './app.module';
import { configSchema } from './config';

export const service: ServiceDefinition<typeof configSchema> = {
  name: 'guarantee-fund',
  description: 'Guarantees, guarantor envelopes, exposure, claims and recoveries.',
  configSchema,
  migrations: [{ name: 'guarantee-fund', directory: join(__dirname, '..', 'migrations') }],
  module: (config) => AppModule.register(config),
};
