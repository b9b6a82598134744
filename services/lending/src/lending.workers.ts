import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnApplicationBootstrap } from '@nestjs/common';
import type { ContractRegistry } from '@tremplin/contracts';
import { startSubscriber, type Subscriber } from '@tremplin/event-store-postgres';
import { createInboxConsumer, createOutboxRelay, ensureTopics, type InboxConsumer, type MessageTransport, type MessagingLog, type OutboxRelay } from '@tremplin/messaging';
import type { Pool } from '@tremplin/pg';
import { METRICS_REGISTRY, PG_POOL } from '@tremplin/service-kit';
import type { Registry } from 'prom-client';
import type { LendingConfig } from './config';
import { intakeApplicationConsumer } from './loan/intake-application.consumer';
import type { LoanHandler } from './loan/loan.handler';
import { LOAN_SUMMARY_SUBSCRIPTION, projectLoanSummaries } from './loan/loan-summary.projection';
import { CONTRACTS, LENDING_CONFIG, LOAN_HANDLER } from './shared/tokens';

export const KAFKA_TRANSPORT = Symbol('KAFKA_TRANSPORT');

/** The service's background work: the read-model subscriber, the outbox relay and the intake consumer. */
@Injectable()
export class LendingWorkers implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('lending');
  private subscriber?: Subscriber;
  private relay?: OutboxRelay;
  private consumer?: InboxConsumer;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA_TRANSPORT) private readonly transport: MessageTransport,
    @Inject(CONTRACTS) private readonly registry: ContractRegistry,
    @Inject(LOAN_HANDLER) private readonly loans: LoanHandler,
    @Inject(METRICS_REGISTRY) private readonly metrics: Registry,
    @Inject(LENDING_CONFIG) private readonly config: LendingConfig,
  ) {}

  private readonly log: MessagingLog = (level, message, fields) => {
    const entry = { ...fields, msg: message };
    if (level === 'error') this.logger.error(entry);
    else if (level === 'warn') this.logger.warn(entry);
    else this.logger.debug(entry);
  };

  async onApplicationBootstrap(): Promise<void> {
    // Each service creates the topics of the contracts registry at start-up (the brokers never auto-create).
    await ensureTopics(this.transport, this.registry, { log: this.log });
    this.subscriber = startSubscriber(this.pool, {
      name: LOAN_SUMMARY_SUBSCRIPTION,
      handle: projectLoanSummaries,
      pollIntervalMs: this.config.PROJECTION_POLL_MS,
      onError: (error) => this.log('warn', 'loan_summary projection: batch failed, retrying', { error: (error as Error).message }),
    });
    this.relay = createOutboxRelay({ pool: this.pool, transport: this.transport, name: 'lending-relay', metrics: this.metrics, log: this.log });
    this.relay.start();
    this.consumer = createInboxConsumer({
      name: `${this.config.KAFKA_TOPIC_PREFIX}lending`,
      pool: this.pool,
      transport: this.transport,
      registry: this.registry,
      handlers: [intakeApplicationConsumer(this.loans, this.log)],
      metrics: this.metrics,
      log: this.log,
    });
    await this.consumer.start();
  }

  /** Before the pool closes: stop taking messages, let the projection finish its batch, flush the outbox. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.consumer?.stop().catch((error: Error) => this.log('warn', 'consumer stop failed', { error: error.message }));
    await this.subscriber?.stop();
    await this.relay?.stop({ flushTimeoutMs: 2_000 });
    await this.transport.close().catch(() => undefined);
  }
}
