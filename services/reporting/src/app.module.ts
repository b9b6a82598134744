import { Module, type DynamicModule } from '@nestjs/common';
import type { ContractRegistry } from '@tremplin/contracts';
import { CONTRACTS, PlatformModule, serviceWorkers } from '@tremplin/service-kit';
import type { ReportingConfig } from './config';
import { DashboardController } from './dashboard/dashboard.controller';
import { FiguresController } from './figures/figures.controller';
import { FigureTallies } from './figures/figures.tallies';
import { consumedLogConsumers } from './log/consumed-log.consumer';
import { LogFolder } from './log/log-folder';

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: ReportingConfig): DynamicModule {
    const workers = serviceWorkers({
      inject: [CONTRACTS],
      useFactory: (registry: ContractRegistry) => ({
        consumers: consumedLogConsumers(registry, { batches: config.REPORTING_LOG_IN_BATCHES }),
        consumerOptions: { transactionSize: config.REPORTING_CONSUMER_TRANSACTION_SIZE, partitionsConsumedConcurrently: config.REPORTING_CONSUMER_PARTITIONS },
      }),
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot('reporting', config)],
      controllers: [FiguresController, DashboardController, ...workers.controllers],
      providers: [...workers.providers, LogFolder, FigureTallies],
    };
  }
}
