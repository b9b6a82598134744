import { Body, Controller, Get, Headers, HttpCode, Inject, Param, Post, Query, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { Access, AuthGuard, CurrentPrincipal, RequestContextInterceptor } from '@tremplin/auth';
import { deterministicEventId, type RecordedEvent } from '@tremplin/event-sourcing';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import { ApiError, ZodBodyPipe } from '@tremplin/service-kit';
import type { Principal } from '@tremplin/tenancy';
import type { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../shared/clock';
import { answer, commandRequest, IDEMPOTENCY_HEADER, openApiBody, parseAsOf } from '../shared/http';
import { EVENT_STORE, LOAN_HANDLER, READ_MODEL } from '../shared/tokens';
import { evolveLoan, initialLoanState } from './loan.decider';
import type { LoanEvent } from './loan.events';
import { loanStreamId } from './loan.events';
import { loanIdOf, type LoanCommandInput, type LoanHandler } from './loan.handler';
import { figuresOf, historyView, loanView, scheduleView } from './loan.views';
import { LoanSummaryEntity } from './loan-summary.entity';
import {
  agreementNoticeBody,
  approveBody,
  contactBody,
  declineBody,
  emptyBody,
  missedInstalmentBody,
  offerBody,
  paymentBody,
  receiveApplicationBody,
  recoveryBody,
  refuseBody,
  reschedulingBody,
  signBody,
  writeOffBody,
} from './loan.requests';
import type { LoanState } from './loan.state';

const idempotencyHeader = ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key + same body → the same response; another body → 422; while the first is running → 409.' });

/** HTTP → command. No business rule here: the decider refuses, this maps its typed errors to statuses. */
@ApiTags('loans')
@ApiBearerAuth()
@UseGuards(AuthGuard)
@UseInterceptors(RequestContextInterceptor)
@Controller('tenants/:tenantId/loans')
export class LoanController {
  constructor(
    @Inject(LOAN_HANDLER) private readonly handler: LoanHandler,
    @Inject(EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private run(res: Response, tenantId: string, loanId: string, route: string, body: unknown, principal: Principal | undefined, key: string | undefined, toInput: (commandId: string) => LoanCommandInput) {
    const request = commandRequest(tenantId, `${route}:${loanId}`, body, principal, key);
    return answer(res, () => this.handler.handle(tenantId, loanId, toInput(request.commandId), request));
  }

  @Post('applications')
  @HttpCode(201)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Receive an application the bank got outside the platform (the loan id is derived from the application id)' })
  @ApiBody(openApiBody(receiveApplicationBody))
  @idempotencyHeader
  receive(
    @Param('tenantId') tenantId: string,
    @Body(new ZodBodyPipe(receiveApplicationBody)) body: z.infer<typeof receiveApplicationBody>,
    @CurrentPrincipal() principal: Principal,
    @Headers(IDEMPOTENCY_HEADER) key: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    const loanId = loanIdOf(tenantId, body.applicationId);
    return this.run(res, tenantId, loanId, 'receive', body, principal, key, () => ({ type: 'ReceiveApplication', loanId, ...body, bankPartnerId: principal.organisationId, channel: 'bank' }));
  }

  @Post(':loanId/approve')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'The bank approves: amount, term, nominal rate, fees (an indicative TAEG is computed)' })
  @ApiBody(openApiBody(approveBody))
  @idempotencyHeader
  approve(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(approveBody)) body: z.infer<typeof approveBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'approve', body, principal, key, () => ({ type: 'ApproveLoan', ...body }));
  }

  @Post(':loanId/refuse')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'The bank refuses, with a reason code fed back to the CCAS' })
  @ApiBody(openApiBody(refuseBody))
  @idempotencyHeader
  refuse(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(refuseBody)) body: z.infer<typeof refuseBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'refuse', body, principal, key, () => ({ type: 'RefuseLoan', ...body }));
  }

  @Post(':loanId/offer')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Issue the offer: schedule, TAEG, checked against the product version and the usury cap in force today' })
  @ApiBody(openApiBody(offerBody))
  @idempotencyHeader
  async offer(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(offerBody)) body: z.infer<typeof offerBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    const request = commandRequest(tenantId, `offer:${loanId}`, body, principal, key);
    return answer(res, () => this.handler.issueOffer(tenantId, loanId, { type: 'IssueOffer', ...body }, request));
  }

  @Post(':loanId/sign')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Record the signature of the offer, optionally in the social worker’s presence' })
  @ApiBody(openApiBody(signBody))
  @idempotencyHeader
  sign(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(signBody)) body: z.infer<typeof signBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'sign', body, principal, key, () => ({ type: 'SignOffer', ...body }));
  }

  @Post(':loanId/agreement-notices')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Issue an agreement notice to a seller (before disbursement)' })
  @ApiBody(openApiBody(agreementNoticeBody))
  @idempotencyHeader
  notice(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(agreementNoticeBody)) body: z.infer<typeof agreementNoticeBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'notice', body, principal, key, (commandId) => ({ type: 'IssueAgreementNotice', noticeId: deterministicEventId(commandId, 1_000), ...body }));
  }

  @Post(':loanId/disburse')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Disburse the funds of a signed offer; the schedule starts' })
  @ApiBody(openApiBody(emptyBody))
  @idempotencyHeader
  disburse(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(emptyBody)) body: z.infer<typeof emptyBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'disburse', body, principal, key, () => ({ type: 'DisburseFunds' }));
  }

  @Post(':loanId/payments')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Record a payment (full or partial): oldest instalment first, interest then principal' })
  @ApiBody(openApiBody(paymentBody))
  @idempotencyHeader
  pay(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(paymentBody)) body: z.infer<typeof paymentBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'payment', body, principal, key, () => ({ type: 'RecordPayment', ...body }));
  }

  @Post(':loanId/missed-instalments')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Record a missed instalment; the second unpaid one raises a Banque de France incident warning' })
  @ApiBody(openApiBody(missedInstalmentBody))
  @idempotencyHeader
  missed(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(missedInstalmentBody)) body: z.infer<typeof missedInstalmentBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'missed', body, principal, key, () => ({ type: 'RecordMissedInstalment', ...body }));
  }

  @Post(':loanId/contacts')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Record that the bank contacted the borrower' })
  @ApiBody(openApiBody(contactBody))
  @idempotencyHeader
  contact(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(contactBody)) body: z.infer<typeof contactBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'contact', body, principal, key, () => ({ type: 'RecordBorrowerContact', ...body }));
  }

  @Post(':loanId/incident-declarations')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Declare the incident to the Banque de France (not before the warning’s declarableFrom date)' })
  @ApiBody(openApiBody(emptyBody))
  @idempotencyHeader
  declare(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(emptyBody)) body: z.infer<typeof emptyBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'declare', body, principal, key, () => ({ type: 'DeclareIncident' }));
  }

  @Post(':loanId/rescheduling-requests')
  @HttpCode(200)
  @Access('loan.request-rescheduling')
  @ApiOperation({ summary: 'Ask for a payment holiday, a term extension or an instalment revision (first pair of eyes)' })
  @ApiBody(openApiBody(reschedulingBody))
  @idempotencyHeader
  requestRescheduling(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(reschedulingBody)) body: z.infer<typeof reschedulingBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'reschedule', body, principal, key, (commandId) => ({ type: 'RequestRescheduling', requestId: deterministicEventId(commandId, 1_000), request: body }));
  }

  @Post(':loanId/rescheduling-requests/:requestId/approve')
  @HttpCode(200)
  @Access('loan.approve-rescheduling')
  @ApiOperation({ summary: 'Approve a rescheduling request (second pair of eyes: never its requester)' })
  @ApiBody(openApiBody(emptyBody))
  @idempotencyHeader
  approveRescheduling(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Param('requestId') requestId: string, @Body(new ZodBodyPipe(emptyBody)) body: z.infer<typeof emptyBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, `approve-rescheduling:${requestId}`, body, principal, key, () => ({ type: 'ApproveRescheduling', requestId }));
  }

  @Post(':loanId/rescheduling-requests/:requestId/decline')
  @HttpCode(200)
  @Access('loan.approve-rescheduling')
  @ApiOperation({ summary: 'Decline a rescheduling request' })
  @ApiBody(openApiBody(declineBody))
  @idempotencyHeader
  declineRescheduling(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Param('requestId') requestId: string, @Body(new ZodBodyPipe(declineBody)) body: z.infer<typeof declineBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, `decline-rescheduling:${requestId}`, body, principal, key, () => ({ type: 'DeclineRescheduling', requestId, ...body }));
  }

  @Post(':loanId/default')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Declare the loan in default (déchéance du terme): the outstanding principal is fixed' })
  @ApiBody(openApiBody(emptyBody))
  @idempotencyHeader
  declareDefault(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(emptyBody)) body: z.infer<typeof emptyBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'default', body, principal, key, () => ({ type: 'DeclareDefault' }));
  }

  @Post(':loanId/recoveries')
  @HttpCode(200)
  @Access('loan.bank-operate')
  @ApiOperation({ summary: 'Record money recovered on a defaulted loan' })
  @ApiBody(openApiBody(recoveryBody))
  @idempotencyHeader
  recovery(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(recoveryBody)) body: z.infer<typeof recoveryBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'recovery', body, principal, key, () => ({ type: 'RecordRecovery', ...body }));
  }

  @Post(':loanId/write-off-requests')
  @HttpCode(200)
  @Access('loan.request-rescheduling')
  @ApiOperation({ summary: 'Ask for a defaulted loan to be written off (first pair of eyes)' })
  @ApiBody(openApiBody(writeOffBody))
  @idempotencyHeader
  requestWriteOff(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Body(new ZodBodyPipe(writeOffBody)) body: z.infer<typeof writeOffBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, 'write-off', body, principal, key, (commandId) => ({ type: 'RequestWriteOff', requestId: deterministicEventId(commandId, 1_000), ...body }));
  }

  @Post(':loanId/write-off-requests/:requestId/approve')
  @HttpCode(200)
  @Access('loan.approve-rescheduling')
  @ApiOperation({ summary: 'Approve a write-off (second pair of eyes: never its requester)' })
  @ApiBody(openApiBody(emptyBody))
  @idempotencyHeader
  approveWriteOff(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Param('requestId') requestId: string, @Body(new ZodBodyPipe(emptyBody)) body: z.infer<typeof emptyBody>, @CurrentPrincipal() principal: Principal, @Headers(IDEMPOTENCY_HEADER) key: string | undefined, @Res({ passthrough: true }) res: Response) {
    return this.run(res, tenantId, loanId, `approve-write-off:${requestId}`, body, principal, key, () => ({ type: 'ApproveWriteOff', requestId }));
  }

  @Get()
  @Access('loan.read')
  @ApiOperation({ summary: 'The tenant’s loans (read model): status, outstanding principal, arrears and days past due today' })
  async list(@Param('tenantId') tenantId: string, @Query('status') status?: string) {
    const today = this.clock().toISOString().slice(0, 10);
    const rows = await this.readModel.transaction(async (manager) => {
      await manager.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
      return manager.find(LoanSummaryEntity, { where: status ? { status } : {}, order: { lastEventAt: 'DESC', loanId: 'ASC' } });
    });
    return {
      figuresOn: today,
      loans: rows.map(({ state, tenantId: _tenant, lastEventAt, ...row }) => {
        const figures = figuresOf(state, today);
        return { ...row, lastEventAt: lastEventAt.toISOString(), arrearsCents: figures.arrearsCents, unpaidInstalments: figures.unpaidInstalments, daysPastDue: figures.daysPastDue };
      }),
    };
  }

  @Get(':loanId')
  @Access('loan.read')
  @ApiOperation({ summary: 'A loan’s state now, as it stood at ?asOf= (date or instant), or as recorded by ?knownAt=' })
  async state(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Query('asOf') asOf?: string, @Query('knownAt') knownAt?: string) {
    const { events, state, day, instant } = await this.load(tenantId, loanId, asOf, knownAt);
    return loanView(loanId, state, events[events.length - 1].streamVersion, day, instant);
  }

  @Get(':loanId/schedule')
  @Access('loan.read')
  @ApiOperation({ summary: 'The schedule with what was paid on each line (?asOf= and ?knownAt= supported)' })
  async schedule(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Query('asOf') asOf?: string, @Query('knownAt') knownAt?: string) {
    const { state, day } = await this.load(tenantId, loanId, asOf, knownAt);
    return scheduleView(loanId, state, day);
  }

  @Get(':loanId/history')
  @Access('loan.read')
  @ApiOperation({ summary: 'Every event of the loan with its actor and time (?asOf= and ?knownAt= supported)' })
  async history(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string, @Query('asOf') asOf?: string, @Query('knownAt') knownAt?: string) {
    const { events } = await this.load(tenantId, loanId, asOf, knownAt);
    return historyView(loanId, events);
  }

  /**
   * asOf: the loan as it stood at that instant by the service's clock (events whose occurredAt is not later).
   * knownAt: what the platform had recorded by then (the event store's recordedAt) — the auditor's view.
   */
  private async load(tenantId: string, loanId: string, asOf: string | undefined, knownAt: string | undefined): Promise<{ events: RecordedEvent[]; state: LoanState; day: string; instant?: string }> {
    const when = parseAsOf(asOf, 'asOf');
    const known = parseAsOf(knownAt, 'knownAt');
    const stored = await this.store.readStream({ tenantId, streamId: loanStreamId(loanId) }, known.instant ? { asOf: known.instant } : {});
    const cut = when.instant ? stored.findIndex((event) => event.metadata.occurredAt > when.instant!) : -1;
    const events = cut < 0 ? stored : stored.slice(0, cut);
    if (events.length === 0) throw new ApiError(404, 'LOAN_NOT_FOUND', when.instant || known.instant ? 'no such loan at that time' : 'no such loan');
    const state = events.reduce((current, event) => evolveLoan(current, event as unknown as LoanEvent), initialLoanState());
    const day = when.day ?? this.clock().toISOString().slice(0, 10);
    return { events, state, day, ...(when.instant ? { instant: when.instant } : {}) };
  }
}
