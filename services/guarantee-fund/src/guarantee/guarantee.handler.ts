import { claimKey, refusalResponse, saveKey, STREAM_LOCK_WAIT_MS, type CommandExecutor, type Idempotency, type Outcome } from '@tremplin/commands';
import { deterministicEventId, DomainError, foldStream, type Actor } from '@tremplin/event-sourcing';
import type { PostgresEventStore, TransactionalStreamStore } from '@tremplin/event-store-postgres';
import { notifyOutbox } from '@tremplin/messaging';
import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import { recordedEvents, type Clock } from '@tremplin/service-kit';
import { metadataFromContext } from '@tremplin/tenancy';
import type { ProductCode } from '../product-coverage/coverage.commands';
import { coverageAggregate, coverageAt, type CoverageVersion } from '../product-coverage/coverage.decider';
import { coverageStreamId } from '../product-coverage/coverage.events';
import { envelopeAggregate, headroomOf } from '../envelope/envelope.decider';
import { envelopeStreamId } from '../envelope/envelope.events';
import type { EnvelopeHeadroom, GuaranteeCommand } from './guarantee.commands';
import { guaranteeAggregate, guaranteeDecider, type GuaranteeState } from './guarantee.decider';
import { guaranteeStreamId } from './guarantee.events';
import { guaranteeMessages } from './guarantee.outbound';
import { envelopeMovementsOf, hasEnvelope } from './guarantee.rules';

export const GUARANTEE_HANDLER = Symbol('GUARANTEE_HANDLER');
export type GuaranteeHandler = ReturnType<typeof createGuaranteeHandler>;

/** Who and how: an HTTP command's input, or an inbox message's transaction and id. */
export interface GuaranteeOptions {
  readonly commandId: string;
  readonly actor: Actor;
  readonly idempotency?: Idempotency;
  readonly tx?: PoolClient;
  readonly causationId?: string;
}

type Issued = 'now' | 'actor' | 'coverage' | 'envelope';
export type GuaranteeInput = GuaranteeCommand extends infer C ? (C extends GuaranteeCommand ? Omit<C, Issued> : never) : never;

export interface GuaranteeHandlerDeps {
  readonly executor: CommandExecutor;
  readonly store: PostgresEventStore;
  readonly pool: Pool;
  readonly clock: Clock;
}

/**
 * A guarantee command and the envelope movement it causes commit together, or neither does. Locks are always
 * taken in one order, the loan's guarantee first and then its guarantor's envelope, so two commands can queue but
 * never deadlock; the envelope's lock makes the headroom a request is decided on the headroom it reserves from.
 */
