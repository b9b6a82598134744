import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { provisionDatabase, withDatabase } from '@tremplin/local-infra';
import { runMigrations, type MigrationSource } from '@tremplin/pg';

export interface TestDatabase {
  readonly name: string;
  readonly ownerUrl: string;
  readonly appUrl: string;
  readonly adminUrl: string;
  drop(): Promise<void>;
}

export function adminUrl(): string {
  const url = process.env.TREMPLIN_PG_ADMIN_URL;
  if (!url) throw new Error('TREMPLIN_PG_ADMIN_URL is not set: run integration tests through jest (its global setup starts PostgreSQL)');
  return url;
}

/** A fresh database per test file, owned by the owner role, migrated; the test connects as the app role. */
export async function createTestDatabase(prefix: string, migrations: readonly MigrationSource[] = []): Promise<TestDatabase> {
  const name = `t_${prefix.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomUUID().slice(0, 8)}`;
  const admin = adminUrl();
  const db = await provisionDatabase(admin, name);
  if (migrations.length) await runMigrations(db.ownerUrl, migrations);
  return {
    name,
    ownerUrl: db.ownerUrl,
    appUrl: db.appUrl,
    adminUrl: withDatabase(admin, name),
    async drop() {
      const client = new Client({ connectionString: admin });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

export function kafkaBrokers(): string[] {
  const brokers = process.env.KAFKA_BROKERS;
  if (!brokers) throw new Error('KAFKA_BROKERS is not set: run integration tests through jest (its global setup starts Kafka)');
  return brokers.split(',');
}
