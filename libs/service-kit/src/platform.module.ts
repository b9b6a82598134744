import { randomUUID } from 'node:crypto';
import { Global, Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { AUDIT_ACCESS_RECORDER, authConfigFromEnv, createTokenVerifier, postgresAuditAccessRecorder, TOKEN_VERIFIER } from '@tremplin/auth';
import { createCommandExecutor } from '@tremplin/commands';
import { contractRegistry, withTopicPrefix, type ContractRegistry } from '@tremplin/contracts';
import { PostgresEventStore } from '@tremplin/event-store-postgres';
import { createKafkaTransport } from '@tremplin/messaging';
import { createPool, watchPool } from '@tremplin/pg';
import { CLOCK, startedClock, systemClock, type Clock } from './clock';
import { ClockController } from './clock.controller';
import { privacyEnvOf, type BaseConfig } from './config';
import { createPrivacyVault, privacyConfigFromEnv } from '@tremplin/privacy';
import { HealthController, KAFKA_BROKERS, KafkaProbe, PG_POOL } from './health';
import { createMetricsRegistry, HttpMetrics, HttpMetricsMiddleware, METRICS_REGISTRY, metricsController } from './metrics';
import { COMMAND_EXECUTOR, CONTRACTS, EVENT_STORE, KAFKA_TRANSPORT, POOL_WATCH, PRIVACY_VAULT, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

export { SERVICE_CONFIG, SERVICE_NAME } from './tokens';

export interface PlatformOptions {
  /** The service's clock; only tests and the local demo pass another one. */
  readonly clock?: Clock;
  /**
   * The service records personal data: PRIVACY_VAULT is provided (per-person keys, crypto-shredding), from
   * PRIVACY_MASTER_KEY (required in production), PRIVACY_PREVIOUS_MASTER_KEYS while a rotation rolls out,
   * PRIVACY_DEV_KEYS_DIR and PRIVACY_KEY_CACHE_TTL_MS. Add privacyMigrations to the service's migrations.
   */
  readonly privacy?: boolean;
}

const CORRELATION_HEADER = 'x-correlation-id';

/** Correlation ids: taken from the caller when it sends a sane one, made here otherwise, echoed back. */
export function correlationIdOf(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers[CORRELATION_HEADER];
  const id = typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
  res.setHeader(CORRELATION_HEADER, id);
  return id;
}

class PlatformLifecycle implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool, private readonly kafka: KafkaProbe) {}

  async onApplicationShutdown(): Promise<void> {
    await this.kafka.close();
    await this.pool.end();
  }
}

/**
 * What every service gets: JSON logs with correlation ids, /health, /metrics, a Postgres pool, a Kafka probe and
 * transport, token verification, the event store, the command executor, the contracts registry and the clock.
 */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(service: string, config: BaseConfig, options: PlatformOptions = {}): DynamicModule {
    if (config.CLOCK_CONTROL === 'on' && options.clock) throw new Error(`${service}: CLOCK_CONTROL=on and a clock passed in code; choose one`);
    const registry = createMetricsRegistry(service);
    const contracts: ContractRegistry = config.KAFKA_TOPIC_PREFIX ? withTopicPrefix(contractRegistry, config.KAFKA_TOPIC_PREFIX) : contractRegistry;
    return {
      module: PlatformModule,
      imports: [
        TerminusModule.forRoot({ logger: false, errorLogStyle: 'json' }),
        LoggerModule.forRoot({
          pinoHttp: {
            name: service,
            level: config.LOG_LEVEL,
            genReqId: correlationIdOf,
            customProps: (req) => ({ correlationId: req.id }),
            // Bodies are never logged (they may hold personal data); credentials are redacted.
            redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]'], censor: '[redacted]' },
            autoLogging: { ignore: (req) => Boolean(req.url?.startsWith('/health') || req.url === '/metrics') },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: req.url }),
            },
          },
        }),
      ],
      controllers: [HealthController, ...(config.METRICS_ENDPOINT === 'on' ? [metricsController(registry)] : []), ...(config.CLOCK_CONTROL === 'on' ? [ClockController] : [])],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: HttpMetrics, useFactory: (r: Registry) => new HttpMetrics(r), inject: [METRICS_REGISTRY] },
        { provide: PG_POOL, useFactory: () => createPool(config.DATABASE_URL, { application_name: service }) },
        { provide: POOL_WATCH, useFactory: (pool: Pool) => watchPool(pool, config.POOL_STALL_LIVENESS_MS), inject: [PG_POOL] },
        { provide: KAFKA_BROKERS, useValue: config.KAFKA_BROKERS },
        { provide: KafkaProbe, useFactory: () => new KafkaProbe(config.KAFKA_BROKERS, service) },
        { provide: KAFKA_TRANSPORT, useFactory: () => createKafkaTransport({ brokers: config.KAFKA_BROKERS, clientId: service }) },
        { provide: CONTRACTS, useValue: contracts },
        { provide: CLOCK, useValue: options.clock ?? (config.CLOCK_CONTROL === 'on' ? startedClock(config.CLOCK_START) : systemClock) },
        { provide: EVENT_STORE, useFactory: (pool: Pool) => new PostgresEventStore(pool), inject: [PG_POOL] },
        { provide: COMMAND_EXECUTOR, useFactory: (pool: Pool, store: PostgresEventStore) => createCommandExecutor({ pool, store, registry: contracts }), inject: [PG_POOL, EVENT_STORE] },
        // Guards are applied per controller (not as APP_GUARD) so the platform's /health and /metrics stay open.
        { provide: TOKEN_VERIFIER, useFactory: () => createTokenVerifier(authConfigFromEnv(config as unknown as Record<string, string | undefined>)) },
        { provide: AUDIT_ACCESS_RECORDER, useFactory: (pool: Pool) => postgresAuditAccessRecorder(pool), inject: [PG_POOL] },
        ...(options.privacy
          ? [{ provide: PRIVACY_VAULT, inject: [PG_POOL], useFactory: async (pool: Pool) => createPrivacyVault(pool, await privacyConfigFromEnv(privacyEnvOf(config))) }]
          : []),
        PlatformLifecycle,
        HttpMetricsMiddleware,
      ],
      exports: [
        SERVICE_NAME,
        SERVICE_CONFIG,
        METRICS_REGISTRY,
        PG_POOL,
        POOL_WATCH,
        KAFKA_BROKERS,
        KafkaProbe,
        KAFKA_TRANSPORT,
        CONTRACTS,
        CLOCK,
        EVENT_STORE,
        COMMAND_EXECUTOR,
        TOKEN_VERIFIER,
        AUDIT_ACCESS_RECORDER,
        HttpMetrics,
        ...(options.privacy ? [PRIVACY_VAULT] : []),
      ],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