export function createGuaranteeHandler(deps: GuaranteeHandlerDeps) {
  async function decideInTransaction(tx: PoolClient, tenantId: string, loanId: string, input: GuaranteeInput, options: GuaranteeOptions, now: string): Promise<Outcome> {
    if (options.idempotency) {
      const stored = await claimKey(tx, tenantId, options.idempotency);
      if (stored) return stored.outcome === 'done' ? { kind: 'done', response: stored.response, replayed: true } : { kind: 'refused', error: stored.error, response: stored.response, replayed: true };
    }
    const store = deps.store.inTransaction(tx);
    const stream = { tenantId, streamId: guaranteeStreamId(loanId) };
    await tx.query(`SET LOCAL lock_timeout = '${STREAM_LOCK_WAIT_MS}ms'`);
    await store.lock(stream);
    const recorded = await store.readStream(stream);
    const state = foldStream(guaranteeAggregate, recorded);
    // A message delivered again or a command retried with its id: the executor answers it from the stream.
    const duplicate = recorded.some((event) => event.metadata.commandId === options.commandId);
    let command: GuaranteeCommand;
    try {
      command = await complete(store, tenantId, state, input, options.actor, now);
      const events = duplicate ? [] : guaranteeDecider.decide(command, state);
      for (const [index, movement] of envelopeMovementsOf(loanId, state, events).entries()) {
        const moved = await deps.executor.execute({
          aggregate: envelopeAggregate,
          tenantId,
          streamId: envelopeStreamId(movement.guarantorId),
          command: movement.command,
          commandId: deterministicEventId(`${options.commandId}\u001fenvelope`, index),
          metadata: metadataFromContext(now, options.causationId ? { causationId: options.causationId } : {}),
          respond: () => ({ statusCode: 200, body: {} }),
          tx,
        });
        // Decided under both locks, an envelope refuses only what would take its headroom below zero (a claim above
        // what the loan still reserved, with the envelope full): the guarantee then records nothing either.
        if (moved.kind === 'refused') {
          if (index === 0) throw moved.error;
          throw new Error(`envelope ${movement.guarantorId} refused ${movement.command.type} (${moved.error.code}) after an earlier movement of guarantee ${loanId}`);
        }
      }
    } catch (thrown) {
      if (!(thrown instanceof DomainError)) throw thrown;
      const response = refusalResponse(thrown);
      if (options.idempotency) await saveKey(tx, tenantId, options.idempotency, thrown.kind, response);
      return { kind: 'refused', error: thrown, response, replayed: false };
    }
    const outcome = await deps.executor.execute({
      aggregate: guaranteeAggregate,
      tenantId,
      streamId: stream.streamId,
      command,
      commandId: options.commandId,
      metadata: metadataFromContext(now, options.causationId ? { causationId: options.causationId } : {}),
      toMessages: (decided) => guaranteeMessages(tenantId, decided.before, decided.recorded),
      respond: (decided) => ({ statusCode: input.type === 'RequestGuarantee' ? 201 : 200, body: { loanId, ...summaryOf(decided.after), streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) } }),
      tx,
    });
    if (options.idempotency) await saveKey(tx, tenantId, options.idempotency, outcome.kind === 'done' ? 'done' : outcome.error.kind, outcome.response);
    return outcome;
  }

  return {
    handle(tenantId: string, loanId: string, input: GuaranteeInput, options: GuaranteeOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      if (options.tx) return decideInTransaction(options.tx, tenantId, loanId, input, options, now);
      return withTransaction(deps.pool, (tx) => decideInTransaction(tx, tenantId, loanId, input, options, now), { tenantId }).then((outcome) => {
        if (outcome.kind === 'done' && !outcome.replayed) void notifyOutbox(deps.pool);
        return outcome;
      });
    },
    read(tenantId: string, loanId: string) {
      return deps.executor.read(guaranteeAggregate, tenantId, guaranteeStreamId(loanId));
    },
  };
}

/** Completes a command with what it is decided on: the coverage in force and, under its lock, the envelope. */
async function complete(store: TransactionalStreamStore, tenantId: string, state: GuaranteeState, input: GuaranteeInput, actor: Actor, now: string): Promise<GuaranteeCommand> {
  if (input.type !== 'RequestGuarantee' && input.type !== 'ReconsiderGuarantee') return { ...input, now, actor } as GuaranteeCommand;
  const product: ProductCode | undefined = input.type === 'RequestGuarantee' ? input.product : 'request' in state ? state.request.product : undefined;
  const coverage = product ? coverageAt(foldStream(coverageAggregate, await store.readStream({ tenantId, streamId: coverageStreamId(product) })), now.slice(0, 10)) : undefined;
  const envelope = await envelopeOf(store, tenantId, coverage);
  return { ...input, coverage, envelope, now, actor } as GuaranteeCommand;
}

async function envelopeOf(store: TransactionalStreamStore, tenantId: string, coverage: CoverageVersion | undefined): Promise<EnvelopeHeadroom> {
  if (!coverage?.covered || !hasEnvelope(coverage.guarantorKind)) return { limited: false };
  const stream = { tenantId, streamId: envelopeStreamId(coverage.guarantorId) };
  await store.lock(stream);
  return { limited: true, headroomCents: headroomOf(foldStream(envelopeAggregate, await store.readStream(stream))) };
}

export function summaryOf(state: GuaranteeState) {
  return {
    status: state.status,
    ...('grant' in state ? { guarantorId: state.grant.guarantorId, guaranteedCents: state.grant.guaranteedCents } : {}),
    ...(state.status === 'refused' ? { reasonCode: state.refusal.reasonCode } : {}),
    ...('exposureCents' in state ? { exposureCents: state.exposureCents } : {}),
    ...('claim' in state ? { claimCents: state.claim.claimCents } : {}),
  };
}
