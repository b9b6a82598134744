import type { ContractRegistry } from '@tremplin/contracts';
import type { UsuryCapTable } from '@tremplin/finance';
import type { PostgresEventStore } from '@tremplin/event-store-postgres';
import type { Pool } from '@tremplin/pg';
import { metadataFromContext } from '@tremplin/tenancy';
import type { Actor } from '../shared/actor';
import type { Clock } from '../shared/clock';
import { executeCommand, type Idempotency, type Outcome } from '../shared/command-execution';
import type { ChangeProductTerms } from './product.commands';
import { productDecider, type ProductState } from './product.decider';
import { productStreamId, type ProductEvent } from './product.events';
import { PRODUCT_CODES, productVersionAt, type ProductCode, type ProductVersion } from './product.terms';

export interface ProductHandlerDeps {
  readonly pool: Pool;
  readonly store: PostgresEventStore;
  readonly registry: ContractRegistry;
  readonly usuryTables: readonly UsuryCapTable[];
  readonly clock: Clock;
}

export async function loadProductState(store: Pick<PostgresEventStore, 'readStream'>, tenantId: string, product: ProductCode): Promise<ProductState> {
  const events = await store.readStream({ tenantId, streamId: productStreamId(product) });
  return events.reduce((state, event) => productDecider.evolve(state, event as unknown as ProductEvent), productDecider.initialState());
}

export type ProductHandler = ReturnType<typeof createProductHandler>;

export function createProductHandler(deps: ProductHandlerDeps) {
  return {
    async change(
      tenantId: string,
      input: Omit<ChangeProductTerms, 'type' | 'now' | 'actor' | 'usuryTables'>,
      options: { commandId: string; actor: Actor; idempotency?: Idempotency },
    ): Promise<Outcome> {
      const now = deps.clock().toISOString();
      const command: ChangeProductTerms = { type: 'ChangeProductTerms', ...input, now, actor: options.actor, usuryTables: deps.usuryTables };
      return executeCommand({
        pool: deps.pool,
        store: deps.store,
        registry: deps.registry,
        decider: productDecider,
        tenantId,
        streamId: productStreamId(input.product),
        command,
        commandId: options.commandId,
        metadata: metadataFromContext(now),
        toMessages: () => [],
        respond: (decided) => ({
          statusCode: 201,
          body: { product: input.product, version: decided.after.status === 'configured' ? decided.after.versions[decided.after.versions.length - 1].version : 0, streamVersion: decided.streamVersion },
        }),
        ...(options.idempotency ? { idempotency: options.idempotency } : {}),
      });
    },

    /** Each product's version in force now, and the recorded history of versions. */
    async catalogue(tenantId: string): Promise<Array<{ current: ProductVersion; versions: readonly ProductVersion[] }>> {
      const now = deps.clock().toISOString();
      return Promise.all(
        PRODUCT_CODES.map(async (product) => {
          const state = await loadProductState(deps.store, tenantId, product);
          const versions = state.status === 'configured' ? state.versions : [];
          return { current: productVersionAt(product, versions, now), versions };
        }),
      );
    },
  };
}
