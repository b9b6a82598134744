import type { UsuryCapTable } from '@tremplin/finance';
import type { Actor } from '@tremplin/event-sourcing';
import type { ProductCode, ProductTerms } from './product.terms';

export interface ChangeProductTerms {
  readonly type: 'ChangeProductTerms';
  readonly product: ProductCode;
  readonly terms: ProductTerms;
  /** The CCAS's own reference of the decision (deliberation number, board minute). */
  readonly decisionReference: string;
  /** Defaults to `now`; a later instant schedules the change. Never earlier: offers already made keep their version. */
  readonly effectiveFrom?: string;
  readonly now: string;
  readonly actor: Actor;
  readonly usuryTables: readonly UsuryCapTable[];
}

export type ProductCommand = ChangeProductTerms;
