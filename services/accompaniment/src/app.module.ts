import { Module, type DynamicModule } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import { mergeBindings } from '@tremplin/messaging';
import type { PrivacyVault } from '@tremplin/privacy';
import { CLOCK, COMMAND_EXECUTOR, loggerOf, PlatformModule, PRIVACY_VAULT, serviceWorkers, type Clock } from '@tremplin/service-kit';
import type { AccompanimentConfig } from './config';
import { DeadlineController } from './deadline/deadline.controller';
import { erasureConsumers } from './intake-file/erasure.consumer';
import { intakeConsumers } from './intake-file/intake.consumer';
import { lendingConsumers } from './plan/lending.consumer';
import { PlanController } from './plan/plan.controller';
import { createPlanHandler, PLAN_HANDLER, type PlanHandler } from './plan/plan.handler';
import { EVALUATION_HANDLER, type EvaluationHandler } from './evaluation/evaluation.handler';
import { REFUND_HANDLER, type RefundHandler } from './refund/refund.handler';
import { RefundModule, refundWorkers } from './refund/refund.module';
import { planRowProjection } from './worklist/plan-row.projection';
import { WorklistController } from './worklist/worklist.controller';

export interface AccompanimentModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: AccompanimentConfig, options: AccompanimentModuleOptions = {}): DynamicModule {
    // Contact notes are personal data: encrypted per person by the privacy vault.
    const platform = PlatformModule.forRoot('accompaniment', config, { ...options, privacy: true });
    const workers = serviceWorkers({
      inject: [PLAN_HANDLER, REFUND_HANDLER, EVALUATION_HANDLER, PRIVACY_VAULT],
      useFactory: (plans: PlanHandler, refunds: RefundHandler, evaluations: EvaluationHandler, vault: PrivacyVault) => {
        // Plans and refunds both hear lending's facts: one binding per contract runs both in the message's transaction.
        const refundParts = refundWorkers(refunds, evaluations, loggerOf('accompaniment'));
        return {
          consumers: mergeBindings(lendingConsumers(plans, loggerOf('accompaniment')), intakeConsumers(plans, loggerOf('accompaniment')), erasureConsumers(vault, loggerOf('accompaniment')), refundParts.consumers),
          projections: [planRowProjection, ...refundParts.projections],
        };
      },
    });
    return {
      module: AppModule,
      // The refund module shares the same platform module object: one pool, one executor, one vault.
      imports: [platform, RefundModule.register(platform)],
      controllers: [PlanController, WorklistController, DeadlineController, ...workers.controllers],
      providers: [
        ...workers.providers,
        {
          provide: PLAN_HANDLER,
          useFactory: (executor: CommandExecutor, clock: Clock) => createPlanHandler({ executor, clock, defaultDeadlineWorkingDays: config.ACCOMPANIMENT_DEADLINE_WORKING_DAYS }),
          inject: [COMMAND_EXECUTOR, CLOCK],
        },
      ],
    };
  }
}
