import { randomUUID } from 'node:crypto';
import { Global, Inject, Module, type DynamicModule, type MiddlewareConsumer, type NestModule, type OnApplicationShutdown } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { createPool } from '@tremplin/pg';
import type { BaseConfig } from './config';
import { HealthController, KAFKA_BROKERS, KafkaProbe, PG_POOL } from './health';
import { createMetricsRegistry, HttpMetrics, HttpMetricsMiddleware, METRICS_REGISTRY, metricsController } from './metrics';

export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

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

/** What every service gets: JSON logs with correlation ids, /health, /metrics, a Postgres pool, Kafka probe. */
@Global()
@Module({})
export class PlatformModule implements NestModule {
  static forRoot(service: string, config: BaseConfig): DynamicModule {
    const registry = createMetricsRegistry(service);
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
      controllers: [HealthController, metricsController(registry)],
      providers: [
        { provide: SERVICE_NAME, useValue: service },
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: METRICS_REGISTRY, useValue: registry },
        { provide: HttpMetrics, useFactory: (r: Registry) => new HttpMetrics(r), inject: [METRICS_REGISTRY] },
        { provide: PG_POOL, useFactory: () => createPool(config.DATABASE_URL, { application_name: service }) },
        { provide: KAFKA_BROKERS, useValue: config.KAFKA_BROKERS },
        { provide: KafkaProbe, useFactory: () => new KafkaProbe(config.KAFKA_BROKERS, service) },
        PlatformLifecycle,
        HttpMetricsMiddleware,
      ],
      exports: [SERVICE_NAME, SERVICE_CONFIG, METRICS_REGISTRY, PG_POOL, KAFKA_BROKERS, KafkaProbe, HttpMetrics],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(HttpMetricsMiddleware).forRoutes('*path');
  }
}
