import { Inject, Param } from '@nestjs/common';
import { decodeEvent, deterministicEventId, stateError } from '@tremplin/event-sourcing';
import { PersonErasedError, type PrivacyVault } from '@tremplin/privacy';
import { ApiController, ApiError, Command, CommandRoute, PRIVACY_VAULT, QueryRoute, type CommandInput } from '@tremplin/service-kit';
import type { z } from 'zod';
import type { Support } from './plan.commands';
import { planAggregate } from './plan.decider';
import { PLAN_HANDLER, planSummaryOf, type PlanHandler, type PlanInput } from './plan.handler';
import { charterBody, checkInBody, closeBody, contactBody, definePlanBody, difficultyBody, emptyBody, loanParams, reschedulingBody, supportBody } from './plan.requests';

const optionsOf = (input: CommandInput<unknown>) => ({ commandId: input.commandId, actor: input.actor, ...(input.idempotency ? { idempotency: input.idempotency } : {}) });
// Ids the service gives (a contact, a request): derived from the command id, so a retried key gives the same one.
const idOf = (input: CommandInput<unknown>) => deterministicEventId(input.commandId, 1_000);

/** A loan's accompaniment plan: definition, charter, contacts, check-ins, and the escalation of a difficulty. */
@ApiController('tenants/:tenantId/plans', 'accompaniment plans')
export class PlanController {
  constructor(
    @Inject(PLAN_HANDLER) private readonly plans: PlanHandler,
    @Inject(PRIVACY_VAULT) private readonly vault: PrivacyVault,
  ) {}

  private send(input: CommandInput<unknown>, command: PlanInput) {
    return this.plans.handle(input.tenantId, input.params.loanId!, command, optionsOf(input));
  }

  @QueryRoute({ path: ':loanId', access: 'accompaniment.read', summary: 'A loan’s plan (from its stream): kinds, intensity, referent, charter, check-ins, open escalation and its next step', params: loanParams })
  async one(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string) {
    const { state, events } = await this.plans.read(tenantId, loanId);
    if (state.status === 'none') throw new ApiError(404, 'PLAN_NOT_FOUND', `no accompaniment plan for loan ${loanId}`, 'loanId');
    return { loanId, ...planSummaryOf(state), streamVersion: events.length };
  }

  @QueryRoute({ path: ':loanId/contacts', access: 'accompaniment.read', summary: 'A loan’s contacts with their notes decrypted ("[erased]" once the person was erased)', params: loanParams })
  async contacts(@Param('tenantId') tenantId: string, @Param('loanId') loanId: string) {
    const { state, events } = await this.plans.read(tenantId, loanId);
    if (state.status === 'none') throw new ApiError(404, 'PLAN_NOT_FOUND', `no accompaniment plan for loan ${loanId}`, 'loanId');
    const recorded = events.map((record) => decodeEvent(planAggregate, record)).flatMap((event) => (event.type === 'ContactRecorded' ? [event.data] : []));
    return { loanId, contacts: await Promise.all(recorded.map((contact) => this.vault.decryptFields(tenantId, contact))) };
  }

  @CommandRoute({ path: ':loanId/definition', body: definePlanBody, params: loanParams, access: 'accompaniment.write', summary: 'Define the plan: kinds, intensity (mandatory for a restructuring loan), referent social worker, the person' })
  define(@Command() input: CommandInput<z.infer<typeof definePlanBody>>) {
    return this.send(input, { type: 'DefinePlan', ...input.body });
  }

  @CommandRoute({ path: ':loanId/charter', body: charterBody, params: loanParams, access: 'accompaniment.write', summary: 'Record the accompaniment charter signed two-party (borrower, CCAS) or three-party (with the bank)' })
  charter(@Command() input: CommandInput<z.infer<typeof charterBody>>) {
    return this.send(input, { type: 'SignCharter', ...input.body });
  }

