import type { CommandExecutor, Outcome } from '@tremplin/commands';
import { fromInput, recordedEvents, type Clock, type CommandInput } from '@tremplin/service-kit';
import type { ConfigureCoverage, ProductCode, WithdrawCoverage } from './coverage.commands';
import { coverageAggregate } from './coverage.decider';
import { coverageStreamId } from './coverage.events';

export const COVERAGE_HANDLER = Symbol('COVERAGE_HANDLER');
export type CoverageHandler = ReturnType<typeof createCoverageHandler>;

export type ConfigureInput = Pick<ConfigureCoverage, 'guarantorId' | 'guarantorKind' | 'managerId' | 'shareBps' | 'effectiveFrom' | 'decisionReference'>;
export type WithdrawInput = Pick<WithdrawCoverage, 'effectiveFrom' | 'decisionReference'>;

export function createCoverageHandler(deps: { readonly executor: CommandExecutor; readonly clock: Clock }) {
  const run = (product: ProductCode, input: CommandInput<unknown>, command: ConfigureCoverage | WithdrawCoverage, now: string): Promise<Outcome> =>
    deps.executor.execute({
      aggregate: coverageAggregate,
      ...fromInput(input, now),
      streamId: coverageStreamId(product),
      command,
      respond: (decided) => ({
        statusCode: 201,
        body: {
          product,
          version: decided.after.status === 'configured' ? decided.after.versions.length : 0,
          streamVersion: decided.streamVersion,
          events: recordedEvents(decided.recorded),
        },
      }),
    });
  return {
    configure(product: ProductCode, input: CommandInput<ConfigureInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(product, input, { type: 'ConfigureCoverage', product, ...input.body, today: now.slice(0, 10), actor: input.actor }, now);
    },
    withdraw(product: ProductCode, input: CommandInput<WithdrawInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return run(product, input, { type: 'WithdrawCoverage', product, ...input.body, today: now.slice(0, 10), actor: input.actor }, now);
    },
    read(tenantId: string, product: ProductCode) {
      return deps.executor.read(coverageAggregate, tenantId, coverageStreamId(product));
    },
  };
}
