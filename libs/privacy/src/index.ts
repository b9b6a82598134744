import { join } from 'node:path';
import type { MigrationSource } from '@tremplin/pg';

export * from './config';
export * from './fields';
export * from './vault';
export * from './rotation';
export { keyFingerprint } from './crypto';

/** Creates schema `privacy` (key tables, erasures). Run after tenancyMigrations (it uses platform.enable_tenant_rls). */
export const privacyMigrations: MigrationSource = { name: 'privacy', directory: join(__dirname, '..', 'migrations') };
