import type { CommandExecutor, Outcome } from '@tremplin/commands';
import { fromInput, recordedEvents, type Clock, type CommandInput } from '@tremplin/service-kit';
import type { VoteEnvelopeCapacity } from './envelope.commands';
import { envelopeAggregate, headroomOf } from './envelope.decider';
import { envelopeStreamId } from './envelope.events';
import { envelopeMessages } from './envelope.outbound';

export const ENVELOPE_HANDLER = Symbol('ENVELOPE_HANDLER');

export type EnvelopeHandler = ReturnType<typeof createEnvelopeHandler>;

export type VoteInput = Pick<VoteEnvelopeCapacity, 'capacityCents' | 'decisionDate' | 'decisionReference'>;

export function createEnvelopeHandler(deps: { readonly executor: CommandExecutor; readonly clock: Clock }) {
  return {
    vote(guarantorId: string, input: CommandInput<VoteInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return deps.executor.execute({
        aggregate: envelopeAggregate,
        ...fromInput(input, now),
        streamId: envelopeStreamId(guarantorId),
        command: { type: 'VoteEnvelopeCapacity', guarantorId, ...input.body, today: now.slice(0, 10), actor: input.actor },
        toMessages: (decided) => envelopeMessages(input.tenantId, decided.before, decided.recorded),
        respond: (decided) => ({
          statusCode: 201,
          body: {
            guarantorId,
            capacityCents: decided.after.status === 'open' ? decided.after.capacityCents : 0,
            headroomCents: headroomOf(decided.after),
            streamVersion: decided.streamVersion,
            events: recordedEvents(decided.recorded),
          },
        }),
      });
    },
  };
}
