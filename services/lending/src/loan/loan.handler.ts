import type { ContractRegistry } from '@tremplin/contracts';
import { deterministicEventId } from '@tremplin/event-sourcing';
import type { UsuryCapTable } from '@tremplin/finance';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import type { Pool, PoolClient } from '@tremplin/pg';
import { metadataFromContext } from '@tremplin/tenancy';
import { productStreamId } from '../product/product.events';
import { productVersionAt } from '../product/product.terms';
import { loadProductState } from '../product/product.handler';
import type { Actor } from '../shared/actor';
import type { Clock } from '../shared/clock';
import { executeCommand, type Idempotency, type Outcome } from '../shared/command-execution';
import type { LoanCommand } from './loan.commands';
import { loanDecider } from './loan.decider';
import { loanStreamId, type LoanEvent } from './loan.events';
import { loanMessages } from './loan.outbound';
import type { LoanState } from './loan.state';

export interface LoanHandlerDeps {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly registry: ContractRegistry;
  readonly usuryTables: readonly UsuryCapTable[];
  readonly clock: Clock;
}

export interface CommandOptions {
  readonly commandId: string;
  readonly actor: Actor;
  readonly idempotency?: Idempotency;
  readonly tx?: PoolClient;
  readonly causationId?: string;
}

type Issued = 'now' | 'actor';
export type LoanCommandInput = LoanCommand extends infer C ? (C extends LoanCommand ? Omit<C, Issued> : never) : never;
export type OfferInput = Omit<Extract<LoanCommandInput, { type: 'IssueOffer' }>, 'productVersion' | 'usuryTables'>;

export type LoanHandler = ReturnType<typeof createLoanHandler>;

/** One application, one loan: the same file received from Kafka and from the bank's route is the same stream. */
export function loanIdOf(tenantId: string, applicationId: string): string {
  return deterministicEventId(`loan\u001f${tenantId}\u001f${applicationId}`, 0);
}

/** Thin: stamps time and actor, resolves what the decider needs from other streams, then load → decide → append. */
export function createLoanHandler(deps: LoanHandlerDeps) {
  const execute = (tenantId: string, loanId: string, command: LoanCommand, options: CommandOptions): Promise<Outcome> =>
    executeCommand<LoanCommand, LoanEvent, LoanState>({
      pool: deps.pool,
      store: deps.store,
      registry: deps.registry,
      decider: loanDecider,
      tenantId,
      streamId: loanStreamId(loanId),
      command,
      commandId: options.commandId,
      metadata: metadataFromContext(command.now, options.causationId ? { causationId: options.causationId } : {}),
      toMessages: (decided) => (decided.duplicate ? [] : loanMessages(tenantId, decided.before, decided.recorded)),
      respond: (decided) => ({
        statusCode: command.type === 'ReceiveApplication' ? 201 : 200,
        body: {
          loanId,
          status: decided.after.status,
          streamVersion: decided.streamVersion,
          ...('requestId' in command ? { requestId: command.requestId } : {}),
          ...('noticeId' in command ? { noticeId: command.noticeId } : {}),
          events: decided.recorded.map((event) => ({ eventId: event.eventId, type: event.type, streamVersion: event.streamVersion })),
        },
      }),
      ...(options.idempotency ? { idempotency: options.idempotency } : {}),
      ...(options.tx ? { tx: options.tx } : {}),
    });

  return {
    async handle(tenantId: string, loanId: string, input: LoanCommandInput, options: CommandOptions): Promise<Outcome> {
      const command = { ...input, now: deps.clock().toISOString(), actor: options.actor } as LoanCommand;
      return execute(tenantId, loanId, command, options);
    },

    /** The offer applies the product version in force now in the CCAS's catalogue, and the configured usury caps. */
    async issueOffer(tenantId: string, loanId: string, input: OfferInput, options: CommandOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const loan = await deps.store.readStream({ tenantId, streamId: loanStreamId(loanId) });
      const received = loan.find((event) => event.type === 'LoanApplicationReceived')?.data as { product?: string } | undefined;
      const product = (received?.product ?? 'classic') as Parameters<typeof productStreamId>[0];
      const catalogue = await loadProductState(deps.store, tenantId, product);
      const productVersion = productVersionAt(product, catalogue.status === 'configured' ? catalogue.versions : [], now);
      const command: LoanCommand = { ...input, productVersion, usuryTables: deps.usuryTables, now, actor: options.actor };
      return execute(tenantId, loanId, command, options);
    },
  };
}
