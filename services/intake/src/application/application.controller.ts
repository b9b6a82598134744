import { Inject, Param } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { notFoundError } from '@tremplin/event-sourcing';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import type { PrivacyVault } from '@tremplin/privacy';
import { ApiController, Command, CommandRoute, EVENT_STORE, inTenant, PRIVACY_VAULT, QueryRoute, READ_MODEL, ValidQuery, type CommandInput } from '@tremplin/service-kit';
import { currentContext } from '@tremplin/tenancy';
import { readRecords } from '../records';
import { appointmentBody, budgetBody, decisionBody, emptyBody, historyQuery, listQuery, needsBody, openBody, pathId, transmitBody, withdrawBody } from '../requests';
import { applicationAggregate, evolveApplication, initialApplicationState } from './application.decider';
import { applicationStreamId } from './application.events';
import { APPLICATION_HANDLER, type ApplicationHandler } from './application.handler';
import { FileListEntity } from './file-list.entity';

/** Files (dossiers): HTTP → command; the decider refuses, the kit maps its typed errors to statuses. */
@ApiController('tenants/:tenantId/applications', 'applications')
export class ApplicationController {
  constructor(
    @Inject(APPLICATION_HANDLER) private readonly handler: ApplicationHandler,
    @Inject(READ_MODEL) private readonly readModel: DataSource,
    @Inject(EVENT_STORE) private readonly store: PostgresEventStore,
    @Inject(PRIVACY_VAULT) private readonly vault: PrivacyVault,
  ) {}

  @QueryRoute({ access: 'file.read', query: listQuery, summary: 'The CCAS’s files (read model): status, figures, commission and bank answers; `mine=true` for the files the caller opened' })
  async list(@Param('tenantId') tenantId: string, @ValidQuery() query: z.infer<typeof listQuery>) {
    const userId = currentContext()?.actor?.userId;
    const rows = await inTenant(this.readModel, tenantId, (manager) =>
      manager.find(FileListEntity, { where: { ...(query.status ? { status: query.status } : {}), ...(query.mine === 'true' && userId ? { openedBy: userId } : {}) }, order: { openedAt: 'DESC', applicationId: 'ASC' } }),
    );
    return { files: rows.map(({ tenantId: _tenant, openedAt, closedAt, updatedAt, ...row }) => ({ ...row, openedAt: openedAt.toISOString(), closedAt: closedAt?.toISOString() ?? null, updatedAt: updatedAt.toISOString() })) };
  }

  @QueryRoute({ path: ':applicationId/history', access: 'file.read', query: historyQuery, summary: 'The file’s events, personal fields opened (or [erased]), optionally as of an instant, with its hash chain verified' })
  async history(@Param('tenantId') tenantId: string, @Param('applicationId') applicationId: string, @ValidQuery() query: z.infer<typeof historyQuery>) {
    const id = pathId({ applicationId }, 'applicationId');
    const stream = { tenantId, streamId: applicationStreamId(id) };
    const { events, views } = await readRecords(this.store, this.vault, applicationAggregate as never, tenantId, stream.streamId, query.asOf);
    if (events.length === 0 && !query.asOf) throw notFoundError('APPLICATION_NOT_FOUND', 'no such file in this CCAS', 'applicationId');
    const state = events.reduce((acc, event) => evolveApplication(acc, { type: event.type, data: event.data } as never), initialApplicationState());
    return { applicationId: id, ...(query.asOf ? { asOf: query.asOf } : {}), status: state.status, events: views, chain: await this.store.verify(stream) };
  }

  @QueryRoute({ path: ':applicationId', access: 'file.read', summary: 'One file as it stands: status, figures, the commission’s and the bank’s answers' })
  async get(@Param('tenantId') tenantId: string, @Param('applicationId') applicationId: string) {
    const id = pathId({ applicationId }, 'applicationId');
    const row = await inTenant(this.readModel, tenantId, (manager) => manager.findOne(FileListEntity, { where: { applicationId: id } }));
    if (!row) throw notFoundError('APPLICATION_NOT_FOUND', 'no such file in this CCAS', 'applicationId');
    const { tenantId: _tenant, openedAt, closedAt, updatedAt, ...rest } = row;
    return { ...rest, openedAt: openedAt.toISOString(), closedAt: closedAt?.toISOString() ?? null, updatedAt: updatedAt.toISOString() };
  }

  @CommandRoute({ path: '', body: openBody, access: 'file.write', status: 201, summary: 'Open a file for a registered person: product, purpose, project (sealed), amount and term; restructuring debts or autonomy-health needs' })
  open(@Command() input: CommandInput<z.infer<typeof openBody>>) {
    return this.handler.open(input);
  }

  @CommandRoute({ path: ':applicationId/appointments', body: appointmentBody, access: 'file.write', status: 201, summary: 'Record an appointment held: date, duration, coded topics, notes (sealed)' })
  appointment(@Command() input: CommandInput<z.infer<typeof appointmentBody>>) {
    return this.handler.appointment(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/budget', body: budgetBody, access: 'file.write', summary: 'Assess the budget: reste à vivre before and after the instalment, against the CCAS minimum in force' })
  budget(@Command() input: CommandInput<z.infer<typeof budgetBody>>) {
    return this.handler.budget(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/needs', body: needsBody, access: 'file.write', summary: 'Assess the accompaniment needs' })
  needs(@Command() input: CommandInput<z.infer<typeof needsBody>>) {
    return this.handler.needs(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/eligibility-check', body: emptyBody, access: 'file.write', summary: 'Check the file against the product version in force (as lending published it)' })
  eligibility(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.handler.eligibility(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/submit', body: emptyBody, access: 'file.write', summary: 'Submit the file to the CCAS commission' })
  submit(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.handler.submit(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/commission-decision', body: decisionBody, access: 'commission.decide', summary: 'The commission approves, refuses or postpones (never someone who built the file)' })
  decide(@Command() input: CommandInput<z.infer<typeof decisionBody>>) {
    return this.handler.decide(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/transmit', body: transmitBody, access: 'file.write', summary: 'Transmit an approved file to a bank partner (intake.application-transmitted.v1)' })
  transmit(@Command() input: CommandInput<z.infer<typeof transmitBody>>) {
    return this.handler.transmit(pathId(input.params, 'applicationId'), input);
  }

  @CommandRoute({ path: ':applicationId/withdraw', body: withdrawBody, access: 'file.write', summary: 'Withdraw the file before it reaches the bank' })
  withdraw(@Command() input: CommandInput<z.infer<typeof withdrawBody>>) {
    return this.handler.withdraw(pathId(input.params, 'applicationId'), input);
  }
}
