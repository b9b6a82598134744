import { createHash, randomUUID } from 'node:crypto';
import type { ContractRegistry, Envelope } from '@tremplin/contracts';
import { canonicalJson, createCommandHandler, deterministicEventId, type CommandResult, type Decider, type EventMetadata, type RecordedEvent } from '@tremplin/event-sourcing';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import { enqueue, notifyOutbox } from '@tremplin/messaging';
import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import { FinanceError } from '@tremplin/finance';
import { LendingError, ruleError } from './lending.errors';

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
}

export interface Idempotency {
  readonly key: string;
  /** sha256 of the route and the validated body: the same key with another request is refused. */
  readonly requestHash: string;
}

export class IdempotencyError extends Error {
  constructor(
    readonly code: 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_IN_PROGRESS',
    message: string,
  ) {
    super(message);
  }
}

export interface Decided<Event, State> {
  readonly before: State;
  readonly after: State;
  readonly events: readonly Event[];
  readonly recorded: readonly RecordedEvent[];
  readonly streamVersion: number;
  /** The command id was handled before: its earlier events are returned, nothing new is written. */
  readonly duplicate: boolean;
}

export interface CommandExecution<Command, Event, State> {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly registry: ContractRegistry;
  readonly decider: Decider<Command, Event, State>;
  readonly tenantId: string;
  readonly streamId: string;
  readonly command: Command;
  readonly commandId: string;
  readonly metadata: Omit<EventMetadata, 'commandId'>;
  /** Integration events caused by the new events; they commit with them (transactional outbox). */
  readonly toMessages: (decided: Decided<Event, State>) => readonly Envelope[];
  /** The HTTP answer, computed inside the transaction so a replay returns exactly the same. */
  readonly respond: (decided: Decided<Event, State>) => StoredResponse;
  readonly idempotency?: Idempotency;
  /** Join a caller's transaction (the inbox consumer's); otherwise one is opened per attempt. */
  readonly tx?: PoolClient;
}

export type Outcome = { readonly kind: 'done'; readonly response: StoredResponse; readonly replayed: boolean } | { readonly kind: 'refused'; readonly error: LendingError; readonly response: StoredResponse };

const MAX_ATTEMPTS = 3;

export function requestHash(route: string, body: unknown): string {
  // Through JSON first: absent optional fields (undefined) and present-but-undefined ones hash the same.
  return createHash('sha256').update(`${route}\n${canonicalJson(JSON.parse(JSON.stringify(body ?? null)))}`).digest('hex');
}

/** Same key within a tenant → same command id → same event ids. */
export function commandIdOf(tenantId: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? deterministicEventId(`${tenantId}\u001f${idempotencyKey}`, 0) : randomUUID();
}

/**
 * load → decide → append with the expected version (libs/event-sourcing's command handler, bounded retry on a
 * version conflict), in one transaction with the outbox rows and the idempotency key. A business refusal is
 * recorded against the key (so the same request gets the same answer) and writes nothing else.
 */
export async function executeCommand<Command, Event extends { type: string; data: unknown }, State>(execution: CommandExecution<Command, Event, State>): Promise<Outcome> {
  if (execution.tx) return attemptIn(execution.tx, execution);
  const outcome = await withTransaction(execution.pool, (tx) => attemptIn(tx, execution), { tenantId: execution.tenantId });
  // After the commit, never inside it: wakes an idle relay so the integration events leave at once.
  if (outcome.kind === 'done' && !outcome.replayed) await notifyOutbox(execution.pool);
  return outcome;
}

