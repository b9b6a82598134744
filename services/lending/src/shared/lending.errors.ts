// Pure: deciders throw these; the HTTP layer maps `kind` to a status (state → 409, rule → 400, forbidden → 403,
// notFound → 404) and consumers skip them (a business refusal is never a poison message).
export type LendingErrorKind = 'state' | 'rule' | 'forbidden' | 'notFound';

export class LendingError extends Error {
  override readonly name = 'LendingError';

  constructor(
    readonly kind: LendingErrorKind,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

export const stateError = (code: string, message: string, field?: string) => new LendingError('state', code, message, field);
export const ruleError = (code: string, message: string, field?: string) => new LendingError('rule', code, message, field);
export const forbiddenError = (code: string, message: string, field?: string) => new LendingError('forbidden', code, message, field);
