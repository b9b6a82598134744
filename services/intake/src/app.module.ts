import { Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { CommandExecutor } from '@tremplin/commands';
import type { PrivacyVault } from '@tremplin/privacy';
import { CLOCK, COMMAND_EXECUTOR, loggerOf, PlatformModule, PRIVACY_VAULT, READ_MODEL, readModel, serviceWorkers, type Clock } from '@tremplin/service-kit';
import { ApplicationController } from './application/application.controller';
import { APPLICATION_HANDLER, createApplicationHandler, type ApplicationHandler } from './application/application.handler';
import { FileListEntity } from './application/file-list.entity';
import { fileListProjection } from './application/file-list.projection';
import { lendingAnswerConsumers } from './application/lending-answer.consumer';
import { BeneficiaryController } from './beneficiary/beneficiary.controller';
import { BENEFICIARY_HANDLER, createBeneficiaryHandler, type BeneficiaryHandler } from './beneficiary/beneficiary.handler';
import type { IntakeConfig } from './config';
import { createFileIndex, FILE_INDEX, type FileIndex } from './file-index';
import { productVersionsConsumer } from './catalogue/product-versions.consumer';
import { personListProjection } from './retention/person-list.projection';
import { RetentionController } from './retention/retention.controller';
import { createRetentionJob, RETENTION_JOB } from './retention/retention.job';
import { RETENTION_SCHEDULE, RetentionWorker } from './retention/retention.worker';

export interface IntakeModuleOptions {
  readonly clock?: Clock;
}

/** Composition root only. */
@Module({})
export class AppModule {
  static register(config: IntakeConfig, options: IntakeModuleOptions = {}): DynamicModule {
    const workers = serviceWorkers({
      inject: [APPLICATION_HANDLER, COMMAND_EXECUTOR, CLOCK],
      useFactory: (applications: ApplicationHandler, executor: CommandExecutor, clock: Clock) => ({
        consumers: [...lendingAnswerConsumers(applications, loggerOf('intake')), productVersionsConsumer({ executor, clock }, loggerOf('intake'))],
        projections: [fileListProjection, personListProjection],
      }),
    });
    return {
      module: AppModule,
      imports: [PlatformModule.forRoot('intake', config, { ...options, privacy: true })],
      controllers: [BeneficiaryController, ApplicationController, RetentionController, ...workers.controllers],
      providers: [
        ...workers.providers,
        { provide: FILE_INDEX, inject: [READ_MODEL, COMMAND_EXECUTOR], useFactory: (dataSource: DataSource, executor: CommandExecutor) => createFileIndex(dataSource, executor) },
        {
          provide: APPLICATION_HANDLER,
          inject: [COMMAND_EXECUTOR, CLOCK, PRIVACY_VAULT],
          useFactory: (executor: CommandExecutor, clock: Clock, vault: PrivacyVault) => createApplicationHandler({ executor, clock, vault, settings: config.INTAKE_SETTINGS }),
        },
        {
          provide: BENEFICIARY_HANDLER,
          inject: [COMMAND_EXECUTOR, CLOCK, PRIVACY_VAULT, FILE_INDEX],
          useFactory: (executor: CommandExecutor, clock: Clock, vault: PrivacyVault, files: FileIndex) => createBeneficiaryHandler({ executor, clock, vault, blockingFiles: (tenantId, id) => files.blocking(tenantId, id) }),
        },
        {
          provide: RETENTION_JOB,
          inject: [READ_MODEL, CLOCK, BENEFICIARY_HANDLER],
          useFactory: (dataSource: DataSource, clock: Clock, people: BeneficiaryHandler) =>
            createRetentionJob({
              readModel: dataSource,
              clock,
              periods: {
                refusedOrWithdrawnMonths: config.INTAKE_RETENTION_REFUSED_OR_WITHDRAWN_MONTHS,
                lastContactMonths: config.INTAKE_RETENTION_LAST_CONTACT_MONTHS,
                grantedArchiveMonths: config.INTAKE_RETENTION_GRANTED_ARCHIVE_MONTHS,
              },
              shred: (tenantId, beneficiaryId) => people.shred(tenantId, beneficiaryId),
            }),
        },
        { provide: RETENTION_SCHEDULE, useValue: { tenants: config.INTAKE_RETENTION_TENANTS, intervalMs: config.INTAKE_RETENTION_INTERVAL_MS, mode: config.INTAKE_RETENTION_MODE } },
        RetentionWorker,
        ...readModel([FileListEntity]),
      ],
    };
  }
}
