import { authMigrations } from '@tremplin/auth';
import { commandsMigrations } from '@tremplin/commands';
import { eventStoreMigrations } from '@tremplin/event-store-postgres';
import { messagingMigrations } from '@tremplin/messaging';
import type { MigrationSource } from '@tremplin/pg';
import { tenancyMigrations } from '@tremplin/tenancy';

/** Every service database's platform schemas, in order (the tenancy RLS helper is used by all that follow). */
export const platformMigrations: readonly MigrationSource[] = [tenancyMigrations, authMigrations, eventStoreMigrations, messagingMigrations, commandsMigrations];
