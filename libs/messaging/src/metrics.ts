import { Counter, Gauge, type Registry } from 'prom-client';
import type { Pool } from 'pg';

export interface MessagingMetrics {
  readonly published: Counter<'topic'>;
  readonly publishFailures: Counter;
  readonly consumed: Counter<'group' | 'topic' | 'outcome'>;
  readonly deadLettered: Counter<'group' | 'topic' | 'reason'>;
  readonly handlerRetries: Counter<'group' | 'topic'>;
  readonly consumerLag: Gauge<'group' | 'topic' | 'partition'>;
  /** The outbox whose backlog and lag the gauges report (sampled on scrape). */
  watchOutbox(pool: Pool): void;
}

const byRegistry = new WeakMap<Registry, MessagingMetrics>();

export async function sampleOutbox(pool: Pool): Promise<{ backlog: number; oldestAgeSeconds: number }> {
  const { rows } = await pool.query<{ backlog: string; age: number | null }>(
    `SELECT count(*) AS backlog, extract(epoch FROM clock_timestamp() - min(created_at))::float8 AS age
       FROM messaging.outbox WHERE sent_at IS NULL`,
  );
  return { backlog: Number(rows[0]!.backlog), oldestAgeSeconds: rows[0]!.age ?? 0 };
}

/** One set of metrics per Prometheus registry, shared by every relay and consumer registered on it. */
export function messagingMetrics(registry: Registry): MessagingMetrics {
  const known = byRegistry.get(registry);
  if (known) return known;
  let watched: Pool | undefined;
  let sample: Promise<{ backlog: number; oldestAgeSeconds: number }> | undefined;
  // Both gauges read one query per scrape.
  const sampled = async () => {
    if (!watched) return undefined;
    sample ??= sampleOutbox(watched).finally(() => setTimeout(() => (sample = undefined), 0));
    return sample.catch(() => undefined);
  };
  const metrics: MessagingMetrics = {
    published: new Counter({ name: 'tremplin_outbox_published_total', help: 'Outbox messages acknowledged by Kafka', labelNames: ['topic'], registers: [registry] }),
    publishFailures: new Counter({ name: 'tremplin_outbox_publish_failures_total', help: 'Failed relay publish attempts (broker errors)', registers: [registry] }),
    consumed: new Counter({
      name: 'tremplin_consumer_messages_total',
      help: 'Messages seen by inbox consumers, by outcome (handled, duplicate, ignored, dead_lettered)',
      labelNames: ['group', 'topic', 'outcome'],
      registers: [registry],
    }),
    deadLettered: new Counter({
      name: 'tremplin_dead_letters_total',
      help: 'Messages sent to a dead-letter topic',
      labelNames: ['group', 'topic', 'reason'],
      registers: [registry],
    }),
    handlerRetries: new Counter({ name: 'tremplin_consumer_retries_total', help: 'Handler attempts that failed and were retried', labelNames: ['group', 'topic'], registers: [registry] }),
    consumerLag: new Gauge({
      name: 'tremplin_consumer_lag',
      help: 'High watermark minus the next offset to process, sampled at each batch',
      labelNames: ['group', 'topic', 'partition'],
      registers: [registry],
    }),
    watchOutbox(pool) {
      watched = pool;
    },
  };
  new Gauge({
    name: 'tremplin_outbox_backlog',
    help: 'Outbox rows not yet acknowledged by Kafka',
    registers: [registry],
    async collect() {
      const value = await sampled();
      if (value) this.set(value.backlog);
    },
  });
  new Gauge({
    name: 'tremplin_outbox_relay_lag_seconds',
    help: 'Age of the oldest outbox row not yet acknowledged by Kafka',
    registers: [registry],
    async collect() {
      const value = await sampled();
      if (value) this.set(value.oldestAgeSeconds);
    },
  });
  byRegistry.set(registry, metrics);
  return metrics;
}
