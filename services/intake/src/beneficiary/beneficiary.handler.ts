import type { CommandExecutor, Outcome } from '@tremplin/commands';
import { deterministicEventId } from '@tremplin/event-sourcing';
import { metadataFromContext } from '@tremplin/tenancy';
import type { PrivacyVault } from '@tremplin/privacy';
import { fromInput, recordedEvents, type Clock, type CommandInput } from '@tremplin/service-kit';
import { sealAll } from '../personal-data';
import type { ConsentKind, Household, InformationTopic } from './beneficiary.commands';
import { beneficiaryAggregate } from './beneficiary.decider';
import { beneficiaryStreamId } from './beneficiary.events';
import { beneficiaryMessages } from './beneficiary.outbound';

export const BENEFICIARY_HANDLER = Symbol('BENEFICIARY_HANDLER');
const RETENTION_JOB_ACTOR = { userId: 'retention-job', role: 'service' };
export type BeneficiaryHandler = ReturnType<typeof createBeneficiaryHandler>;

export interface RegisterInput {
  readonly identity: Record<string, unknown>;
  readonly contact: Record<string, unknown>;
  readonly situation: Record<string, unknown>;
  readonly household: Household;
}
export interface UpdateInput {
  readonly contact?: Record<string, unknown>;
  readonly situation?: Record<string, unknown>;
  readonly household?: Household;
}

export interface BeneficiaryHandlerDeps {
  readonly executor: CommandExecutor;
  readonly clock: Clock;
  readonly vault: PrivacyVault;
  /** The person's files that block erasure: tied to a loan (at the bank or granted), or still in progress. */
  readonly blockingFiles: (tenantId: string, beneficiaryId: string) => Promise<{ withLiveLoan: string[]; inProgress: string[] }>;
}

/** Personal fields are sealed under the person's key before the command exists: the decider and the store see ciphertext. */
export function createBeneficiaryHandler(deps: BeneficiaryHandlerDeps) {
  const run = (beneficiaryId: string, input: CommandInput<unknown>, now: string, command: Parameters<CommandExecutor['execute']>[0]['command'], statusCode = 200): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: beneficiaryAggregate,
      ...fromInput(input, now),
      streamId: beneficiaryStreamId(beneficiaryId),
      command: command as never,
      toMessages: (decided) => beneficiaryMessages(input.tenantId, decided.before, decided.recorded),
      respond: (decided) => ({ statusCode, body: { beneficiaryId, status: decided.after.status, streamVersion: decided.streamVersion, events: recordedEvents(decided.recorded) } }),
    });

  return {
    async register(input: CommandInput<RegisterInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      // The same Idempotency-Key gives the same id, so a retried registration lands on the same stream.
      const beneficiaryId = deterministicEventId(`beneficiary\u001f${input.commandId}`, 0);
      const { identity, contact, situation } = await sealAll(deps.vault, input.tenantId, beneficiaryId, { identity: input.body.identity, contact: input.body.contact, situation: input.body.situation });
      return run(beneficiaryId, input, now, { type: 'RegisterBeneficiary', beneficiaryId, identity, contact, situation, household: input.body.household, now, actor: input.actor }, 201);
    },

    async update(beneficiaryId: string, input: CommandInput<UpdateInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const sealed = await sealAll(deps.vault, input.tenantId, beneficiaryId, { contact: input.body.contact, situation: input.body.situation });
      return run(beneficiaryId, input, now, {
        type: 'UpdateSituation',
        ...(sealed.contact ? { contact: sealed.contact } : {}),
        ...(sealed.situation ? { situation: sealed.situation } : {}),
        ...(input.body.household ? { household: input.body.household } : {}),
        now,
        actor: input.actor,
      });
    },

    consent(beneficiaryId: string, input: CommandInput<{ consent: ConsentKind; given: boolean }>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(beneficiaryId, input, now, { type: 'RecordConsent', ...input.body, now, actor: input.actor });
    },

    informationGiven(beneficiaryId: string, input: CommandInput<{ topic: InformationTopic }>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(beneficiaryId, input, now, { type: 'RecordInformationGiven', ...input.body, now, actor: input.actor });
    },

    /** The retention job's shredding: the same erasure, as an event of its own with its reason, by the job. */
    async shred(tenantId: string, beneficiaryId: string): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const outcome = await deps.executor.execute({
        aggregate: beneficiaryAggregate,
        tenantId,
        streamId: beneficiaryStreamId(beneficiaryId),
        // One shredding per person whatever the runs: a second run replays as a duplicate command.
        commandId: deterministicEventId(`retention\u001f${tenantId}\u001f${beneficiaryId}`, 0),
        metadata: metadataFromContext(now),
        // The retention rules already held back anyone with a file in progress or a loan within its archive period.
        command: { type: 'EraseBeneficiary', filesWithLiveLoan: [], filesInProgress: [], reason: 'retentionExpired', now, actor: RETENTION_JOB_ACTOR },
        toMessages: (decided) => beneficiaryMessages(tenantId, decided.before, decided.recorded),
        respond: (decided) => ({ statusCode: 200, body: { beneficiaryId, status: decided.after.status, streamVersion: decided.streamVersion } }),
      });
      if (outcome.kind === 'done' || outcome.error.code === 'BENEFICIARY_ERASED') await deps.vault.erase(tenantId, beneficiaryId);
      return outcome;
    },

    /** The erasure is recorded, then the person's key is deleted; a retry after a crash between the two completes it. */
    async erase(beneficiaryId: string, input: CommandInput<Record<string, never>>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const files = await deps.blockingFiles(input.tenantId, beneficiaryId);
      const outcome = await run(beneficiaryId, input, now, { type: 'EraseBeneficiary', filesWithLiveLoan: files.withLiveLoan, filesInProgress: files.inProgress, reason: 'personRequest', now, actor: input.actor });
      if (outcome.kind === 'done' || outcome.error.code === 'BENEFICIARY_ERASED') await deps.vault.erase(input.tenantId, beneficiaryId);
      return outcome;
    },
  };
}
