import { Controller, Get, HttpException, Inject, Logger } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { POOL_WATCH } from './tokens';

export const PG_POOL = Symbol('PG_POOL');
export const KAFKA_BROKERS = Symbol('KAFKA_BROKERS');

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} did not answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
    }),
  ]);
}

/** Keeps one admin connection for readiness; on any failure it is dropped and the next check reconnects. */
export class KafkaProbe {
  private admin?: Admin;
  private readonly kafka: Kafka;

  constructor(readonly brokers: string[], clientId: string) {
    this.kafka = new Kafka({
      clientId: `${clientId}-health`,
      brokers,
      connectionTimeout: 1_500,
      requestTimeout: CHECK_TIMEOUT_MS,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  }

  async check(): Promise<{ brokers: number; controller: number | null }> {
    try {
      this.admin ??= this.kafka.admin();
      await withTimeout(this.admin.connect(), 'Kafka');
      const cluster = await withTimeout(this.admin.describeCluster(), 'Kafka');
      return { brokers: cluster.brokers.length, controller: cluster.controller };
    } catch (error) {
      const admin = this.admin;
      this.admin = undefined;
      await admin?.disconnect().catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = undefined;
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  private readonly logger = new Logger('health');
  private lastReady?: boolean;

  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly kafka: KafkaProbe,
    @Inject(POOL_WATCH) private readonly poolWatch: { stalledForMs(): number },
  ) {}

  /**
   * Liveness: the process answers and its pool still hands out connections. It never asks Postgres or Kafka, so
   * an outage does not restart it; but a pool whose callers have waited a long time with no connection handed out
   * cannot recover by itself, and a restart is the cure.
   */
  @Get('live')
  live(): { status: 'ok' } {
    const stalled = this.poolWatch.stalledForMs();
    if (stalled > 0) {
      throw new HttpException({ statusCode: 503, code: 'NOT_LIVE', message: `the database pool has handed out no connection for ${stalled} ms while callers wait`, liveness: false }, 503);
    }
    return { status: 'ok' };
  }

  /** Readiness: Postgres and Kafka really answer. 503 with the failing check named when not. */
  @Get(['', 'ready'])
  @HealthCheck()
  async ready() {
    try {
      const result = await this.health.check([() => this.postgres(), () => this.broker(), () => this.poolFlow()]);
      this.noteReadiness(true);
      return { liveness: true, readiness: true, ...result };
    } catch (error) {
      const result = (error as { response?: { error?: Record<string, { message?: string }>; details?: unknown } }).response ?? {};
      const why = Object.entries(result.error ?? {}).map(([key, value]) => `${key}: ${value.message ?? 'down'}`).join('; ');
      this.noteReadiness(false, why);
      throw new HttpException({ statusCode: 503, code: 'NOT_READY', message: `not ready: ${why}`, liveness: true, readiness: false, details: result.details }, 503);
    }
  }

  private noteReadiness(ready: boolean, why?: string): void {
    if (this.lastReady === ready) return;
    this.lastReady = ready;
    if (ready) this.logger.log({ readiness: true }, 'ready: postgres and kafka answer');
    else this.logger.warn({ readiness: false, reason: why }, `not ready: ${why}`);
  }

  private async postgres(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('postgres');
    try {
      await withTimeout(this.pool.query('SELECT 1'), 'PostgreSQL');
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: (error as Error).message });
    }
  }

  private async poolFlow(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('pool');
    const stalled = this.poolWatch.stalledForMs();
    return stalled > 0 ? indicator.down({ message: `no connection handed out for ${stalled} ms while callers wait` }) : indicator.up({ waiting: this.pool.waitingCount });
  }

  private async broker(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('kafka');
    try {
      const cluster = await this.kafka.check();
      return indicator.up(cluster);
    } catch (error) {
      return indicator.down({ message: `${(error as Error).message} (brokers ${this.kafka.brokers.join(',')})` });
    }
  }
}
