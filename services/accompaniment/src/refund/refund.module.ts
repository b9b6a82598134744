import { Module, type DynamicModule } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import type { HandlerBinding, MessagingLog } from '@tremplin/messaging';
import type { PrivacyVault } from '@tremplin/privacy';
import type { Projection } from '@tremplin/event-store-postgres';
import { CLOCK, COMMAND_EXECUTOR, PRIVACY_VAULT, type Clock } from '@tremplin/service-kit';
import { EvaluationController } from '../evaluation/evaluation.controller';
import { createEvaluationHandler, EVALUATION_HANDLER, type EvaluationHandler } from '../evaluation/evaluation.handler';
import { refundConsumers } from './lending-refund.consumer';
import { refundListProjection, refundPolicyProjection } from './refund-list.projection';
import { RefundController, RefundPolicyController } from './refund.controller';
import { createRefundHandler, REFUND_HANDLER, type RefundHandler } from './refund.handler';

/**
 * Interest refunds and end-of-loan evaluations. `platform` is the PlatformModule the AppModule imports (the same
 * object, so one pool, one executor, one vault: the service must be registered with `privacy: true`). The consumers
 * and projections go to the AppModule's serviceWorkers through `refundWorkers`.
 */
@Module({})
export class RefundModule {
  static register(platform: DynamicModule): DynamicModule {
    return {
      module: RefundModule,
      imports: [platform],
      controllers: [RefundPolicyController, RefundController, EvaluationController],
      providers: [
        {
          provide: REFUND_HANDLER,
          useFactory: (executor: CommandExecutor, clock: Clock, vault: PrivacyVault) => createRefundHandler({ executor, clock, vault }),
          inject: [COMMAND_EXECUTOR, CLOCK, PRIVACY_VAULT],
        },
        { provide: EVALUATION_HANDLER, useFactory: (executor: CommandExecutor, clock: Clock) => createEvaluationHandler({ executor, clock }), inject: [COMMAND_EXECUTOR, CLOCK] },
      ],
      exports: [REFUND_HANDLER, EVALUATION_HANDLER],
    };
  }
}

/** What RefundModule adds to the service's workers: lending's facts consumed, the refund read models kept. */
export function refundWorkers(refunds: RefundHandler, evaluations: EvaluationHandler, log: MessagingLog): { consumers: HandlerBinding[]; projections: Projection[] } {
  return { consumers: refundConsumers(refunds, evaluations, log), projections: [refundListProjection, refundPolicyProjection] };
}
