import { Inject, Injectable, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DataSource, type EntityManager, type EntitySchema } from 'typeorm';
import type { BaseConfig } from './config';
import { READ_MODEL, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

// TypeORM's own entity list type: classes or schemas.
type Entities = ReadonlyArray<(abstract new () => unknown) | EntitySchema>;

@Injectable()
class ReadModelLifecycle implements OnApplicationShutdown {
  constructor(@Inject(READ_MODEL) private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The service's TypeORM read side over its own tables, as the application role (row-level security applies). */
export function readModel(entities: Entities): Provider[] {
  return [
    {
      provide: READ_MODEL,
      inject: [SERVICE_CONFIG, SERVICE_NAME],
      useFactory: (config: BaseConfig, service: string) =>
        new DataSource({
          type: 'postgres',
          url: config.DATABASE_URL,
          entities: [...entities] as never,
          synchronize: false,
          migrationsRun: false,
          logging: false,
          extra: { max: 4, application_name: `${service}-read-model`, connectionTimeoutMillis: 5_000 },
        }).initialize(),
    },
    ReadModelLifecycle,
  ];
}

/** Runs a read in one transaction scoped to the tenant: row-level security filters whatever the query forgets. */
export function inTenant<T>(dataSource: DataSource, tenantId: string, read: (manager: EntityManager) => Promise<T>): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    return read(manager);
  });
}
