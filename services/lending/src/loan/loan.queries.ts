import { Inject } from '@nestjs/common';
import type { RecordedEvent } from '@tremplin/event-sourcing';
import { foldStream } from '@tremplin/event-sourcing';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import { ApiController, ApiError, CLOCK, EVENT_STORE, inTenant, instantOf, QueryRoute, READ_MODEL, timeTravelQuery, ValidQuery, type Clock, type TimeTravelQuery } from '@tremplin/service-kit';
import { Param } from '@nestjs/common';
import { CurrentPrincipal } from '@tremplin/auth';
import type { Principal } from '@tremplin/tenancy';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { inBankScope, loanAggregate } from './loan.decider';
import { bankScopeOf } from './loan.handler';
import { loanStreamId } from './loan.events';
import { figuresOf, historyView, loanView, scheduleView } from './loan.views';
import { LoanSummaryEntity } from './loan-summary.entity';
import type { LoanState } from './loan.state';

const LOAN_STATUSES = ['applicationReceived', 'refused', 'approved', 'offered', 'signed', 'repaying', 'repaid', 'defaulted', 'writtenOff'] as const satisfies readonly LoanState['status'][];
const listQuery = z.strictObject({
  status: z.enum(LOAN_STATUSES).optional(),
  // `<loanId>@<streamVersion>` from a command's answer: the list waits (up to WAIT_MS) until it reflects that write.
  waitFor: z.string().regex(/^[A-Za-z0-9-]{1,100}@[0-9]{1,9}$/, 'loanId@streamVersion, from a command’s answer').optional(),
});
const WAIT_MS = 3_000;
const POLL_MS = 50;

/** Reads: the loan list from its read model, one loan's state, schedule and history from its events. */
@ApiController('tenants/:tenantId/loans', 'loans')
export class LoanQueries {
  constructor(
    @Inject(EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @QueryRoute({ access: 'loan.read', summary: 'The tenant’s loans (read model, a moment behind the commands; ?waitFor=<loanId>@<streamVersion> waits for a write): status, outstanding principal, arrears and days past due today', query: listQuery })
  async list(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof listQuery>, @CurrentPrincipal() principal: Principal | undefined) {
    const today = this.clock().toISOString().slice(0, 10);
    const bank = bankScopeOf(principal);
    // The list is a read model updated a moment after each command: a caller may wait for its own write.
    const caughtUp = query.waitFor ? await this.waitFor(tenantId, query.waitFor) : undefined;
    const rows = await inTenant(this.readModel, tenantId, (manager) =>
      manager.find(LoanSummaryEntity, {
        where: { ...(query.status ? { status: query.status } : {}), ...(bank ? { bankPartnerId: bank } : {}) },
        order: { lastEventAt: 'DESC', loanId: 'ASC' },
      }),
    );
    return {
      figuresOn: today,
      ...(caughtUp === undefined ? {} : { caughtUp }),
      loans: rows.map(({ state, tenantId: _tenant, lastEventAt, ...row }) => {
        const figures = figuresOf(state, today);
        return { ...row, lastEventAt: lastEventAt.toISOString(), arrearsCents: figures.arrearsCents, unpaidInstalments: figures.unpaidInstalments, daysPastDue: figures.daysPastDue };
      }),
    };
  }

  @QueryRoute({ path: ':loanId', access: 'loan.read', summary: 'A loan’s state now, as it stood at ?asOf= (date or instant), or as recorded by ?knownAt=', query: timeTravelQuery })
  async state(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @ValidQuery() query: TimeTravelQuery, @CurrentPrincipal() principal: Principal | undefined) {
    const { events, state, day, instant } = await this.load(tenantId, loanId, query, bankScopeOf(principal));
    return loanView(loanId, state, events[events.length - 1].streamVersion, day, instant);
  }

  @QueryRoute({ path: ':loanId/schedule', access: 'loan.read', summary: 'The schedule with what was paid on each line (?asOf= and ?knownAt= supported)', query: timeTravelQuery })
  async schedule(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @ValidQuery() query: TimeTravelQuery, @CurrentPrincipal() principal: Principal | undefined) {
    const { state, day } = await this.load(tenantId, loanId, query, bankScopeOf(principal));
    return scheduleView(loanId, state, day);
  }

  @QueryRoute({ path: ':loanId/history', access: 'loan.read', summary: 'Every event of the loan with its actor and time (?asOf= and ?knownAt= supported)', query: timeTravelQuery })
  async history(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @ValidQuery() query: TimeTravelQuery, @CurrentPrincipal() principal: Principal | undefined) {
    const { events } = await this.load(tenantId, loanId, query, bankScopeOf(principal));
    return historyView(loanId, events);
  }

  /** Whether the loan's row reached the stream version within WAIT_MS (false also for a loan that does not exist). */
  private async waitFor(tenantId: string, target: string): Promise<boolean> {
    const [loanId, version] = target.split('@');
    const deadline = Date.now() + WAIT_MS;
    for (;;) {
      const row = await inTenant(this.readModel, tenantId, (manager) => manager.findOne(LoanSummaryEntity, { where: { loanId }, select: { loanId: true, streamVersion: true } }));
      if (row && row.streamVersion >= Number(version)) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /**
   * asOf: the loan as it stood at that instant by the service's clock (events whose occurredAt is not later).
   * knownAt: what the platform had recorded by then (the event store's recordedAt) — the auditor's view.
   */
  private async load(tenantId: string, loanId: string, query: TimeTravelQuery, bank: string | undefined): Promise<{ events: RecordedEvent[]; state: LoanState; day: string; instant?: string }> {
    const now = this.clock();
    const when = instantOf(query.asOf, 'asOf', now);
    const known = instantOf(query.knownAt, 'knownAt', now);
    const stored = await this.store.readStream({ tenantId, streamId: loanStreamId(loanId) }, known.instant ? { asOf: known.instant } : {});
    const cut = when.instant ? stored.findIndex((event) => event.metadata.occurredAt > when.instant!) : -1;
    const events = cut < 0 ? stored : stored.slice(0, cut);
    if (events.length === 0) throw new ApiError(404, 'LOAN_NOT_FOUND', when.instant || known.instant ? 'no such loan at that time' : 'no such loan');
    const state = foldStream(loanAggregate, events);
    // Another bank's loan answers as a loan that does not exist, whatever the time asked about.
    if (!inBankScope(state, bank)) throw new ApiError(404, 'LOAN_NOT_FOUND', 'no such loan');
    const day = when.day ?? now.toISOString().slice(0, 10);
    return { events, state, day, ...(when.instant ? { instant: when.instant } : {}) };
  }
}
