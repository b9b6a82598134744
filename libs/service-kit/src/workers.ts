import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap, type Provider, type Type } from '@nestjs/common';
import type { ContractRegistry } from '@tremplin/contracts';
import { rebuildProjection, startProjection, type Projection, type Subscriber } from '@tremplin/event-store-postgres';
import { createInboxConsumer, createOutboxRelay, ensureTopics, startPurgeJob, type HandlerBinding, type InboxConsumer, type InboxConsumerOptions, type MessageTransport, type MessagingLog, type OutboxRelay, type PurgeJob } from '@tremplin/messaging';
import type { Pool } from '@tremplin/pg';
import type { Registry } from 'prom-client';
import { HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiParam } from '@nestjs/swagger';
import { Access } from '@tremplin/auth';
import type { BaseConfig } from './config';
import { ApiController } from './http/command-route';
import { ApiError } from './http/errors';
import { rebuildSummary } from './rebuild.cli';
import { PG_POOL } from './health';
import { METRICS_REGISTRY } from './metrics';
import { CONTRACTS, KAFKA_TRANSPORT, SERVICE_CONFIG, SERVICE_NAME } from './tokens';

/** A service's background work: the Kafka contracts it consumes and the projections it keeps. */
export interface WorkersDefinition {
  readonly consumers?: readonly HandlerBinding[];
  readonly projections?: readonly Projection[];
  /** How the inbox consumer batches its work (unset: the kit's defaults, one partition at a time). */
  readonly consumerOptions?: ConsumerTuning;
}

/** Throughput settings of a service's inbox consumer: see InboxConsumerOptions for each. */
export type ConsumerTuning = Partial<Pick<InboxConsumerOptions, 'transactionSize' | 'partitionsConsumedConcurrently' | 'commitEvery'>>;

export const WORKERS_DEFINITION = Symbol('WORKERS_DEFINITION');

// Nest's own factory-provider shape: the service's handlers are injected into the consumers that call them.
type FactoryDeps = NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;


/**
 * Starts, in order: the topics of the contracts registry (brokers never auto-create), each projection's
 * subscriber, the outbox relay, the inbox consumer. Stops in the reverse order of dependence, before the pool
 * closes: no new messages, projections finish their batch, the outbox is flushed.
 */
@Injectable()
export class ServiceWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log: MessagingLog;
  private subscribers: Subscriber[] = [];
  private relay?: OutboxRelay;
  private consumer?: InboxConsumer;
  private purge?: PurgeJob;

  constructor(
    @Inject(WORKERS_DEFINITION) private readonly definition: WorkersDefinition,
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(SERVICE_CONFIG) private readonly config: BaseConfig,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(CONTRACTS) private readonly registry: ContractRegistry,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
  ) {
    this.log = loggerOf(service);
  }

  /** Resolves once every projection has handled everything committed before the call (tests, rebuild checks). */
  async projectionsCaughtUp(): Promise<void> {
    await Promise.all(this.subscribers.map((subscriber) => subscriber.caughtUp()));
  }

  async onApplicationBootstrap(): Promise<void> {
    const retention = { outboxRetentionDays: this.config.OUTBOX_RETENTION_DAYS, inboxRetentionDays: this.config.INBOX_RETENTION_DAYS };
    await ensureTopics(this.transport, this.registry, { log: this.log });
    this.subscribers = (this.definition.projections ?? []).map((projection) =>
      startProjection(this.pool, projection, {
        pollIntervalMs: this.config.PROJECTION_POLL_MS,
        onError: (error) => this.log('warn', `${projection.name} projection: batch failed, retrying`, { error: (error as Error).message }),
      }),
    );
    this.relay = createOutboxRelay({ pool: this.pool, transport: this.transport, name: `${this.service}-relay`, metrics: this.metrics, log: this.log });
    this.relay.start();
    this.purge = startPurgeJob(this.pool, retention, {
      intervalMs: this.config.PURGE_INTERVAL_MS,
      onResult: (result) => (result.outbox || result.inbox ? this.log('info', 'purged sent outbox and old inbox rows', { ...result }) : undefined),
      onError: (error) => this.log('warn', 'purge failed; retried at the next interval', { error: (error as Error).message }),
    });
    const consumers = this.definition.consumers ?? [];
    if (consumers.length) {
      this.consumer = createInboxConsumer({
        name: `${this.config.KAFKA_TOPIC_PREFIX}${this.service}`,
        pool: this.pool,
        transport: this.transport,
        registry: this.registry,
        handlers: consumers,
        metrics: this.metrics,
        log: this.log,
        ...this.definition.consumerOptions,
      });
      await this.consumer.start();
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.purge?.stop();
    await this.consumer?.stop().catch((error: Error) => this.log('warn', 'consumer stop failed', { error: error.message }));
    await Promise.all(this.subscribers.map((subscriber) => subscriber.stop()));
    await this.relay?.stop({ flushTimeoutMs: 2_000 });
    await this.transport.close().catch(() => undefined);
  }
}

/** Operating the read models: rebuild one from the events (no personal data is involved). */
@ApiController('platform/projections', 'operations')
export class ProjectionsController {
  constructor(
    @Inject(WORKERS_DEFINITION) private readonly definition: WorkersDefinition,
    @Inject(PG_POOL) private readonly pool: Pool,
  ) {}

  @Post(':name/rebuild')
  @HttpCode(200)
  @Access('platform.admin')
  @ApiOperation({ summary: 'Rebuild a read model from zero while the service runs; answers with the counts (the CLI shows progress)' })
  @ApiParam({ name: 'name', type: String, required: true })
  async rebuild(@Param('name') name: string) {
    const projection = (this.definition.projections ?? []).find((candidate) => candidate.name === name || candidate.name.endsWith(`.${name}`));
    if (!projection) throw new ApiError(404, 'PROJECTION_NOT_FOUND', `no projection named ${name}`, 'name');
    const result = await rebuildProjection(this.pool, projection);
    return rebuildSummary(projection, result);
  }
}

/**
 * A service's workers, configured with its consumers and projections, to spread into its composition root:
 * `serviceWorkers({ inject: [LOAN_HANDLER], useFactory: (loans) => ({ consumers: [...], projections: [...] }) })`.
 */
export function serviceWorkers(definition: { inject?: FactoryDeps; useFactory: (...deps: never[]) => WorkersDefinition }): { controllers: Type[]; providers: Provider[] } {
  return {
    controllers: [ProjectionsController],
    providers: [{ provide: WORKERS_DEFINITION, inject: definition.inject ?? [], useFactory: definition.useFactory as (...deps: unknown[]) => WorkersDefinition }, ServiceWorkers],
  };
}

/** Messaging and worker logs through the service's pino logger. */
export function loggerOf(context: string): MessagingLog {
  const logger = new Logger(context);
  return (level, message, fields) => {
    const entry = { ...fields, msg: message };
    if (level === 'error') logger.error(entry);
    else if (level === 'warn') logger.warn(entry);
    else logger.debug(entry);
  };
}
