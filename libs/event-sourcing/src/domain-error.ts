// Pure: deciders throw these on the request path. One kind → one HTTP status, mapped once in the service kit
// (ADR 0004): rule → 400, forbidden → 403, notFound → 404, state and conflict → 409. Consumers never treat them
// as poison: a business refusal is an outcome, not a broken message.
export type DomainErrorKind = 'rule' | 'state' | 'forbidden' | 'notFound' | 'conflict';

export const DOMAIN_ERROR_KINDS: readonly DomainErrorKind[] = ['rule', 'state', 'forbidden', 'notFound', 'conflict'];

export class DomainError extends Error {
  override readonly name = 'DomainError';

  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const ruleError = (code: string, message: string, field?: string) => new DomainError('rule', code, message, field);
export const stateError = (code: string, message: string, field?: string) => new DomainError('state', code, message, field);
export const forbiddenError = (code: string, message: string, field?: string) => new DomainError('forbidden', code, message, field);
export const notFoundError = (code: string, message: string, field?: string) => new DomainError('notFound', code, message, field);
export const conflictError = (code: string, message: string, field?: string) => new DomainError('conflict', code, message, field);

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
