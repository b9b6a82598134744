import { Module, type DynamicModule } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import { CLOCK, COMMAND_EXECUTOR, loggerOf, PlatformModule, readModel, serviceWorkers, type Clock } from '@tremplin/service-kit';
import type { AccompanimentConfig } from './config';
import { DeadlineController } from './deadline/deadline.controller';
import { lendingConsumers } from './plan/lending.consumer';
import { PlanController } from './plan/plan.controller';
import { createPlanHandler, PLAN_HANDLER, type PlanHandler } from './plan/plan.handler';
import { planRowProjection } from './worklist/plan-row.projection';
import { WorklistController } from './worklist/worklist.controller';

export interface AccompanimentModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: AccompanimentConfig, options: AccompanimentModuleOptions = {}): DynamicModule {
    const workers = serviceWorkers({
      inject: [PLAN_HANDLER],
      useFactory: (plans: PlanHandler) => ({
        consumers: lendingConsumers(plans, loggerOf('accompaniment')),
        projections: [planRowProjection],
      }),
    });
    return {
      module: AppModule,
      // Contact notes are personal data: encrypted per person by the privacy vault.
      imports: [PlatformModule.forRoot('accompaniment', config, { ...options, privacy: true })],
      controllers: [PlanController, WorklistController, DeadlineController, ...workers.controllers],
      providers: [
        ...workers.providers,
        {
          provide: PLAN_HANDLER,
          useFactory: (executor: CommandExecutor, clock: Clock) => createPlanHandler({ executor, clock, defaultDeadlineWorkingDays: config.ACCOMPANIMENT_DEADLINE_WORKING_DAYS }),
          inject: [COMMAND_EXECUTOR, CLOCK],
        },
        ...readModel([]),
      ],
    };
  }
}
