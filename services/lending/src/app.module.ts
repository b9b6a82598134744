import { Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import { AUDIT_ACCESS_RECORDER, authConfigFromEnv, createTokenVerifier, postgresAuditAccessRecorder, TOKEN_VERIFIER } from '@tremplin/auth';
import { contractRegistry, withTopicPrefix } from '@tremplin/contracts';
import { PostgresEventStore } from '@tremplin/event-store-postgres';
import { createKafkaTransport } from '@tremplin/messaging';
import type { Pool } from '@tremplin/pg';
import { PG_POOL, PlatformModule } from '@tremplin/service-kit';
import { DataSource } from 'typeorm';
import { usuryTablesOf, type LendingConfig } from './config';
import { LendingWorkers, KAFKA_TRANSPORT } from './lending.workers';
import { LoanController } from './loan/loan.controller';
import { createLoanHandler } from './loan/loan.handler';
import { LoanSummaryController } from './loan/loan-summary.controller';
import { LoanSummaryEntity } from './loan/loan-summary.entity';
import { ProductController } from './product/product.controller';
import { createProductHandler } from './product/product.handler';
import { CLOCK, systemClock, type Clock } from './shared/clock';
import { CONTRACTS, EVENT_STORE, LENDING_CONFIG, LOAN_HANDLER, PRODUCT_HANDLER, READ_MODEL } from './shared/tokens';

class ReadModelLifecycle implements OnApplicationShutdown {
  constructor(@Inject(READ_MODEL) private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

export interface LendingModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: LendingConfig, options: LendingModuleOptions = {}): DynamicModule {
    const clock = options.clock ?? systemClock;
    const registry = config.KAFKA_TOPIC_PREFIX ? withTopicPrefix(contractRegistry, config.KAFKA_TOPIC_PREFIX) : contractRegistry;
    const deps = (pool: Pool, store: PostgresEventStore) => ({ pool, store, registry, usuryTables: usuryTablesOf(config), clock });
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot('lending', config)],
      controllers: [LoanController, ProductController, LoanSummaryController],
      providers: [
        { provide: LENDING_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clock },
        { provide: CONTRACTS, useValue: registry },
        { provide: EVENT_STORE, useFactory: (pool: Pool) => new PostgresEventStore(pool), inject: [PG_POOL] },
        { provide: LOAN_HANDLER, useFactory: (pool: Pool, store: PostgresEventStore) => createLoanHandler(deps(pool, store)), inject: [PG_POOL, EVENT_STORE] },
        { provide: PRODUCT_HANDLER, useFactory: (pool: Pool, store: PostgresEventStore) => createProductHandler(deps(pool, store)), inject: [PG_POOL, EVENT_STORE] },
        {
          provide: READ_MODEL,
          useFactory: () =>
            new DataSource({ type: 'postgres', url: config.DATABASE_URL, entities: [LoanSummaryEntity], synchronize: false, migrationsRun: false, logging: false, extra: { max: 4, application_name: 'lending-read-model' } }).initialize(),
        },
        { provide: KAFKA_TRANSPORT, useFactory: () => createKafkaTransport({ brokers: config.KAFKA_BROKERS, clientId: 'lending' }) },
        // Guards are applied per controller (not as APP_GUARD) so the platform's /health and /metrics stay open.
        { provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(authConfigFromEnv(config as unknown as Record<string, string | undefined>)) },
        { provide: AUDIT_ACCESS_RECORDER, useFactory: (pool: Pool) => postgresAuditAccessRecorder(pool), inject: [PG_POOL] },
        ReadModelLifecycle,
        LendingWorkers,
      ],
    };
  }
}
