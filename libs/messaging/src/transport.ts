import type { TopicSpec } from '@tremplin/contracts';

// Our own small port over the Kafka client: kafkajs is unmaintained, and services must not notice a swap.

export interface OutgoingMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: string | Buffer;
  readonly headers: Readonly<Record<string, string>>;
}

export interface IncomingMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly timestamp: string;
}

export interface MessageProducer {
  /** Resolves once the broker acknowledged every message (acks=all); order is kept per partition. */
  send(messages: readonly OutgoingMessage[]): Promise<void>;
  close(): Promise<void>;
}

export interface IncomingBatch {
  readonly topic: string;
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: readonly IncomingMessage[];
}

export interface BatchControl {
  /** Marks a message processed; nothing is committed until commit(). */
  resolve(offset: string): void;
  /**
   * Commits the resolved offsets of this member to the group, in the background: at most one commit is in
   * flight, and one more follows while resolved offsets are ahead of it. The promise settles when a commit
   * covering everything resolved so far is done; processing need not wait for it.
   */
  commit(): Promise<void>;
  heartbeat(): Promise<void>;
  /** False once the member is stopping or lost the partition: stop processing this batch. */
  isActive(): boolean;
}

export interface SubscribeOptions {
  readonly groupId: string;
  readonly topics: readonly string[];
  readonly fromBeginning: boolean;
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  readonly partitionsConsumedConcurrently?: number;
  readonly onBatch: (batch: IncomingBatch, control: BatchControl) => Promise<void>;
}

export interface Subscription {
  /** Commits what was resolved, then leaves the group after the batch in progress. */
  stop(): Promise<void>;
  /** Leaves without committing anything more: what a killed process would do. */
  abandon(): Promise<void>;
}

export interface PartitionOffsets {
  readonly partition: number;
  readonly low: string;
  readonly high: string;
}

export interface MessageTransport {
  producer(options?: { readonly idempotent?: boolean }): Promise<MessageProducer>;
  subscribe(options: SubscribeOptions): Promise<Subscription>;
  ensureTopics(specs: readonly TopicSpec[]): Promise<{ created: string[] }>;
  topicOffsets(topic: string): Promise<PartitionOffsets[]>;
  /** The group's committed offsets (next offset to read; -1 when none) per partition of the topic. */
  committedOffsets(groupId: string, topic: string): Promise<Array<{ readonly partition: number; readonly offset: string }>>;
  close(): Promise<void>;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type MessagingLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => void;
export const silentLog: MessagingLog = () => undefined;
