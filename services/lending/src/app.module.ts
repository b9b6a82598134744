import { Module, type DynamicModule } from '@nestjs/common';
import { PlatformModule, type BaseConfig } from '@tremplin/service-kit';

@Module({})
export class AppModule {
  static register(config: BaseConfig): DynamicModule {
    return { module: AppModule, imports: [PlatformModule.forRoot('lending', config)] };
  }
}