  @CommandRoute({ path: ':loanId/contacts', body: contactBody, params: loanParams, access: 'accompaniment.write', status: 201, summary: 'Record a contact (coded topics; the note encrypted under the person’s key); a first contact in an escalation is measured' })
  async contact(@Command() input: CommandInput<z.infer<typeof contactBody>>) {
    const { note, checkInId, ...contact } = input.body;
    const sealed = note === undefined ? undefined : await this.seal(input.tenantId, input.params.loanId!, note);
    return this.send(input, { type: 'RecordContact', contactId: idOf(input), ...contact, ...(sealed ? { note: sealed } : {}), ...(checkInId ? { checkInId } : {}) });
  }

  @CommandRoute({ path: ':loanId/check-ins', body: checkInBody, params: loanParams, access: 'accompaniment.write', status: 201, summary: 'Schedule a check-in (e.g. a call at mid-term); listed as overdue once its day passed without a contact that reached the person' })
  checkIn(@Command() input: CommandInput<z.infer<typeof checkInBody>>) {
    return this.send(input, { type: 'ScheduleCheckIn', ...input.body });
  }

  @CommandRoute({ path: ':loanId/difficulties', body: difficultyBody, params: loanParams, access: 'accompaniment.write', status: 201, summary: 'The borrower raises a difficulty before any missed payment: an escalation opens, the CCAS’s first contact is next' })
  difficulty(@Command() input: CommandInput<z.infer<typeof difficultyBody>>) {
    return this.send(input, { type: 'RaiseDifficulty', topic: input.body.topic });
  }

  @CommandRoute({ path: ':loanId/escalation/ccas-alerts', body: emptyBody, params: loanParams, access: 'accompaniment.write', summary: 'Record that the bank alerted the CCAS (when its unanswered call did not already do it)' })
  alert(@Command() input: CommandInput<z.infer<typeof emptyBody>>) {
    return this.send(input, { type: 'AlertCcas' });
  }

  @CommandRoute({ path: ':loanId/supports', body: supportBody, params: loanParams, access: 'accompaniment.write', status: 201, summary: 'Grant a CCAS support: emergency aid (amount), social grocery (months), referral to a partner (code)' })
  support(@Command() input: CommandInput<z.infer<typeof supportBody>>) {
    const { grantedOn, ...support } = input.body;
    return this.send(input, { type: 'GrantSupport', supportId: idOf(input), support: support as Support, grantedOn });
  }

  @CommandRoute({ path: ':loanId/rescheduling-requests', body: reschedulingBody, params: loanParams, access: 'accompaniment.write', status: 201, summary: 'Ask lending for a payment holiday, a term extension or an instalment revision; a bank advisor approves it in lending (four eyes)' })
  rescheduling(@Command() input: CommandInput<z.infer<typeof reschedulingBody>>) {
    return this.send(input, { type: 'RequestRescheduling', requestId: idOf(input), rescheduling: input.body });
  }

  @CommandRoute({ path: ':loanId/escalation/closure', body: closeBody, params: loanParams, access: 'accompaniment.write', summary: 'Close the open escalation with its outcome' })
  close(@Command() input: CommandInput<z.infer<typeof closeBody>>) {
    return this.send(input, { type: 'CloseEscalation', outcome: input.body.outcome });
  }

  // The plan's person is fixed once defined (BENEFICIARY_CHANGED), so reading it before the command's transaction is safe.
  private async seal(tenantId: string, loanId: string, note: string): Promise<Record<string, unknown>> {
    const { state } = await this.plans.read(tenantId, loanId);
    if (state.status === 'none') throw new ApiError(404, 'PLAN_NOT_FOUND', `no accompaniment plan for loan ${loanId}`, 'loanId');
    if (!state.beneficiaryId) throw stateError('BENEFICIARY_REQUIRED', 'a note is encrypted under the person’s key: define the plan with its beneficiary first', 'note');
    try {
      return ((await this.vault.encryptFields(tenantId, state.beneficiaryId, { note }, ['note'])) as unknown as { note: Record<string, unknown> }).note;
    } catch (error) {
      if (error instanceof PersonErasedError) throw stateError('BENEFICIARY_ERASED', 'the person’s data was erased: nothing new is recorded about them', 'note');
      throw error;
    }
  }
}
