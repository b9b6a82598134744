import type { Actor } from '@tremplin/event-sourcing';
import type { ProductVersionTerms } from './catalogue.events';

export interface LearnProductVersion {
  readonly type: 'LearnProductVersion';
  readonly terms: ProductVersionTerms;
  readonly now: string;
  readonly actor: Actor;
}

export type CatalogueCommand = LearnProductVersion;
