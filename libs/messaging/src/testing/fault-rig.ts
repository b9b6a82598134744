import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { contractRegistry, createEnvelope, instalmentMissedV1, withTopicPrefix, type ContractRegistry } from '@tremplin/contracts';
import type { NewEvent } from '@tremplin/event-sourcing';
import { PostgresEventStore } from '@tremplin/event-store-postgres';
import { createPool, type Pool } from '@tremplin/pg';
import { sleep } from '../backoff';
import { createInboxConsumer, on, type InboxConsumer, type InboxConsumerOptions } from '../consumer';
import { deriveMessageId } from '../headers';
import { createKafkaTransport } from '../kafkajs.transport';
import { appendWithOutbox } from '../outbox';
import { createOutboxRelay, type OutboxRelay, type RelayOptions } from '../relay';
import type { IncomingMessage, MessageTransport } from '../transport';

// Shared by the fault tests (*.int.spec.ts): a tenant writing "instalment missed" facts for a few loans
// through the event store and the outbox, and a read model fed by an inbox consumer.

export interface FaultRig {
  readonly pool: Pool;
  readonly transport: MessageTransport;
  readonly registry: ContractRegistry;
  readonly topic: string;
  readonly tenantId: string;
  readonly store: PostgresEventStore;
  write(loanId: string, seq: number): Promise<string>;
  relay(options?: Partial<RelayOptions>): OutboxRelay;
  consumer(name: string, options?: Partial<InboxConsumerOptions> & { failFor?: (loanId: string, seq: number) => boolean; onHandle?: () => void }): InboxConsumer;
  effects(consumer: string): Promise<Array<{ loanId: string; seq: number }>>;
  loanView(consumer: string): Promise<Array<{ loanId: string; missed: number; arrearsTotal: number; lastSeq: number }>>;
  replayLoanView(): Promise<Array<{ loanId: string; missed: number; arrearsTotal: number; lastSeq: number }>>;
  unsent(): Promise<number>;
  readTopic(topic: string, timeoutMs?: number): Promise<IncomingMessage[]>;
  close(): Promise<void>;
}

export const arrearsOf = (seq: number) => 2_500 * seq + 17;

