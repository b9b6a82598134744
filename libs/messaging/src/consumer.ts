import type { Registry } from 'prom-client';
import type { z } from 'zod';
import { decodeMessage, dlqTopicOf, type Contract, type ContractRegistry, type Envelope, type PayloadSchema } from '@tremplin/contracts';
import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import { runInContext, type RequestContext } from '@tremplin/tenancy';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff';
import { isTransientError } from './errors';
import { contextFromHeaders } from './headers';
import { messagingMetrics, type MessagingMetrics } from './metrics';
import { silentLog, type BatchControl, type IncomingBatch, type IncomingMessage, type MessageProducer, type MessageTransport, type MessagingLog, type Subscription } from './transport';

export interface MessageInfo {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The broker's timestamp (ms since epoch, as text): when the relay produced it. */
  readonly timestamp: string;
}

export interface HandlerContext<Payload> {
  /** The transaction that also records the message in the inbox: write the effect through it. */
  readonly tx: PoolClient;
  readonly envelope: Envelope<Payload>;
  readonly message: MessageInfo;
}

/** One message of a batch handed to `handleBatch`. */
export interface BatchItem {
  readonly payload: Record<string, unknown>;
  readonly envelope: Envelope<Record<string, unknown>>;
  readonly message: MessageInfo;
}

export interface HandlerBinding {
  readonly contract: string;
  readonly handle: (payload: Record<string, unknown>, context: HandlerContext<Record<string, unknown>>) => Promise<void>;
  /**
   * Optional: the same effect for several new messages at once (e.g. one multi-row insert instead of one per
   * message). In a shared inbox transaction, consecutive new messages whose bindings carry the same `handleBatch`
   * function are handed to it together, in order, after their inbox rows; they may belong to several tenants and
   * the transaction's `app.tenant_id` is one of the chunk's tenants, so the handler scopes its writes to the items'
   * tenants itself. No request context is set around it. If it throws, the whole chunk rolls back and is replayed
   * one message per transaction through `handle`, where retries and dead letters are decided per message.
   */
  readonly handleBatch?: (items: readonly BatchItem[], context: { readonly tx: PoolClient }) => Promise<void>;
}

export function on<S extends PayloadSchema>(contract: Contract<S>, handle: (payload: z.output<S>, context: HandlerContext<z.output<S>>) => Promise<void>): HandlerBinding {
  return { contract: contract.name, handle: handle as HandlerBinding['handle'] };
}

/**
 * Why a message went to `<topic>.dlq`. UNSUPPORTED_VERSION: another version of a contract this consumer handles
 * (a producer rolled out `.v2` before its consumers could read it, or the consumer knows `.v2` but has no handler
 * for it yet): never skipped as "not for me", since the consumer does want that fact.
 */
export type DeadLetterReason = 'MALFORMED_MESSAGE' | 'UNKNOWN_CONTRACT' | 'UNSUPPORTED_VERSION' | 'INVALID_PAYLOAD' | 'TENANT_MISMATCH' | 'HANDLER_FAILED';
export type MessageOutcome = 'handled' | 'duplicate' | 'ignored' | 'dead_lettered';

export const DLQ_HEADERS = {
  reason: 'dlq-reason',
  error: 'dlq-error',
  topic: 'dlq-source-topic',
  partition: 'dlq-source-partition',
  offset: 'dlq-source-offset',
  group: 'dlq-consumer-group',
  attempts: 'dlq-attempts',
  failedAt: 'dlq-failed-at',
} as const;

export interface ConsumerHooks {
  /** When a fetched batch of a partition reaches the consumer, before anything is decoded (latency probes). */
  batchReceived?(batch: IncomingBatch): void;
  /**
   * After the inbox transaction committed, before the offset is committed (latency probes, fault tests).
   * Throwing kills the consumer at that point: no offset commit, it leaves the group.
   */
  afterTransaction?(event: { readonly envelope: Envelope; readonly message: MessageInfo; readonly outcome: 'handled' | 'duplicate' }): void | Promise<void>;
}

export interface InboxConsumerOptions {
  /** The inbox's consumer name; also the group id unless groupId says otherwise (one group per service). */
  readonly name: string;
  readonly groupId?: string;
  readonly pool: Pool;
  readonly transport: MessageTransport;
  readonly registry: ContractRegistry;
  readonly handlers: readonly HandlerBinding[];
  /** Defaults to the topics of the handled contracts. */
  readonly topics?: readonly string[];
  readonly retry?: { readonly attempts?: number } & Partial<BackoffPolicy>;
  readonly fromBeginning?: boolean;
  readonly partitionsConsumedConcurrently?: number;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** Offsets are committed at the end of each batch and, within a long batch, every this many messages. */
  readonly commitEvery?: number;
  /** Up to this many messages of a partition share one inbox transaction (one commit, one fsync). */
  readonly transactionSize?: number;
  readonly metrics?: Registry;
  readonly log?: MessagingLog;
  readonly hooks?: ConsumerHooks;
}

