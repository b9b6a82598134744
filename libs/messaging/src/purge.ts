import type { Pool } from 'pg';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface PurgeRetention {
  /** Sent outbox rows older than this are deleted (unsent rows never are). */
  readonly outboxRetentionDays: number;
  /**
   * Inbox rows older than this are deleted. The inbox is what makes a redelivered message a no-op: it must
   * outlive every copy Kafka could still deliver, i.e. the longest topic retention (dead-letter topics included).
   */
  readonly inboxRetentionDays: number;
}

export interface PurgeResult {
  readonly outbox: number;
  readonly inbox: number;
}

export class PurgeRetentionError extends Error {
  readonly code = 'PURGE_RETENTION_TOO_SHORT';
}

/** Refuses an inbox retention a redelivery could outlive (a replayed dead letter would then apply twice). */
export function checkPurgeRetention(retention: PurgeRetention, longestTopicRetentionMs: number): void {
  if (!(retention.outboxRetentionDays >= 1)) throw new PurgeRetentionError('the outbox retention is at least 1 day');
  const minimumDays = Math.ceil(longestTopicRetentionMs / DAY_MS) + 1;
  if (retention.inboxRetentionDays < minimumDays) {
    throw new PurgeRetentionError(`the inbox retention (${retention.inboxRetentionDays} days) must exceed the longest topic retention: at least ${minimumDays} days`);
  }
}

/**
 * Deletes sent outbox rows and old inbox rows in batches (short transactions: a purge never holds the relay or
 * the consumers back for long). Ages are the database's clock, not the service's business clock.
 */
export async function purgeMessaging(pool: Pool, retention: PurgeRetention, batchSize = 5_000): Promise<PurgeResult> {
  const purge = async (sql: string, days: number) => {
    let total = 0;
    for (;;) {
      const result = await pool.query(sql, [days, batchSize]);
      total += result.rowCount ?? 0;
      if ((result.rowCount ?? 0) < batchSize) return total;
    }
  };
  const outbox = await purge(
    `DELETE FROM messaging.outbox WHERE id IN (
       SELECT id FROM messaging.outbox WHERE sent_at IS NOT NULL AND sent_at < now() - make_interval(days => $1::int) LIMIT $2)`,
    retention.outboxRetentionDays,
  );
  const inbox = await purge(
    `DELETE FROM messaging.inbox WHERE (consumer, message_id) IN (
       SELECT consumer, message_id FROM messaging.inbox WHERE processed_at < now() - make_interval(days => $1::int) LIMIT $2)`,
    retention.inboxRetentionDays,
  );
  return { outbox, inbox };
}

export interface PurgeJob {
  stop(): Promise<void>;
}

/** Runs the purge every `intervalMs` (first run after one interval); a failed run is reported and retried next time. */
export function startPurgeJob(
  pool: Pool,
  retention: PurgeRetention,
  options: { intervalMs: number; onResult?: (result: PurgeResult) => void; onError?: (error: unknown) => void },
): PurgeJob {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    if (running) return;
    running = purgeMessaging(pool, retention)
      .then((result) => options.onResult?.(result))
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => (running = undefined));
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
