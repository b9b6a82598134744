export type FinanceErrorCode =
  | 'AMOUNT_NOT_INTEGER_CENTS'
  | 'AMOUNT_UNSAFE'
  | 'AMOUNT_NEGATIVE'
  | 'AMOUNT_NOT_POSITIVE'
  | 'DATE_INVALID'
  | 'DATE_RANGE_INVERTED'
  | 'RATE_INVALID'
  | 'TERM_INVALID'
  | 'COUNT_INVALID'
  | 'TAEG_NET_AMOUNT_NOT_POSITIVE'
  | 'TAEG_NO_SOLUTION'
  | 'USURY_TABLE_MISSING'
  | 'SCHEDULE_EMPTY'
  | 'SCHEDULE_INCONSISTENT'
  | 'TERM_NOT_LONGER'
  | 'INSTALMENT_NOT_LOWER'
  | 'INSTALMENT_DOES_NOT_COVER_INTEREST'
  | 'TERM_TOO_LONG'
  | 'HOUSEHOLD_INVALID'
  | 'EARLY_REPAYMENT_DATE_INVALID'
  | 'EARLY_REPAYMENT_NOT_PARTIAL'
  | 'USURY_UPDATE_INVALID'
  | 'USURY_TABLE_OVERLAP';

// One error type with a stable `code` (what callers switch on) and the offending `field` (what a 400 names).
export class FinanceError extends Error {
  override readonly name = 'FinanceError';

  constructor(
    readonly code: FinanceErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