async function attemptIn<Command, Event extends { type: string; data: unknown }, State>(tx: PoolClient, execution: CommandExecution<Command, Event, State>): Promise<Outcome> {
  const { idempotency } = execution;
  if (idempotency) {
    const replay = await claimKey(tx, execution.tenantId, idempotency);
    if (replay) return replay;
  }
  // The store bound to this transaction: the events, the outbox rows and the key commit together. A conflict is
  // answered by the store as a result, so the transaction stays usable for the handler's retry on fresh state.
  const store = execution.store;
  const handle = createCommandHandler({
    decider: execution.decider,
    store: { readStream: (stream, options) => store.readStream(stream, options), append: (stream, events, expected) => store.append(stream, events, expected, { tx }) },
    maxAttempts: MAX_ATTEMPTS,
  });
  let result: CommandResult<State, Event>;
  try {
    result = await handle({ tenantId: execution.tenantId, streamId: execution.streamId }, execution.command, { commandId: execution.commandId, metadata: execution.metadata });
  } catch (thrown) {
    // The money maths refuses impossible inputs with its own typed error: still a business refusal, not a 500.
    const error = thrown instanceof FinanceError ? ruleError(thrown.code, thrown.message, thrown.field) : thrown;
    if (!(error instanceof LendingError)) throw error;
    const response = { statusCode: statusOf(error), body: { statusCode: statusOf(error), code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
    if (idempotency) await saveKey(tx, execution.tenantId, idempotency, response);
    return { kind: 'refused', error, response };
  }
  const decided: Decided<Event, State> = {
    before: result.before,
    after: result.state,
    // A duplicate answers with the events recorded the first time.
    events: result.duplicate ? (result.events as unknown as Event[]) : result.decided,
    recorded: result.events,
    streamVersion: result.streamVersion,
    duplicate: result.duplicate,
  };
  if (!result.duplicate) await enqueue(tx, execution.toMessages(decided), execution.registry);
  return finish(tx, execution, execution.respond(decided));
}

async function finish<Command, Event, State>(tx: PoolClient, execution: CommandExecution<Command, Event, State>, response: StoredResponse): Promise<Outcome> {
  if (execution.idempotency) await saveKey(tx, execution.tenantId, execution.idempotency, response);
  return { kind: 'done', response, replayed: false };
}

/** Returns the stored answer for a key already used, or claims the key for this transaction. */
async function claimKey(tx: PoolClient, tenantId: string, idempotency: Idempotency): Promise<Outcome | undefined> {
  // A try-lock, not a wait: a duplicate sent while the first is still running is told so at once.
  const lock = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 11)) AS ok`, [`${tenantId}\u001f${idempotency.key}`]);
  if (!lock.rows[0].ok) throw new IdempotencyError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later');
  const stored = await tx.query<{ request_hash: string; status_code: number; response: Record<string, unknown> }>(
    'SELECT request_hash, status_code, response FROM lending.idempotency_keys WHERE tenant_id = $1 AND key = $2',
    [tenantId, idempotency.key],
  );
  const row = stored.rows[0];
  if (!row) return undefined;
  if (row.request_hash !== idempotency.requestHash) throw new IdempotencyError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
  const response = { statusCode: row.status_code, body: row.response };
  if (row.status_code >= 400) {
    const body = row.response as { code: string; message: string; field?: string };
    return { kind: 'refused', error: new LendingError('rule', body.code, body.message, body.field), response };
  }
  return { kind: 'done', response, replayed: true };
}

async function saveKey(tx: PoolClient, tenantId: string, idempotency: Idempotency, response: StoredResponse): Promise<void> {
  await tx.query('INSERT INTO lending.idempotency_keys (tenant_id, key, request_hash, status_code, response) VALUES ($1, $2, $3, $4, $5)', [
    tenantId,
    idempotency.key,
    idempotency.requestHash,
    response.statusCode,
    JSON.stringify(response.body),
  ]);
}

export function statusOf(error: LendingError): number {
  switch (error.kind) {
    case 'state':
      return 409;
    case 'rule':
      // A broken business rule is bad input: 400 with its stable code and the field (422 is kept for a reused
      // Idempotency-Key, as the API contract says).
      return 400;
    case 'forbidden':
      return 403;
    case 'notFound':
      return 404;
    default: {
      const unhandled: never = error.kind;
      throw new Error(`unmapped error kind ${String(unhandled)}`);
    }
  }
}
