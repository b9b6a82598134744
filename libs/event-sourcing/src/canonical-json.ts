export class NotCanonicalisableError extends Error {
  readonly code = 'NOT_CANONICALISABLE';
  constructor(readonly path: string, reason: string) {
    super(`cannot canonicalise ${path || '<root>'}: ${reason}`);
    this.name = 'NotCanonicalisableError';
  }
}

/**
 * JSON with object keys sorted (by UTF-16 code units, as Array.prototype.sort does) and no whitespace, so the
 * same value always yields the same bytes (RFC 8785 in spirit). Values that JSON cannot carry exactly
 * (NaN, Infinity, bigint, functions) are refused rather than silently changed.
 */
export function canonicalJson(value: unknown): string {
  return write(value, '');
}

function write(value: unknown, path: string): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new NotCanonicalisableError(path, `non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      const withJson = value as { toJSON?: () => unknown };
      if (typeof withJson.toJSON === 'function') return write(withJson.toJSON(), path);
      if (Array.isArray(value)) {
        return `[${value.map((item, i) => (item === undefined || typeof item === 'function' ? 'null' : write(item, `${path}[${i}]`))).join(',')}]`;
      }
      const record = value as Record<string, unknown>;
      const parts: string[] = [];
      for (const key of Object.keys(record).sort()) {
        const item = record[key];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        parts.push(`${JSON.stringify(key)}:${write(item, path ? `${path}.${key}` : key)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new NotCanonicalisableError(path, `unsupported type ${typeof value}`);
  }
}
