export interface EventMetadata {
  readonly correlationId: string;
  readonly causationId?: string;
  readonly commandId?: string;
  readonly actorId?: string;
  readonly role?: string;
  readonly organisationId?: string;
  /** ISO UTC, decided by the caller's clock and passed in. */
  readonly occurredAt: string;
}

export interface NewEvent<T = unknown> {
  readonly eventId: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: T;
  readonly metadata: EventMetadata;
}

export interface RecordedEvent<T = unknown> extends NewEvent<T> {
  readonly tenantId: string;
  /** `<category>-<id>` */
  readonly streamId: string;
  /** 1-based */
  readonly streamVersion: number;
  readonly globalPosition: bigint;
  /** xid8 of the writing transaction: with globalPosition it orders the global log safely. */
  readonly transactionId: bigint;
  readonly recordedAt: string;
  readonly hash: string;
  readonly previousHash: string;
}

export interface StreamRef {
  readonly tenantId: string;
  readonly streamId: string;
}

/** A number is the exact current version (0 is never used: say 'no-stream'). */
export type ExpectedVersion = number | 'no-stream' | 'stream-exists' | 'any';

/** Checkpoint pair: a position alone skips events committed late with a lower position. */
export interface LogPosition {
  readonly transactionId: bigint;
  readonly globalPosition: bigint;
}

export const LOG_START: LogPosition = Object.freeze({ transactionId: 0n, globalPosition: 0n });

export interface AppendResult {
  readonly streamVersion: number;
  readonly events: ReadonlyArray<RecordedEvent>;
}

export class VersionConflictError extends Error {
  readonly code = 'VERSION_CONFLICT';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedVersion,
    /** 0 = no stream */
    readonly actual: number,
    detail?: string,
  ) {
    super(`version conflict on ${streamId}: expected ${String(expected)}, actual ${actual}${detail ? ` (${detail})` : ''}`);
    this.name = 'VersionConflictError';
  }
}

export function compareLogPositions(a: LogPosition, b: LogPosition): number {
  if (a.transactionId !== b.transactionId) return a.transactionId < b.transactionId ? -1 : 1;
  if (a.globalPosition !== b.globalPosition) return a.globalPosition < b.globalPosition ? -1 : 1;
  return 0;
}

export function logPositionOf(event: RecordedEvent): LogPosition {
  return { transactionId: event.transactionId, globalPosition: event.globalPosition };
}

/** The category is what precedes the first '-': `loan-42` → `loan`. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash < 0 ? streamId : streamId.slice(0, dash);
}

export function satisfiesExpected(expected: ExpectedVersion, actual: number): boolean {
  if (expected === 'any') return true;
  if (expected === 'no-stream') return actual === 0;
  if (expected === 'stream-exists') return actual > 0;
  return actual === expected;
}
