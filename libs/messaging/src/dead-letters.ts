import { DLQ_SUFFIX } from '@tremplin/contracts';
import { sleep } from './backoff';
import { DLQ_HEADERS } from './consumer';
import type { IncomingMessage, MessageTransport, OutgoingMessage } from './transport';

export interface ReplayDeadLettersOptions {
  /** `<topic>.dlq`. */
  readonly dlqTopic: string;
  /** Only the dead letters of this consumer group (header dlq-consumer-group); all by default. */
  readonly consumerGroup?: string;
  /** Only these reasons (header dlq-reason), e.g. UNSUPPORTED_VERSION after a consumer upgrade; all by default. */
  readonly reasons?: readonly string[];
  /**
   * The replayer's own consumer group on the dead-letter topic: its committed offsets remember what was
   * replayed, so a second run replays only what was dead-lettered since. Derived from the filters by default.
   */
  readonly replayGroup?: string;
  /** Reading up to the end the topic had at the start; fails after this long. */
  readonly timeoutMs?: number;
  /** Count what would be replayed, send nothing, commit nothing. */
  readonly dryRun?: boolean;
}

export interface ReplayDeadLettersResult {
  readonly replayGroup: string;
  /** Dead letters read (up to the topic's end at the start). */
  readonly read: number;
  /** Sent back to their source topic. */
  readonly replayed: number;
  /** Read but not replayed: another group's or another reason's. */
  readonly skipped: number;
  /** Replayed per source topic. */
  readonly bySourceTopic: Readonly<Record<string, number>>;
}

/**
 * Sends dead letters back to the topic they came from, with their original key (so the same partition, in the
 * order they were dead-lettered), value and headers (the dlq-* headers removed, `dlq-replayed-from` added).
 * Every consumer group of that topic receives them again: those that had applied a message skip it (the inbox
 * knows its message id), the others apply it now. Run it once the consumer that dead-lettered them can read them.
 */
export async function replayDeadLetters(transport: MessageTransport, options: ReplayDeadLettersOptions): Promise<ReplayDeadLettersResult> {
  if (!options.dlqTopic.endsWith(DLQ_SUFFIX)) throw new Error(`${options.dlqTopic} is not a dead-letter topic (<topic>${DLQ_SUFFIX})`);
  const replayGroup = options.replayGroup ?? `tremplin-dlq-replay.${options.consumerGroup ?? 'all'}.${options.reasons?.length ? [...options.reasons].sort().join('+') : 'any'}`;
  const ends = new Map((await transport.topicOffsets(options.dlqTopic)).map((p) => [p.partition, BigInt(p.high)]));
  const committed = new Map((await transport.committedOffsets(replayGroup, options.dlqTopic)).map((c) => [c.partition, BigInt(c.offset)]));
  const next = new Map([...ends.keys()].map((partition) => [partition, (committed.get(partition) ?? -1n) < 0n ? 0n : committed.get(partition)!]));
  const complete = () => [...ends].every(([partition, end]) => (next.get(partition) ?? 0n) >= end);
  const result = { read: 0, replayed: 0, skipped: 0, bySourceTopic: {} as Record<string, number> };
  if (complete()) return { replayGroup, ...result };
  const wanted = (message: IncomingMessage) =>
    (options.consumerGroup === undefined || message.headers[DLQ_HEADERS.group] === options.consumerGroup) &&
    (options.reasons === undefined || options.reasons.includes(message.headers[DLQ_HEADERS.reason] ?? ''));
  const producer = options.dryRun ? undefined : await transport.producer({ idempotent: true });
  let failure: Error | undefined;
  const subscription = await transport.subscribe({
    groupId: replayGroup,
    topics: [options.dlqTopic],
    fromBeginning: true,
    heartbeatIntervalMs: 500,
    onBatch: async (batch, control) => {
      const end = ends.get(batch.partition) ?? 0n;
      const mine = batch.messages.filter((message) => BigInt(message.offset) < end);
      const out: OutgoingMessage[] = [];
      for (const message of mine) {
        result.read += 1;
        const source = message.headers[DLQ_HEADERS.topic];
        if (!wanted(message) || !source) {
          result.skipped += 1;
          continue;
        }
        const headers = Object.fromEntries(Object.entries(message.headers).filter(([name]) => !name.startsWith('dlq-')));
        headers['dlq-replayed-from'] = `${options.dlqTopic}/${message.partition}/${message.offset}`;
        out.push({ topic: source, key: message.key ?? '', value: message.value ?? '', headers });
        result.bySourceTopic[source] = (result.bySourceTopic[source] ?? 0) + 1;
      }
      try {
        // Sent (acknowledged) before the offsets move: a crash in between replays again, which the inboxes absorb.
        if (out.length && producer) await producer.send(out);
      } catch (error) {
        failure = error as Error;
        throw error;
      }
      result.replayed += out.length;
      if (mine.length) {
        const last = mine[mine.length - 1]!;
        if (!options.dryRun) {
          control.resolve(last.offset);
          await control.commit();
        }
        next.set(batch.partition, BigInt(last.offset) + 1n);
      }
    },
  });
  try {
    const deadline = Date.now() + (options.timeoutMs ?? 60_000);
    while (!complete()) {
      if (failure) throw failure;
      if (Date.now() > deadline) throw new Error(`timed out reading ${options.dlqTopic} to its end (${result.read} read, ${result.replayed} replayed so far)`);
      await sleep(50);
    }
  } finally {
    await subscription.stop();
    await producer?.close();
  }
  return { replayGroup, ...result };
}
