import { stateError, type Aggregate, type Decider } from '@tremplin/event-sourcing';
import type { CatalogueCommand } from './catalogue.commands';
import type { CatalogueEvent, ProductVersionTerms } from './catalogue.events';

export interface CatalogueState {
  readonly versions: readonly ProductVersionTerms[];
}

export function evolveCatalogue(state: CatalogueState, event: CatalogueEvent): CatalogueState {
  const { learnedAt: _learnedAt, ...terms } = event.data;
  return { versions: [...state.versions, terms] };
}

export function decideCatalogue(command: CatalogueCommand, state: CatalogueState): CatalogueEvent[] {
  if (state.versions.some((known) => known.version === command.terms.version)) {
    throw stateError('PRODUCT_VERSION_KNOWN', `version ${command.terms.version} of ${command.terms.product} is already known`, 'version');
  }
  return [{ type: 'ProductVersionLearned', data: { ...command.terms, learnedAt: command.now } }];
}

/** The version in force at `now`: the latest effectiveFrom not after it (a later version number wins a tie). */
export function versionInForce(versions: readonly ProductVersionTerms[], now: string): ProductVersionTerms | undefined {
  return versions
    .filter((version) => version.effectiveFrom <= now)
    .reduce<ProductVersionTerms | undefined>((best, version) => (!best || version.effectiveFrom > best.effectiveFrom || (version.effectiveFrom === best.effectiveFrom && version.version > best.version) ? version : best), undefined);
}

export const catalogueDecider: Decider<CatalogueCommand, CatalogueEvent, CatalogueState> = {
  initialState: () => ({ versions: [] }),
  evolve: evolveCatalogue,
  decide: decideCatalogue,
};

/** `catalogue-<product>` streams: the product versions of the CCAS as lending published them. */
export const catalogueAggregate: Aggregate<CatalogueCommand, CatalogueEvent, CatalogueState> = { category: 'catalogue', decider: catalogueDecider };
