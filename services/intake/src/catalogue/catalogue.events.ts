import type { Product } from '../application/application.commands';

/** A product version as lending publishes it (lending.product-terms-changed.v1): the terms a file is checked against. */
export interface ProductVersionTerms {
  readonly product: Product;
  readonly version: number;
  readonly effectiveFrom: string;
  readonly minAmountCents: number;
  readonly maxAmountCents: number;
  readonly exceptionMaxAmountCents?: number;
  readonly minTermMonths: number;
  readonly maxTermMonths: number;
  readonly exceptionMaxTermMonths?: number;
  readonly accompaniment: 'offered' | 'mandatory';
}

export interface ProductVersionLearned {
  readonly type: 'ProductVersionLearned';
  readonly data: ProductVersionTerms & { readonly learnedAt: string };
}

export type CatalogueEvent = ProductVersionLearned;

export const catalogueStreamId = (product: Product) => `catalogue-${product}`;