export interface ConsumerStats {
  readonly handled: number;
  readonly duplicates: number;
  readonly ignored: number;
  readonly deadLettered: number;
}

export interface InboxConsumer {
  readonly name: string;
  start(): Promise<void>;
  /** Finishes the message in progress, commits what it processed, leaves the group. */
  stop(): Promise<void>;
  /** Resolves when stopped, rejects with ConsumerCrashedError when a hook killed it. */
  readonly done: Promise<void>;
  stats(): ConsumerStats;
}

export class ConsumerCrashedError extends Error {
  readonly code = 'CONSUMER_CRASHED';
  constructor(readonly consumer: string, cause: unknown) {
    super(`consumer ${consumer} crashed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ConsumerCrashedError';
  }
}

class HandlerFailure extends Error {
  constructor(cause: unknown) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

class Abandoned extends Error {}

class ChunkFailure extends Error {
  constructor(
    readonly index: number,
    readonly failure: HandlerFailure,
  ) {
    super(failure.message);
  }
}

/** `<context>.<fact>` of a contract name `<context>.<fact>.v<N>`. */
function familyOf(name: string): string | undefined {
  return /^([a-z][a-z0-9-]*\.[a-z][a-z0-9-]*)\.v[1-9][0-9]*$/.exec(name)?.[1];
}

type ChunkResult = { readonly outcomes: MessageOutcome[]; readonly crash?: ConsumerCrashedError } | { readonly failedAt: number; readonly error: string };


/**
 * Consumes contract messages into one Postgres transaction each: the inbox row `(consumer, message id)` and
 * the handler's effect commit together, so a redelivered message is skipped; offsets are committed only
 * afterwards. Poison messages go to `<topic>.dlq` with the reason and the consumer carries on.
 */
export function createInboxConsumer(options: InboxConsumerOptions): InboxConsumer {
  const groupId = options.groupId ?? options.name;
  const log = options.log ?? silentLog;
  const attempts = options.retry?.attempts ?? 3;
  const retryBackoff: BackoffPolicy = { initialMs: options.retry?.initialMs ?? 200, maxMs: options.retry?.maxMs ?? 2_000 };
  const commitEvery = options.commitEvery ?? 200;
  const transactionSize = Math.max(1, options.transactionSize ?? 100);
  const metrics: MessagingMetrics | undefined = options.metrics ? messagingMetrics(options.metrics) : undefined;
  const handlers = new Map(options.handlers.map((binding) => [binding.contract, binding]));
  for (const contract of handlers.keys()) {
    if (!options.registry.get(contract)) throw new Error(`consumer ${options.name} handles ${contract}, which the registry does not know`);
  }
  const topics = options.topics ?? [...new Set([...handlers.keys()].map((contract) => options.registry.get(contract)!.topic))];
  // `<context>.<fact>` → the versions this consumer handles: a message of another version is a fact it wants but cannot read.
  const handledVersions = new Map<string, string[]>();
  for (const contract of handlers.keys()) {
    const family = familyOf(contract);
    if (family) handledVersions.set(family, [...(handledVersions.get(family) ?? []), contract]);
  }
  const unsupportedVersion = (name: string | undefined): string | undefined => {
    const handled = name === undefined ? undefined : handledVersions.get(familyOf(name) ?? '');
    if (!handled || handlers.has(name!)) return undefined;
    return `${name} is a version of a contract consumer ${options.name} reads only as ${[...handled].sort().join(', ')}: upgrade the consumer, then replay this dead letter to its topic`;
  };

  const counts = { handled: 0, duplicates: 0, ignored: 0, deadLettered: 0 };
  let subscription: Subscription | undefined;
  let producer: MessageProducer | undefined;
  let crash: ConsumerCrashedError | undefined;
  let stopping = false;
  let settle: { resolve: () => void; reject: (error: Error) => void } = { resolve: () => undefined, reject: () => undefined };
  const done = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
  done.catch(() => undefined);

  const count = (topic: string, outcome: MessageOutcome, n = 1) => {
    if (outcome === 'handled') counts.handled += n;
    else if (outcome === 'duplicate') counts.duplicates += n;
    else if (outcome === 'ignored') counts.ignored += n;
    else counts.deadLettered += n;
    metrics?.consumed.inc({ group: groupId, topic, outcome }, n);
  };

  /** Retries an infrastructure step (database or broker away) until it works or the batch is no longer ours. */
  const persist = async <T>(control: BatchControl, what: string, step: () => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      if (!control.isActive() || crash) throw new Abandoned(what);
      try {
        return await step();
      } catch (error) {
        if (error instanceof HandlerFailure || error instanceof ConsumerCrashedError) throw error;
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 5_000 });
        log('warn', `consumer ${options.name}: ${what} failed, retrying`, { error: (error as Error).message, delayMs: delay });
        await sleep(delay);
        await control.heartbeat().catch(() => undefined);
      }
    }
  };

  const deadLetter = async (control: BatchControl, message: IncomingMessage, reason: DeadLetterReason, error: string, tries: number) => {
    await persist(control, 'dead-lettering', async () => {
      producer ??= await options.transport.producer({ idempotent: true });
      try {
        await producer.send([
          {
            topic: dlqTopicOf(message.topic),
            key: message.key ?? '',
            value: message.value ?? '',
            headers: {
              ...message.headers,
              [DLQ_HEADERS.reason]: reason,
              [DLQ_HEADERS.error]: error.slice(0, 4_000),
              [DLQ_HEADERS.topic]: message.topic,
              [DLQ_HEADERS.partition]: String(message.partition),
              [DLQ_HEADERS.offset]: message.offset,
              [DLQ_HEADERS.group]: groupId,
              [DLQ_HEADERS.attempts]: String(tries),
              [DLQ_HEADERS.failedAt]: new Date().toISOString(),
            },
          },
        ]);
      } catch (sendError) {
        const broken = producer;
        producer = undefined;
        await broken?.close().catch(() => undefined);
        throw sendError;
      }
    });
    metrics?.deadLettered.inc({ group: groupId, topic: message.topic, reason });
    log('warn', `consumer ${options.name}: message dead-lettered`, { reason, topic: message.topic, partition: message.partition, offset: message.offset, error });
    return 'dead_lettered' as const;
  };

  const handleOnce = async (tx: PoolClient, envelope: Envelope<Record<string, unknown>>, binding: HandlerBinding, info: MessageInfo) => {
    const inserted = await tx.query(
      `INSERT INTO messaging.inbox (consumer, message_id, name, topic, partition, "offset") VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (consumer, message_id) DO NOTHING`,
      [options.name, envelope.messageId, envelope.name, info.topic, info.partition, info.offset],
    );
    if (inserted.rowCount === 0) return 'duplicate' as const;
    await runHandler(tx, envelope, binding, info);
    return 'handled' as const;
  };

  const runHandler = async (tx: PoolClient, envelope: Envelope<Record<string, unknown>>, binding: HandlerBinding, info: MessageInfo) => {
    try {
      await binding.handle(envelope.payload, { tx, envelope, message: info });
    } catch (error) {
      throw isTransientError(error) ? error : new HandlerFailure(error);
    }
  };

  /** Records a chunk's messages in the inbox with one statement; returns the ids that were new (a repeat within the chunk counts once). */
  const recordAll = async (tx: PoolClient, steps: ReadonlyArray<{ envelope: Envelope; info: MessageInfo }>): Promise<Set<string>> => {
    if (steps.length === 0) return new Set();
    const { rows } = await tx.query<{ message_id: string }>(
      `INSERT INTO messaging.inbox (consumer, message_id, name, topic, partition, "offset")
       SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[], $6::bigint[])
       ON CONFLICT (consumer, message_id) DO NOTHING
       RETURNING message_id`,
      [options.name, steps.map((s) => s.envelope.messageId), steps.map((s) => s.envelope.name), steps.map((s) => s.info.topic), steps.map((s) => s.info.partition), steps.map((s) => s.info.offset)],
    );
    return new Set(rows.map((r) => r.message_id.toLowerCase()));
  };

  const inTransaction = (envelope: Envelope<Record<string, unknown>>, binding: HandlerBinding, info: MessageInfo) =>
    withTransaction(options.pool, (tx) => handleOnce(tx, envelope, binding, info), { tenantId: envelope.tenantId });

  const infoOf = (message: IncomingMessage): MessageInfo => ({ topic: message.topic, partition: message.partition, offset: message.offset, headers: message.headers, timestamp: message.timestamp });

  /**
   * The common case, several well-formed messages in one transaction. Any failure rolls the whole chunk back
   * and returns undefined: the chunk is then replayed one message per transaction, where retries and dead
   * letters are decided per message.
   */
  const processChunk = async (messages: readonly IncomingMessage[]): Promise<ChunkResult | undefined> => {
    const planned: Array<{ envelope: Envelope<Record<string, unknown>>; context: RequestContext; binding: HandlerBinding | undefined; info: MessageInfo }> = [];
    for (const message of messages) {
      const decoded = decodeMessage(options.registry, message.value);
      if (!decoded.ok) return undefined;
      const context = contextFromHeaders(message.headers, decoded.envelope);
      if ('mismatch' in context) return undefined;
      // Dead-lettered one by one, on the slow path.
      if (!handlers.has(decoded.contract.name) && unsupportedVersion(decoded.contract.name)) return undefined;
      planned.push({ envelope: decoded.envelope, context, binding: handlers.get(decoded.contract.name), info: infoOf(message) });
    }
    let outcomes: MessageOutcome[];
    try {
      // Fewer round trips keep the transaction, and the xid it holds back the outbox horizon with, short.
      let tenant = planned[0]!.envelope.tenantId;
      outcomes = await withTransaction(
        options.pool,
        async (tx) => {
          const fresh = await recordAll(tx, planned.filter((step) => step.binding));
          const results: MessageOutcome[] = [];
          // Consecutive new messages for the same batch handler, handed over together (in order) before any other handler runs.
          let pending: { handleBatch: NonNullable<HandlerBinding['handleBatch']>; items: BatchItem[] } | undefined;
          const flush = async () => {
            if (!pending) return;
            const { handleBatch, items } = pending;
            pending = undefined;
            try {
              await handleBatch(items, { tx });
            } catch (error) {
              // Not a ChunkFailure: which message failed is unknown, so the chunk is replayed one by one.
              throw isTransientError(error) ? error : new HandlerFailure(error);
            }
          };
          for (const step of planned) {
            const binding = step.binding;
            if (!binding) {
              results.push('ignored');
              continue;
            }
            if (!fresh.delete(step.envelope.messageId.toLowerCase())) {
              results.push('duplicate');
              continue;
            }
            if (binding.handleBatch) {
              if (pending && pending.handleBatch !== binding.handleBatch) await flush();
              (pending ??= { handleBatch: binding.handleBatch, items: [] }).items.push({ payload: step.envelope.payload, envelope: step.envelope, message: step.info });
              results.push('handled');
              continue;
            }
            await flush();
            if (step.envelope.tenantId !== tenant) {
              tenant = step.envelope.tenantId;
              await tx.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
            }
            try {
              await runInContext(step.context, () => runHandler(tx, step.envelope, binding, step.info));
            } catch (error) {
              throw error instanceof HandlerFailure ? new ChunkFailure(results.length, error) : error;
            }
            results.push('handled');
          }
          await flush();
          return results;
        },
        { tenantId: tenant },
      );
    } catch (error) {
      return error instanceof ChunkFailure ? { failedAt: error.index, error: error.message } : undefined;
    }
    for (const [i, step] of planned.entries()) {
      const outcome = outcomes[i]!;
      if (options.hooks?.afterTransaction && (outcome === 'handled' || outcome === 'duplicate')) {
        try {
          await options.hooks.afterTransaction({ envelope: step.envelope, message: step.info, outcome });
        } catch (error) {
          // What this member reports as processed is what it got through before it died.
          return { outcomes: outcomes.slice(0, i), crash: new ConsumerCrashedError(options.name, error) };
        }
      }
    }
    return { outcomes };
  };

  /** One message, one transaction; `earlier` is the attempt it already used up in a shared transaction, if any. */
  const processMessage = async (control: BatchControl, message: IncomingMessage, earlier?: { readonly error: string }): Promise<MessageOutcome> => {
    const decoded = decodeMessage(options.registry, message.value);
    if (!decoded.ok) {
      const newer = decoded.error.reason === 'UNKNOWN_CONTRACT' ? unsupportedVersion(decoded.error.contract) : undefined;
      return newer ? deadLetter(control, message, 'UNSUPPORTED_VERSION', newer, 0) : deadLetter(control, message, decoded.error.reason, decoded.error.message, 0);
    }
    const { envelope, contract } = decoded;
    const context = contextFromHeaders(message.headers, envelope);
    if ('mismatch' in context) return deadLetter(control, message, 'TENANT_MISMATCH', context.mismatch, 0);
    const binding = handlers.get(contract.name);
    if (!binding) {
      const unsupported = unsupportedVersion(contract.name);
      return unsupported ? deadLetter(control, message, 'UNSUPPORTED_VERSION', unsupported, 0) : 'ignored';
    }
    const info = infoOf(message);
    const failedBefore = earlier ? 1 : 0;
    if (earlier) {
      if (attempts <= 1) return deadLetter(control, message, 'HANDLER_FAILED', earlier.error, 1);
      metrics?.handlerRetries.inc({ group: groupId, topic: message.topic });
      await sleep(backoffDelay(1, retryBackoff));
    }
    for (let attempt = failedBefore + 1; ; attempt++) {
      try {
        const outcome = await persist(control, 'inbox transaction', () => runInContext(context, () => inTransaction(envelope, binding, info)));
        if (options.hooks?.afterTransaction) {
          try {
            await options.hooks.afterTransaction({ envelope, message: info, outcome });
          } catch (error) {
            throw new ConsumerCrashedError(options.name, error);
          }
        }
        return outcome;
      } catch (error) {
        if (!(error instanceof HandlerFailure)) throw error;
        if (attempt >= attempts) return deadLetter(control, message, 'HANDLER_FAILED', error.message, attempt);
        metrics?.handlerRetries.inc({ group: groupId, topic: message.topic });
        await sleep(backoffDelay(attempt, retryBackoff));
        await control.heartbeat().catch(() => undefined);
      }
    }
  };

  // Not awaited: the commit runs beside the next messages (the transport logs a failure, and the next
  // owner of the partition then re-reads from the last commit; the inbox absorbs the repeats).
  const commit = (control: BatchControl) => void control.commit().catch(() => undefined);

  const die = (error: ConsumerCrashedError) => {
    if (crash) return;
    crash = error;
    log('error', error.message);
    // Not awaited here: stopping waits for the batch in progress, which is the caller.
    setImmediate(() => {
      void (async () => {
        await subscription?.abandon().catch(() => undefined);
        await producer?.close().catch(() => undefined);
        settle.reject(error);
      })();
    });
  };

  return {
    name: options.name,
    async start() {
      if (subscription) return;
      subscription = await options.transport.subscribe({
        groupId,
        topics,
        fromBeginning: options.fromBeginning ?? true,
        sessionTimeoutMs: options.sessionTimeoutMs,
        heartbeatIntervalMs: options.heartbeatIntervalMs,
        partitionsConsumedConcurrently: options.partitionsConsumedConcurrently,
        onBatch: async (batch, control) => {
          options.hooks?.batchReceived?.(batch);
          let sinceCommit = 0;
          const done = (message: IncomingMessage, outcome: MessageOutcome) => doneAll([message], [outcome]);
          // A chunk's messages at once: counted per outcome, the last offset resolved (resolving an offset resolves
          // those before it in the partition) and the lag set once. Per message, this was 2 µs of each message's time.
          const doneAll = (messages: readonly IncomingMessage[], outcomes: readonly MessageOutcome[]) => {
            if (outcomes.length === 0) return;
            const tally = new Map<MessageOutcome, number>();
            for (const outcome of outcomes) tally.set(outcome, (tally.get(outcome) ?? 0) + 1);
            for (const [outcome, n] of tally) count(batch.topic, outcome, n);
            const last = messages[outcomes.length - 1]!;
            control.resolve(last.offset);
            metrics?.consumerLag.set({ group: groupId, topic: batch.topic, partition: String(batch.partition) }, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
            sinceCommit += outcomes.length;
          };
          let start = 0;
          chunks: while (start < batch.messages.length) {
            if (crash || stopping || !control.isActive()) break;
            const chunk = batch.messages.slice(start, start + transactionSize);
            const fast = chunk.length > 1 ? await processChunk(chunk) : undefined;
            if (fast && 'outcomes' in fast) {
              doneAll(chunk, fast.outcomes);
              if (fast.crash) return die(fast.crash);
              start += chunk.length;
            } else {
              // One transaction each: the whole chunk, or up to the message whose handler failed (one attempt used).
              const failedAt = fast?.failedAt;
              const upTo = failedAt === undefined ? chunk.length : failedAt + 1;
              for (let i = 0; i < upTo; i++) {
                if (crash || stopping || !control.isActive()) break chunks;
                try {
                  done(chunk[i]!, await processMessage(control, chunk[i]!, i === failedAt && fast && 'error' in fast ? { error: fast.error } : undefined));
                } catch (error) {
                  if (error instanceof ConsumerCrashedError) return die(error);
                  if (error instanceof Abandoned) break chunks;
                  throw error;
                }
              }
              start += upTo;
            }
            if (sinceCommit >= commitEvery) {
              commit(control);
              sinceCommit = 0;
            }
          }
          if (!crash) commit(control);
        },
      });
    },
    async stop() {
      stopping = true;
      await subscription?.stop();
      await producer?.close().catch(() => undefined);
      if (!crash) settle.resolve();
    },
    done,
    stats: () => ({ ...counts }),
  };
}
