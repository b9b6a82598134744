import type { CommandExecutor, Outcome } from '@tremplin/commands';
import type { UsuryCapTable } from '@tremplin/finance';
import { fromInput, type Clock, type CommandInput } from '@tremplin/service-kit';
import type { ChangeProductTerms } from './product.commands';
import { productAggregate } from './product.decider';
import { productStreamId } from './product.events';
import { productMessages } from './product.outbound';
import { PRODUCT_CODES, productVersionAt, type ProductCode, type ProductVersion } from './product.terms';

export const PRODUCT_HANDLER = Symbol('PRODUCT_HANDLER');

export interface ProductHandlerDeps {
  readonly executor: CommandExecutor;
  readonly usuryTables: readonly UsuryCapTable[];
  readonly clock: Clock;
}

export type ProductHandler = ReturnType<typeof createProductHandler>;

export type ProductTermsInput = Omit<ChangeProductTerms, 'type' | 'now' | 'actor' | 'usuryTables' | 'product'>;

export function createProductHandler(deps: ProductHandlerDeps) {
  return {
    change(product: ProductCode, input: CommandInput<ProductTermsInput>): Promise<Outcome> {
      const now = deps.clock().toISOString();
      return deps.executor.execute({
        aggregate: productAggregate,
        ...fromInput(input, now),
        streamId: productStreamId(product),
        command: { type: 'ChangeProductTerms', product, ...input.body, now, actor: input.actor, usuryTables: deps.usuryTables },
        // Intake checks eligibility against the CCAS's product versions: each one is published.
        toMessages: (decided) => productMessages(input.tenantId, decided.recorded),
        respond: (decided) => ({
          statusCode: 201,
          body: { product, version: decided.after.status === 'configured' ? decided.after.versions[decided.after.versions.length - 1].version : 0, streamVersion: decided.streamVersion },
        }),
      });
    },

    /** Each product's version in force now, and the recorded history of versions. */
    async catalogue(tenantId: string): Promise<Array<{ current: ProductVersion; versions: readonly ProductVersion[] }>> {
      const now = deps.clock().toISOString();
      return Promise.all(
        PRODUCT_CODES.map(async (product) => {
          const { state } = await deps.executor.read(productAggregate, tenantId, productStreamId(product));
          const versions = state.status === 'configured' ? state.versions : [];
          return { current: productVersionAt(product, versions, now), versions };
        }),
      );
    },
  };
}
