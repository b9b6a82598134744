import { ruleError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { ProductCommand } from './product.commands';
import type { ProductEvent } from './product.events';
import { validateProductTerms, type ProductCode, type ProductVersion } from './product.terms';

export type ProductState =
  | { readonly status: 'defaults' }
  | { readonly status: 'configured'; readonly product: ProductCode; readonly versions: readonly ProductVersion[] };

export const initialProductState = (): ProductState => ({ status: 'defaults' });

export function evolveProduct(state: ProductState, event: ProductEvent): ProductState {
  switch (event.type) {
    case 'ProductTermsChanged': {
      const version: ProductVersion = { product: event.data.product, version: event.data.version, effectiveFrom: event.data.effectiveFrom, terms: event.data.terms };
      return { status: 'configured', product: event.data.product, versions: [...versionsOf(state), version] };
    }
    default:
      return exhaustive(event.type);
  }
}

export function decideProduct(command: ProductCommand, state: ProductState): ProductEvent[] {
  switch (command.type) {
    case 'ChangeProductTerms': {
      const effectiveFrom = command.effectiveFrom ?? command.now;
      // A version applies to offers made after it: a change dated in the past would rewrite what offers relied on.
      if (effectiveFrom < command.now) throw ruleError('EFFECTIVE_DATE_IN_PAST', `effectiveFrom ${effectiveFrom} is before now (${command.now})`, 'effectiveFrom');
      if (!command.decisionReference.trim()) throw ruleError('DECISION_REFERENCE_REQUIRED', 'a change of product terms needs the reference of the decision', 'decisionReference');
      validateProductTerms(command.terms, effectiveFrom, command.usuryTables);
      const versions = versionsOf(state);
      return [
        {
          type: 'ProductTermsChanged',
          data: {
            product: command.product,
            version: versions.length + 1,
            terms: command.terms,
            effectiveFrom,
            decisionReference: command.decisionReference,
            decidedBy: command.actor.userId,
          },
        },
      ];
    }
    default:
      return exhaustive(command.type);
  }
}

function versionsOf(state: ProductState): readonly ProductVersion[] {
  switch (state.status) {
    case 'defaults':
      return [];
    case 'configured':
      return state.versions;
    default:
      return exhaustive(state);
  }
}

function exhaustive(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}

export const productDecider: Decider<ProductCommand, ProductEvent, ProductState> = {
  initialState: initialProductState,
  evolve: evolveProduct,
  decide: decideProduct,
};

/** Product catalogue streams (`product-<code>`), one per product of a CCAS. */
export const productAggregate: Aggregate<ProductCommand, ProductEvent, ProductState> = { category: 'product', decider: productDecider };
