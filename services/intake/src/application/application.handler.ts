import type { CommandExecutor, Idempotency, Outcome, StreamReader } from '@tremplin/commands';
import { deterministicEventId, notFoundError, ruleError, type Actor } from '@tremplin/event-sourcing';
import type { PoolClient } from '@tremplin/pg';
import type { PrivacyVault } from '@tremplin/privacy';
import { recordedEvents, type Clock, type CommandInput } from '@tremplin/service-kit';
import { metadataFromContext } from '@tremplin/tenancy';
import { beneficiaryAggregate } from '../beneficiary/beneficiary.decider';
import { beneficiaryStreamId } from '../beneficiary/beneficiary.events';
import { catalogueAggregate, versionInForce } from '../catalogue/catalogue.decider';
import { catalogueStreamId } from '../catalogue/catalogue.events';
import { sealAll } from '../personal-data';
import type { ApplicationCommand, AssessBudget, AssessNeeds, AutonomyHealthNeed, DecideAtCommission, OpenApplication, RecordAppointment, RecordBankAnswer, RecordLoanEnded } from './application.commands';
import { applicationAggregate, budgetFigures, type ApplicationState } from './application.decider';
import { applicationStreamId } from './application.events';
import { applicationMessages } from './application.outbound';
import { settingsInForce, type IntakeSettingsVersion } from './application.rules';

export const APPLICATION_HANDLER = Symbol('APPLICATION_HANDLER');
export type ApplicationHandler = ReturnType<typeof createApplicationHandler>;

export interface ApplicationHandlerDeps {
  readonly executor: CommandExecutor;
  readonly clock: Clock;
  readonly vault: PrivacyVault;
  readonly settings: readonly IntakeSettingsVersion[];
}

/** Who and how: an HTTP command's input, or an inbox message's transaction and id. */
export interface CommandOptions {
  readonly tenantId: string;
  readonly commandId: string;
  readonly actor: Actor;
  readonly idempotency?: Idempotency;
  readonly tx?: PoolClient;
  readonly causationId?: string;
}

export interface OpenInput {
  readonly beneficiaryId: string;
  readonly product: OpenApplication['product'];
  readonly purposeCategory: OpenApplication['purposeCategory'];
  readonly project: Record<string, unknown>;
  readonly requestedAmountCents: number;
  readonly requestedTermMonths: number;
  readonly restructuring?: { readonly debts: ReadonlyArray<{ readonly creditor: string; readonly amountCents: number }>; readonly overdraftCents: number };
  readonly autonomyHealthNeeds?: readonly AutonomyHealthNeed[];
}
export type AppointmentInput = Omit<RecordAppointment, 'type' | 'appointmentId' | 'notes' | 'now' | 'actor'> & { readonly notes?: string };
export type BudgetInput = Omit<AssessBudget, 'type' | 'sealed' | 'notes' | 'settings' | 'now' | 'actor'> & { readonly notes?: string };

type Resolver = (state: ApplicationState, read: StreamReader) => Promise<ApplicationCommand>;

const optionsOf = (input: CommandInput<unknown>): CommandOptions => ({ tenantId: input.tenantId, commandId: input.commandId, actor: input.actor, ...(input.idempotency ? { idempotency: input.idempotency } : {}) });