export async function createFaultRig(db: { ownerUrl: string; appUrl: string }, brokers: readonly string[]): Promise<FaultRig> {
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  try {
    await owner.query(`
      CREATE SCHEMA fault;
      GRANT USAGE ON SCHEMA fault TO tremplin_app;
      CREATE TABLE fault.effects (applied bigserial PRIMARY KEY, consumer text NOT NULL, loan_id text NOT NULL, seq int NOT NULL, message_id uuid NOT NULL);
      CREATE TABLE fault.loan_view (consumer text NOT NULL, loan_id text NOT NULL, missed int NOT NULL, arrears_total bigint NOT NULL, last_seq int NOT NULL,
                                    PRIMARY KEY (consumer, loan_id));
      GRANT SELECT, INSERT, UPDATE ON ALL TABLES IN SCHEMA fault TO tremplin_app;
      GRANT USAGE ON ALL SEQUENCES IN SCHEMA fault TO tremplin_app;`);
  } finally {
    await owner.end();
  }
  const pool = createPool(db.appUrl, { max: 12 });
  const transport = createKafkaTransport({ brokers, clientId: 'fault-test' });
  const registry = withTopicPrefix(contractRegistry, `t${randomUUID().slice(0, 8)}.`);
  const topic = registry.get(instalmentMissedV1.name)!.topic;
  await transport.ensureTopics(registry.topicsToCreate().filter((spec) => spec.name.startsWith(topic)));
  const store = new PostgresEventStore(pool);
  const tenantId = `tenant-${randomUUID().slice(0, 8)}`;
  const relays: OutboxRelay[] = [];
  const consumers: InboxConsumer[] = [];

  const rows = async <T>(sql: string, params: unknown[]): Promise<T[]> => (await pool.query(sql, params)).rows as T[];

  return {
    pool,
    transport,
    registry,
    topic,
    tenantId,
    store,
    async write(loanId, seq) {
      const occurredAt = new Date(Date.UTC(2026, 0, 1) + seq * 86_400_000).toISOString();
      const fact = {
        tenantId,
        loanId,
        instalmentNumber: seq,
        dueDate: occurredAt.slice(0, 10),
        unpaidCount: seq,
        daysPastDue: 3,
        arrearsCents: arrearsOf(seq),
      };
      const event: NewEvent = { eventId: randomUUID(), type: 'InstalmentMissed', schemaVersion: 1, data: fact, metadata: { correlationId: `corr-${loanId}`, occurredAt } };
      const result = await appendWithOutbox(
        store,
        pool,
        { tenantId, streamId: `loan-${loanId}` },
        [event],
        seq === 1 ? 'no-stream' : seq - 1,
        (recorded) =>
          recorded.map((e) =>
            createEnvelope(instalmentMissedV1, fact, { messageId: deriveMessageId(e.eventId, instalmentMissedV1.name), occurredAt, correlationId: `corr-${loanId}`, causationId: e.eventId }),
          ),
        { registry },
      );
      return result.messages[0]!.messageId;
    },
    relay(options = {}) {
      const relay = createOutboxRelay({ pool, transport, idleDelayMs: 10, backoff: { initialMs: 50, maxMs: 1_000 }, ...options });
      relays.push(relay);
      relay.start();
      return relay;
    },
    consumer(name, { failFor, onHandle, ...options } = {}) {
      const consumer = createInboxConsumer({
        name,
        pool,
        transport,
        registry,
        retry: { attempts: 3, initialMs: 20, maxMs: 100 },
        sessionTimeoutMs: 6_000,
        heartbeatIntervalMs: 500,
        handlers: [
          on(instalmentMissedV1, async (payload, { tx, envelope }) => {
            onHandle?.();
            if (failFor?.(payload.loanId, payload.instalmentNumber)) throw new Error(`cannot apply instalment ${payload.instalmentNumber} of ${payload.loanId}`);
            await tx.query('INSERT INTO fault.effects (consumer, loan_id, seq, message_id) VALUES ($1, $2, $3, $4)', [name, payload.loanId, payload.instalmentNumber, envelope.messageId]);
            await tx.query(
              `INSERT INTO fault.loan_view AS v (consumer, loan_id, missed, arrears_total, last_seq) VALUES ($1, $2, 1, $3, $4)
               ON CONFLICT (consumer, loan_id) DO UPDATE SET missed = v.missed + 1, arrears_total = v.arrears_total + EXCLUDED.arrears_total, last_seq = EXCLUDED.last_seq`,
              [name, payload.loanId, payload.arrearsCents, payload.instalmentNumber],
            );
          }),
        ],
        ...options,
      });
      consumers.push(consumer);
      return consumer;
    },
    async effects(consumer) {
      return rows('SELECT loan_id AS "loanId", seq FROM fault.effects WHERE consumer = $1 ORDER BY applied', [consumer]);
    },
    async loanView(consumer) {
      return rows(
        `SELECT loan_id AS "loanId", missed, arrears_total::int AS "arrearsTotal", last_seq AS "lastSeq" FROM fault.loan_view WHERE consumer = $1 ORDER BY loan_id`,
        [consumer],
      );
    },
    async replayLoanView() {
      // From scratch: fold the event store's log, not the bus.
      const view = new Map<string, { loanId: string; missed: number; arrearsTotal: number; lastSeq: number }>();
      for (let after = { transactionId: 0n, globalPosition: 0n }; ; ) {
        const page = await store.readAll(after, 500, { tenantId });
        if (page.length === 0) break;
        for (const event of page) {
          const data = event.data as { loanId: string; arrearsCents: number; instalmentNumber: number };
          const row = view.get(data.loanId) ?? { loanId: data.loanId, missed: 0, arrearsTotal: 0, lastSeq: 0 };
          view.set(data.loanId, { loanId: data.loanId, missed: row.missed + 1, arrearsTotal: row.arrearsTotal + data.arrearsCents, lastSeq: data.instalmentNumber });
        }
        after = page[page.length - 1]!;
      }
      return [...view.values()].sort((a, b) => (a.loanId < b.loanId ? -1 : 1));
    },
    async unsent() {
      return Number((await rows<{ n: string }>('SELECT count(*) AS n FROM messaging.outbox WHERE sent_at IS NULL', []))[0]!.n);
    },
    async readTopic(name, timeoutMs = 20_000) {
      const high = new Map((await transport.topicOffsets(name)).map((p) => [p.partition, BigInt(p.high)]));
      const received: IncomingMessage[] = [];
      const seen = new Map<number, bigint>();
      const complete = () => [...high].every(([partition, end]) => end === 0n || (seen.get(partition) ?? -1n) + 1n >= end);
      if (complete()) return received;
      const subscription = await transport.subscribe({
        groupId: `reader-${randomUUID()}`,
        topics: [name],
        fromBeginning: true,
        heartbeatIntervalMs: 500,
        onBatch: async (batch, control) => {
          for (const message of batch.messages) {
            received.push(message);
            seen.set(message.partition, BigInt(message.offset));
            control.resolve(message.offset);
          }
        },
      });
      try {
        await waitFor(async () => complete(), timeoutMs, `reading ${name} to its end`);
      } finally {
        await subscription.stop();
      }
      return received.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)));
    },
    async close() {
      await Promise.all(relays.map((r) => r.stop()));
      await Promise.all(consumers.map((c) => c.stop().catch(() => undefined)));
      await transport.close();
      await pool.end();
    },
  };
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(50);
  }
}

/** Writes `seqs` facts for each loan, loans in parallel and each loan's facts in order. */
export async function writeLoans(rig: FaultRig, loans: readonly string[], seqs: number, onWritten?: (total: number) => void | Promise<void>): Promise<string[]> {
  let total = 0;
  const ids: string[] = [];
  await Promise.all(
    loans.map(async (loanId) => {
      for (let seq = 1; seq <= seqs; seq++) {
        ids.push(await rig.write(loanId, seq));
        total += 1;
        await onWritten?.(total);
      }
    }),
  );
  return ids;
}

export function loanIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `L${String(i).padStart(3, '0')}x${randomUUID().slice(0, 6)}`);
}

/** Per loan, the sequence numbers in the order their effects were applied. */
export function appliedOrder(effects: ReadonlyArray<{ loanId: string; seq: number }>): Map<string, number[]> {
  const byLoan = new Map<string, number[]>();
  for (const effect of effects) byLoan.set(effect.loanId, [...(byLoan.get(effect.loanId) ?? []), effect.seq]);
  return byLoan;
}

export function expectedOrder(loans: readonly string[], seqs: number): Map<string, number[]> {
  return new Map(loans.map((loanId) => [loanId, Array.from({ length: seqs }, (_, i) => i + 1)]));
}
