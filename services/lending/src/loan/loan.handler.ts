import type { CommandExecutor, Idempotency, Outcome, StreamReader } from '@tremplin/commands';
import { deterministicEventId, type Actor } from '@tremplin/event-sourcing';
import type { UsuryCapTable } from '@tremplin/finance';
import type { PoolClient } from '@tremplin/pg';
import { recordedEvents, type Clock } from '@tremplin/service-kit';
import { metadataFromContext, type Principal } from '@tremplin/tenancy';
import { productAggregate } from '../product/product.decider';
import { productStreamId } from '../product/product.events';
import { productVersionAt } from '../product/product.terms';
import type { LoanCommand } from './loan.commands';
import { loanAggregate } from './loan.decider';
import { loanStreamId } from './loan.events';
import { loanMessages } from './loan.outbound';
import type { LoanState } from './loan.state';

export const LOAN_HANDLER = Symbol('LOAN_HANDLER');

export interface LoanHandlerDeps {
  readonly executor: CommandExecutor;
  readonly usuryTables: readonly UsuryCapTable[];
  readonly clock: Clock;
}

/** Who and how: an HTTP command's input, or an inbox message's transaction and id. */
export interface CommandOptions {
  readonly commandId: string;
  readonly actor: Actor;
  readonly idempotency?: Idempotency;
  readonly tx?: PoolClient;
  readonly causationId?: string;
  /** The caller, when a person: a bank's users act only on their bank's loans. */
  readonly principal?: Principal;
}

/** The bank a caller works for, when it is a bank's user (undefined for the CCAS, the platform, Kafka). */
export function bankScopeOf(principal: Principal | undefined): string | undefined {
  return principal?.organisationKind === 'bank' ? principal.organisationId : undefined;
}

type LoanResolver = (state: LoanState, read: StreamReader) => Promise<LoanCommand>;

type Issued = 'now' | 'actor' | 'bankScope' | 'productVersion' | 'usuryTables';
/** What a caller sends: time, actor and scope are stamped here; the product version and usury caps are read in the command's transaction. */
export type LoanCommandInput = LoanCommand extends infer C ? (C extends LoanCommand ? Omit<C, Issued> : never) : never;
export type OfferInput = Extract<LoanCommandInput, { type: 'IssueOffer' }>;

/** Commands checked against the product version in force now in the CCAS's catalogue. */
const NEEDS_PRODUCT = new Set<LoanCommand['type']>(['ReceiveApplication', 'ApproveLoan', 'AmendApproval', 'IssueOffer']);

export type LoanHandler = ReturnType<typeof createLoanHandler>;

/** One application, one loan: the same file received from Kafka and from the bank's route is the same stream. */
export function loanIdOf(tenantId: string, applicationId: string): string {
  return deterministicEventId(`loan\u001f${tenantId}\u001f${applicationId}`, 0);
}

/** Thin: stamps time and actor; the kit's executor loads, decides and appends in one transaction. */
export function createLoanHandler(deps: LoanHandlerDeps) {
  const run = (tenantId: string, loanId: string, now: string, command: LoanCommand | LoanResolver, options: CommandOptions, statusCode: number, ids: { requestId?: string; noticeId?: string }): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: loanAggregate,
      tenantId,
      streamId: loanStreamId(loanId),
      command,
      commandId: options.commandId,
      metadata: metadataFromContext(now, options.causationId ? { causationId: options.causationId } : {}),
      toMessages: (decided) => loanMessages(tenantId, decided.before, decided.recorded),
      respond: (decided) => ({
        statusCode,
        body: {
          loanId,
          status: decided.after.status,
          streamVersion: decided.streamVersion,
          ...ids,
          events: recordedEvents(decided.recorded),
        },
      }),
      ...(options.idempotency ? { idempotency: options.idempotency } : {}),
      ...(options.tx ? { tx: options.tx } : {}),
    });

  const handle = (tenantId: string, loanId: string, input: LoanCommandInput, options: CommandOptions): Promise<Outcome> => {
    const now = deps.clock().toISOString();
    const ids = { ...('requestId' in input ? { requestId: input.requestId } : {}), ...('noticeId' in input ? { noticeId: input.noticeId } : {}) };
    const scope = bankScopeOf(options.principal);
    const stamped = { ...input, now, actor: options.actor, ...(scope ? { bankScope: scope } : {}) };
    const statusCode = input.type === 'ReceiveApplication' ? 201 : 200;
    if (!NEEDS_PRODUCT.has(input.type)) return run(tenantId, loanId, now, stamped as LoanCommand, options, statusCode, ids);
    // The product version in force now in the CCAS's catalogue, read in the command's transaction.
    const resolve: LoanResolver = async (loan, read) => {
      // Without an application the decider refuses anything but a reception whatever the product.
      const product = input.type === 'ReceiveApplication' ? input.product : loan.status === 'none' ? 'classic' : loan.application.product;
      const catalogue = await read.load(productAggregate, tenantId, productStreamId(product));
      const productVersion = productVersionAt(product, catalogue.status === 'configured' ? catalogue.versions : [], now);
      return { ...stamped, productVersion, usuryTables: deps.usuryTables } as LoanCommand;
    };
    return run(tenantId, loanId, now, resolve, options, statusCode, ids);
  };

  return {
    handle,
    issueOffer: (tenantId: string, loanId: string, input: OfferInput, options: CommandOptions): Promise<Outcome> => handle(tenantId, loanId, input, options),
  };
}
