import { join } from 'node:path';
import type { ContractRegistry, Envelope } from '@tremplin/contracts';
import { createCommandHandler, DomainError, foldStream, ruleError, type Aggregate, type CommandResolver, type CommandResult, type EventMetadata, type RecordedEvent } from '@tremplin/event-sourcing';
import type { PostgresEventStore, TransactionalStreamStore } from '@tremplin/event-store-postgres';
import { FinanceError } from '@tremplin/finance';
import { enqueue, notifyOutbox } from '@tremplin/messaging';
import { withTransaction, type MigrationSource, type Pool, type PoolClient } from '@tremplin/pg';
import { claimKey, saveKey, type Idempotency, type StoredResponse } from './idempotency';
import { httpStatusOf } from './status';

/** How long a command waits for its stream's lock before it gives up (the client is told to retry). */
export const STREAM_LOCK_WAIT_MS = 15_000;

export const commandsMigrations: MigrationSource = { name: 'commands', directory: join(__dirname, '..', 'migrations') };

export interface Decided<Event, State> {
  readonly before: State;
  readonly after: State;
  /** The domain events decided now; for a duplicate command id, none. */
  readonly events: readonly Event[];
  /** As stored: the new events, or for a duplicate command id the events it recorded the first time. */
  readonly recorded: readonly RecordedEvent[];
  readonly streamVersion: number;
  /** The command id was handled before: its earlier events are returned, nothing new is written. */
  readonly duplicate: boolean;
}

/** What a resolver may read besides the stream's state: other streams, in the command's own transaction. */
export interface StreamReader {
  load<Command, Event, State>(aggregate: Aggregate<Command, Event, State>, tenantId: string, streamId: string): Promise<State>;
}

export interface CommandSpec<Command, Event, State> {
  readonly aggregate: Aggregate<Command, Event, State>;
  readonly tenantId: string;
  readonly streamId: string;
  /** The command, or how to complete it from the state it is decided on and other streams (same transaction). */
  readonly command: Command | ((state: State, read: StreamReader) => Command | Promise<Command>);
  readonly commandId: string;
  readonly metadata: Omit<EventMetadata, 'commandId'>;
  /** Integration events caused by the new events; they commit with them (transactional outbox). */
  readonly toMessages?: (decided: Decided<Event, State>) => readonly Envelope[];
  /** The answer, computed inside the transaction so that a replay returns exactly the same. */
  readonly respond: (decided: Decided<Event, State>) => StoredResponse;
  readonly idempotency?: Idempotency;
  /** Join a caller's transaction (an inbox consumer's); otherwise one is opened. */
  readonly tx?: PoolClient;
}

export type Outcome =
  | { readonly kind: 'done'; readonly response: StoredResponse; readonly replayed: boolean }
  | { readonly kind: 'refused'; readonly error: DomainError; readonly response: StoredResponse; readonly replayed: boolean };

export interface CommandExecutor {
  execute<Command, Event, State>(spec: CommandSpec<Command, Event, State>): Promise<Outcome>;
  /** A stream's stored events and the state they fold to, read through the aggregate's codec and upcasters. */
  read<Command, Event, State>(aggregate: Aggregate<Command, Event, State>, tenantId: string, streamId: string): Promise<{ state: State; events: RecordedEvent[] }>;
}

export interface CommandExecutorDeps {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly registry: ContractRegistry;
  /** Attempts in all when a stream moved between load and append (should not happen under the stream lock). */
  readonly maxAttempts?: number;
}

export function refusalResponse(error: DomainError): StoredResponse {
  const statusCode = httpStatusOf(error.kind);
  return { statusCode, body: { statusCode, code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) } };
}

/**
 * load → decide → append, all on the command's one transaction: the stream is locked first (concurrent
 * commands on it queue rather than conflict), read on the same connection (it sees the transaction's own earlier
 * appends), decided, appended with the expected version, and the outbox rows and the idempotent answer are
 * written before the commit. A business refusal is recorded against the key and writes nothing else.
 */
export function createCommandExecutor(deps: CommandExecutorDeps): CommandExecutor {
  const reader = (store: TransactionalStreamStore): StreamReader => ({
    async load(aggregate, tenantId, streamId) {
      return foldStream(aggregate, await store.readStream({ tenantId, streamId }));
    },
  });

  async function attempt<Command, Event, State>(tx: PoolClient, spec: CommandSpec<Command, Event, State>): Promise<Outcome> {
    const { idempotency, aggregate } = spec;
    if (idempotency) {
      const stored = await claimKey(tx, spec.tenantId, idempotency);
      if (stored) return stored.outcome === 'done' ? { kind: 'done', response: stored.response, replayed: true } : { kind: 'refused', error: stored.error, response: stored.response, replayed: true };
    }
    const store = deps.store.inTransaction(tx);
    const stream = { tenantId: spec.tenantId, streamId: spec.streamId };
    // Commands on one stream queue on its lock, but never without end: past this wait the command fails (503).
    await tx.query(`SET LOCAL lock_timeout = '${STREAM_LOCK_WAIT_MS}ms'`);
    await store.lock(stream);
    const handle = createCommandHandler<Command, Event, State>({
      decider: aggregate.decider,
      store,
      ...(aggregate.codec ? { codec: aggregate.codec } : {}),
      ...(aggregate.upcasters ? { upcasters: aggregate.upcasters } : {}),
      maxAttempts: deps.maxAttempts ?? 3,
    });
    const command: Command | CommandResolver<Command, State> =
      typeof spec.command === 'function' ? (state: State) => (spec.command as (state: State, read: StreamReader) => Command | Promise<Command>)(state, reader(store)) : spec.command;
    let result: CommandResult<State, Event>;
    try {
      result = await handle(stream, command, { commandId: spec.commandId, metadata: spec.metadata });
    } catch (thrown) {
      // The money maths refuses impossible inputs with its own typed error: still a business refusal, not a 500.
      const error = thrown instanceof FinanceError ? ruleError(thrown.code, thrown.message, thrown.field) : thrown;
      if (!(error instanceof DomainError)) throw error;
      const response = refusalResponse(error);
      if (idempotency) await saveKey(tx, spec.tenantId, idempotency, error.kind, response);
      return { kind: 'refused', error, response, replayed: false };
    }
    const decided: Decided<Event, State> = {
      before: result.before,
      after: result.state,
      events: result.decided,
      recorded: result.events,
      streamVersion: result.streamVersion,
      duplicate: result.duplicate,
    };
    if (!result.duplicate && spec.toMessages) await enqueue(tx, spec.toMessages(decided), deps.registry);
    const response = spec.respond(decided);
    if (idempotency) await saveKey(tx, spec.tenantId, idempotency, 'done', response);
    return { kind: 'done', response, replayed: false };
  }

  return {
    async execute(spec) {
      if (spec.tx) return attempt(spec.tx, spec);
      const outcome = await withTransaction(deps.pool, (tx) => attempt(tx, spec), { tenantId: spec.tenantId });
      // After the commit and without waiting: the answer never depends on a free connection for a wake-up hint
      // (the relay polls anyway). Waiting here once left a committed payment without its answer.
      if (outcome.kind === 'done' && !outcome.replayed) void notifyOutbox(deps.pool);
      return outcome;
    },
    async read(aggregate, tenantId, streamId) {
      const events = await deps.store.readStream({ tenantId, streamId });
      return { state: foldStream(aggregate, events), events };
    },
  };
}
