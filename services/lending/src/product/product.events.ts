import type { ProductCode, ProductTerms } from './product.terms';

export interface ProductTermsChanged {
  readonly type: 'ProductTermsChanged';
  readonly data: {
    readonly product: ProductCode;
    readonly version: number;
    readonly terms: ProductTerms;
    readonly effectiveFrom: string;
    readonly decisionReference: string;
    readonly decidedBy: string;
  };
}

export type ProductEvent = ProductTermsChanged;

export const productStreamId = (product: ProductCode) => `product-${product}`;
