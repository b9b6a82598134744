import { Module, type DynamicModule } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import type { Pool } from '@tremplin/pg';
import { CLOCK, COMMAND_EXECUTOR, EVENT_STORE, loggerOf, PG_POOL, PlatformModule, readModel, serviceWorkers, type BaseConfig, type Clock } from '@tremplin/service-kit';
import { CoverageController } from './product-coverage/coverage.controller';
import { COVERAGE_HANDLER, createCoverageHandler } from './product-coverage/coverage.handler';
import { EnvelopeController } from './envelope/envelope.controller';
import { EnvelopeEntity } from './envelope/envelope.entity';
import { createEnvelopeHandler, ENVELOPE_HANDLER } from './envelope/envelope.handler';
import { envelopeHeadroomProjection } from './envelope/envelope-headroom.projection';
import { guaranteeBookProjection } from './guarantee/guarantee-book.projection';
import { GuaranteeController } from './guarantee/guarantee.controller';
import { createGuaranteeHandler, GUARANTEE_HANDLER, type GuaranteeHandler } from './guarantee/guarantee.handler';
import { lendingLoanConsumers } from './guarantee/lending-loan.consumer';

export interface GuaranteeFundModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: BaseConfig, options: GuaranteeFundModuleOptions = {}): DynamicModule {
    const workers = serviceWorkers({
      inject: [GUARANTEE_HANDLER],
      useFactory: (guarantees: GuaranteeHandler) => ({
        consumers: lendingLoanConsumers(guarantees, loggerOf('guarantee-fund')),
        projections: [envelopeHeadroomProjection, guaranteeBookProjection],
      }),
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot('guarantee-fund', config, options)],
      controllers: [EnvelopeController, CoverageController, GuaranteeController, ...workers.controllers],
      providers: [
        ...workers.providers,
        { provide: ENVELOPE_HANDLER, useFactory: (executor: CommandExecutor, clock: Clock) => createEnvelopeHandler({ executor, clock }), inject: [COMMAND_EXECUTOR, CLOCK] },
        { provide: COVERAGE_HANDLER, useFactory: (executor: CommandExecutor, clock: Clock) => createCoverageHandler({ executor, clock }), inject: [COMMAND_EXECUTOR, CLOCK] },
        {
          provide: GUARANTEE_HANDLER,
          useFactory: (executor: CommandExecutor, store: PostgresEventStore, pool: Pool, clock: Clock) => createGuaranteeHandler({ executor, store, pool, clock }),
          inject: [COMMAND_EXECUTOR, EVENT_STORE, PG_POOL, CLOCK],
        },
        ...readModel([EnvelopeEntity]),
      ],
    };
  }
}
