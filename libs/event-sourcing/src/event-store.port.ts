import type { AppendResult, ExpectedVersion, LogPosition, NewEvent, RecordedEvent, StreamRef } from './envelope';
import type { BrokenLink, ChainVerification } from './hash-chain';

export interface ReadStreamOptions {
  readonly fromVersion?: number;
  readonly toVersion?: number;
  /** The stream as it stood at this instant (events recorded at or before it). */
  readonly asOf?: string | Date;
}

export interface VerifyAllResult {
  readonly ok: boolean;
  readonly streams: number;
  readonly events: number;
  readonly broken: Array<{ streamId: string } & BrokenLink>;
}

/** The port every event store adapter implements (PostgreSQL here; KurrentDB later) and the contract suite checks. */
export interface EventStore {
  append(stream: StreamRef, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult>;
  readStream(stream: StreamRef, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Events after `after`, in (transactionId, globalPosition) order, never one that a later read could precede. */
  readAll(after: LogPosition, limit: number, options?: { tenantId?: string }): Promise<RecordedEvent[]>;
  verify(stream: StreamRef): Promise<ChainVerification>;
  verifyAll(tenantId: string): Promise<VerifyAllResult>;
}

export interface Snapshot<State> {
  readonly streamVersion: number;
  readonly state: State;
}

/** `key` names the stream category and the version of `evolve`: a changed decider simply finds no snapshot. */
export interface SnapshotStore {
  load<State>(stream: StreamRef, key: string): Promise<Snapshot<State> | undefined>;
  save<State>(stream: StreamRef, key: string, snapshot: Snapshot<State>): Promise<void>;
}