/** Seals the personal fields under the beneficiary's key, stamps time, actor and settings; the kit's executor does the rest. */
export function createApplicationHandler(deps: ApplicationHandlerDeps) {
  const settingsOn = (now: string) => {
    const settings = settingsInForce(deps.settings, now.slice(0, 10));
    if (!settings) throw ruleError('SETTINGS_NOT_IN_FORCE', `no intake settings version is in force on ${now.slice(0, 10)}`, 'settings');
    return settings;
  };

  const run = (applicationId: string, now: string, command: ApplicationCommand | Resolver, options: CommandOptions, statusCode = 200): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: applicationAggregate,
      tenantId: options.tenantId,
      streamId: applicationStreamId(applicationId),
      command,
      commandId: options.commandId,
      metadata: metadataFromContext(now, options.causationId ? { causationId: options.causationId } : {}),
      toMessages: (decided) => applicationMessages(options.tenantId, decided.before, decided.recorded),
      respond: (decided) => ({
        statusCode,
        body: {
          applicationId,
          status: decided.after.status,
          ...(decided.after.status === 'closed' ? { outcome: decided.after.outcome, ...(decided.after.reasonCode ? { reasonCode: decided.after.reasonCode } : {}) } : {}),
          streamVersion: decided.streamVersion,
          events: recordedEvents(decided.recorded),
        },
      }),
      ...(options.idempotency ? { idempotency: options.idempotency } : {}),
      ...(options.tx ? { tx: options.tx } : {}),
    });

  /** The file's person: known before any command on it (a file never changes hands), so sealing happens outside the transaction. */
  const beneficiaryOf = async (tenantId: string, applicationId: string): Promise<string> => {
    const { state } = await deps.executor.read(applicationAggregate, tenantId, applicationStreamId(applicationId));
    if (state.status === 'none') throw notFoundError('APPLICATION_NOT_FOUND', 'no such file in this CCAS', 'applicationId');
    return state.file.beneficiaryId;
  };

  const simple = (applicationId: string, input: CommandInput<unknown>, build: (now: string) => ApplicationCommand) => {
    const now = deps.clock().toISOString();
    return run(applicationId, now, build(now), optionsOf(input));
  };

  return {
    async open(input: CommandInput<OpenInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const settings = settingsOn(now);
      const applicationId = deterministicEventId(`application\u001f${input.commandId}`, 0);
      const { beneficiaryId, restructuring, autonomyHealthNeeds, ...body } = input.body;
      // No key is made for a person who does not exist (the decider checks again inside the transaction).
      const known = await deps.executor.read(beneficiaryAggregate, input.tenantId, beneficiaryStreamId(beneficiaryId));
      if (known.state.status === 'unknown') throw notFoundError('BENEFICIARY_NOT_FOUND', 'no such beneficiary in this CCAS', 'beneficiaryId');
      const sealedCreditors = restructuring ? await sealAll(deps.vault, input.tenantId, beneficiaryId, Object.fromEntries(restructuring.debts.map((debt, i) => [String(i), debt.creditor]))) : {};
      const { project } = await sealAll(deps.vault, input.tenantId, beneficiaryId, { project: body.project });
      const resolve: Resolver = async (_state, read) => {
        const person = await read.load(beneficiaryAggregate, input.tenantId, beneficiaryStreamId(beneficiaryId));
        return {
          type: 'OpenApplication',
          applicationId,
          beneficiaryId,
          beneficiaryStatus: person.status === 'unknown' ? 'unknown' : person.status,
          ...body,
          project,
          ...(restructuring ? { restructuring: { overdraftCents: restructuring.overdraftCents, debts: restructuring.debts.map((debt, i) => ({ creditor: (sealedCreditors as Record<string, never>)[String(i)], amountCents: debt.amountCents })) } } : {}),
          ...(autonomyHealthNeeds ? { autonomyHealthNeeds } : {}),
          settings,
          now,
          actor: input.actor,
        };
      };
      return run(applicationId, now, resolve, optionsOf(input), 201);
    },

    async appointment(applicationId: string, input: CommandInput<AppointmentInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const { notes, ...body } = input.body;
      const sealed = notes === undefined ? {} : await sealAll(deps.vault, input.tenantId, await beneficiaryOf(input.tenantId, applicationId), { notes });
      const appointmentId = deterministicEventId(`appointment\u001f${input.commandId}`, 0);
      return run(applicationId, now, { type: 'RecordAppointment', appointmentId, ...body, ...sealed, now, actor: input.actor }, optionsOf(input), 201);
    },

    async budget(applicationId: string, input: CommandInput<BudgetInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const settings = settingsOn(now);
      const { notes, ...body } = input.body;
      // Checked before anything is sealed (a refused budget makes no key); the decider checks the same figures again.
      const figures = budgetFigures(body);
      const beneficiaryId = await beneficiaryOf(input.tenantId, applicationId);
      const { incomes, charges, debtsOutstandingCents, overdraftCents, expectedInstalmentCents } = body;
      const sealedBudget = await sealAll(deps.vault, input.tenantId, beneficiaryId, { incomes, charges, debtsOutstandingCents, overdraftCents, expectedInstalmentCents, resteAVivre: figures });
      const sealedNotes = notes === undefined ? {} : await sealAll(deps.vault, input.tenantId, beneficiaryId, { notes });
      return run(applicationId, now, { type: 'AssessBudget', ...body, sealed: sealedBudget, ...sealedNotes, settings, now, actor: input.actor }, optionsOf(input));
    },

    /** Against the product version in force now, read from the catalogue in the command's transaction. */
    eligibility(applicationId: string, input: CommandInput<unknown>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const resolve: Resolver = async (state, read) => {
        const catalogue = state.status === 'none' ? undefined : await read.load(catalogueAggregate, input.tenantId, catalogueStreamId(state.file.product));
        const productVersion = catalogue ? versionInForce(catalogue.versions, now) : undefined;
        return { type: 'CheckEligibility', ...(productVersion ? { productVersion } : {}), now, actor: input.actor };
      };
      return run(applicationId, now, resolve, optionsOf(input));
    },

    needs: (applicationId: string, input: CommandInput<Pick<AssessNeeds, 'level' | 'kinds'>>) => simple(applicationId, input, (now) => ({ type: 'AssessNeeds', ...input.body, now, actor: input.actor })),
    submit: (applicationId: string, input: CommandInput<unknown>) => simple(applicationId, input, (now) => ({ type: 'SubmitToCommission', now, actor: input.actor })),
    decide: (applicationId: string, input: CommandInput<Pick<DecideAtCommission, 'decision' | 'reasonCode'>>) =>
      simple(applicationId, input, (now) => ({ type: 'DecideAtCommission', decisionId: deterministicEventId(`commission\u001f${input.commandId}`, 0), ...input.body, now, actor: input.actor })),
    transmit: (applicationId: string, input: CommandInput<{ bankPartnerId: string }>) => simple(applicationId, input, (now) => ({ type: 'TransmitToBank', ...input.body, now, actor: input.actor })),
    withdraw: (applicationId: string, input: CommandInput<{ reasonCode: string }>) => simple(applicationId, input, (now) => ({ type: 'WithdrawApplication', ...input.body, now, actor: input.actor })),

    /** The loan's end, from lending's contracts through the inbox transaction. */
    loanEnded(applicationId: string, ended: Pick<RecordLoanEnded, 'loanId' | 'ending' | 'endedAt'>, options: CommandOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(applicationId, now, { type: 'RecordLoanEnded', ...ended, now, actor: options.actor }, options);
    },

    /** The bank's answer, from lending's contracts through the inbox transaction. */
    bankAnswer(applicationId: string, answer: Pick<RecordBankAnswer, 'loanId' | 'answer'>, options: CommandOptions): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(applicationId, now, { type: 'RecordBankAnswer', ...answer, now, actor: options.actor }, options);
    },
  };
}
