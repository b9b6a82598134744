const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND']);

/** The database went away (not a bad statement): retry later, never blame the message. */
export function isConnectionError(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  return /^(08|57P|53)/.test(code) || CONNECTION_CODES.has(code) || /Connection terminated|not queryable|timeout exceeded when trying to connect/i.test(String((error as Error)?.message));
}

/** Worth retrying without counting against the message: infrastructure trouble, or a concurrency abort. */
export function isTransientError(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  return isConnectionError(error) || code === '40001' || code === '40P01';
}
