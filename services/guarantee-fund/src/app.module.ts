import { Module, type DynamicModule } from '@nestjs/common';
import type { CommandExecutor } from '@tremplin/commands';
import { CLOCK, COMMAND_EXECUTOR, PlatformModule, readModel, serviceWorkers, type BaseConfig, type Clock } from '@tremplin/service-kit';
import { EnvelopeController } from './envelope/envelope.controller';
import { EnvelopeEntity } from './envelope/envelope.entity';
import { createEnvelopeHandler, ENVELOPE_HANDLER } from './envelope/envelope.handler';
import { envelopeHeadroomProjection } from './envelope/envelope-headroom.projection';

export interface GuaranteeFundModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: BaseConfig, options: GuaranteeFundModuleOptions = {}): DynamicModule {
    const workers = serviceWorkers({ useFactory: () => ({ projections: [envelopeHeadroomProjection] }) });
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot('guarantee-fund', config, options)],
      controllers: [EnvelopeController, ...workers.controllers],
      providers: [
        ...workers.providers,
        { provide: ENVELOPE_HANDLER, useFactory: (executor: CommandExecutor, clock: Clock) => createEnvelopeHandler({ executor, clock }), inject: [COMMAND_EXECUTOR, CLOCK] },
        ...readModel([EnvelopeEntity]),
      ],
    };
  }
}
