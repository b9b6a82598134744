import { join } from 'node:path';
import type { MigrationSource } from '@tremplin/pg';

export const messagingMigrations: MigrationSource = { name: 'messaging', directory: join(__dirname, '..', 'migrations') };
