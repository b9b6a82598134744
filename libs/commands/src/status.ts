import type { DomainErrorKind } from '@tremplin/event-sourcing';

/**
 * The one map from a refusal's kind to its HTTP status (ADR 0004). A broken business rule is bad input (400 with
 * its code and field); 422 stays reserved for a reused Idempotency-Key.
 */
export function httpStatusOf(kind: DomainErrorKind): number {
  switch (kind) {
    case 'rule':
      return 400;
    case 'forbidden':
      return 403;
    case 'notFound':
      return 404;
    case 'state':
    case 'conflict':
      return 409;
    default: {
      const unmapped: never = kind;
      throw new Error(`unmapped error kind ${String(unmapped)}`);
    }
  }
}
