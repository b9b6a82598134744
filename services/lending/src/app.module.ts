import { Module, type DynamicModule } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import { CLOCK, COMMAND_EXECUTOR, loggerOf, PlatformModule, readModel, serviceWorkers, type Clock } from '@tremplin/service-kit';
import { usuryTablesOf, type LendingConfig } from './config';
import { GuaranteeGateController } from './guarantee-gate/guarantee-gate.controller';
import { guaranteeAnswerConsumers } from './guarantee-gate/guarantee-gate.consumer';
import { createGuaranteeGate, GUARANTEE_GATE, type GuaranteeGate } from './guarantee-gate/guarantee-gate.handler';
import { accompanimentReschedulingConsumer } from './loan/accompaniment-rescheduling.consumer';
import { intakeApplicationConsumer } from './loan/intake-application.consumer';
import { LoanController } from './loan/loan.controller';
import { createLoanHandler, LOAN_HANDLER, type LoanHandler } from './loan/loan.handler';
import { LoanQueries } from './loan/loan.queries';
import { LoanSummaryEntity } from './loan/loan-summary.entity';
import { loanSummaryProjection } from './loan/loan-summary.projection';
import { ProductController } from './product/product.controller';
import { createProductHandler, PRODUCT_HANDLER } from './product/product.handler';

export interface LendingModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: LendingConfig, options: LendingModuleOptions = {}): DynamicModule {
    const usuryTables = usuryTablesOf(config);
    const workers = serviceWorkers({
      inject: [LOAN_HANDLER, GUARANTEE_GATE],
      useFactory: (loans: LoanHandler, gate: GuaranteeGate) => ({
        consumers: [intakeApplicationConsumer(loans, loggerOf('lending')), accompanimentReschedulingConsumer(loans, loggerOf('lending')), ...guaranteeAnswerConsumers(gate, loggerOf('lending'))],
        projections: [loanSummaryProjection],
      }),
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot('lending', config, options)],
      controllers: [LoanController, LoanQueries, GuaranteeGateController, ProductController, ...workers.controllers],
      providers: [
        ...workers.providers,
        {
          provide: GUARANTEE_GATE,
          useFactory: (executor: CommandExecutor) => createGuaranteeGate({ executor, answerTimeoutMs: config.GUARANTEE_ANSWER_TIMEOUT_HOURS * 3_600_000 }),
          inject: [COMMAND_EXECUTOR],
        },
        {
          provide: LOAN_HANDLER,
          useFactory: (executor: CommandExecutor, clock: Clock, gate: GuaranteeGate) => {
            const loans = createLoanHandler({ executor, usuryTables, clock });
            return config.DISBURSEMENT_REQUIRES_GUARANTEE ? gate.guard(loans) : loans;
          },
          inject: [COMMAND_EXECUTOR, CLOCK, GUARANTEE_GATE],
        },
        { provide: PRODUCT_HANDLER, useFactory: (executor: CommandExecutor, clock: Clock) => createProductHandler({ executor, usuryTables, clock }), inject: [COMMAND_EXECUTOR, CLOCK] },
        ...readModel([LoanSummaryEntity]),
      ],
    };
  }
}
