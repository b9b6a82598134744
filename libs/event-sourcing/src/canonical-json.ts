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
  try {
    return write(value);
  } catch (error) {
    if (error instanceof Refused) throw new NotCanonicalisableError(error.path(), error.reason);
    throw error;
  }
}

// Appends run this for every event, so the writer builds no path strings on the way down (the path of a refused
// value is collected while the error unwinds) and sorts only the objects whose keys are not already in order.
class Refused {
  private readonly segments: Array<string | number> = [];
  constructor(readonly reason: string) {}
  at(segment: string | number): this {
    this.segments.push(segment);
    return this;
  }
  path(): string {
    let path = '';
    for (let i = this.segments.length - 1; i >= 0; i -= 1) {
      const segment = this.segments[i];
      path = typeof segment === 'number' ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment;
    }
    return path;
  }
}

function write(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new Refused(`non-finite number ${value}`);
      // Number-to-string is what JSON.stringify writes for every finite number (-0 included: "0").
      return String(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      if (value === null) return 'null';
      if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return write((value as { toJSON: () => unknown }).toJSON());
      return Array.isArray(value) ? writeArray(value) : writeObject(value as Record<string, unknown>);
    default:
      throw new Refused(`unsupported type ${typeof value}`);
  }
}

function writeArray(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (i > 0) out += ',';
    if (item === undefined || typeof item === 'function') {
      out += 'null';
      continue;
    }
    try {
      out += write(item);
    } catch (error) {
      throw error instanceof Refused ? error.at(i) : error;
    }
  }
  return `${out}]`;
}

function writeObject(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  for (let i = 1; i < keys.length; i += 1) {
    if (keys[i - 1] > keys[i]) {
      keys.sort();
      break;
    }
  }
  let out = '{';
  for (const key of keys) {
    const item = record[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    if (out.length > 1) out += ',';
    try {
      out += `${JSON.stringify(key)}:${write(item)}`;
    } catch (error) {
      throw error instanceof Refused ? error.at(key) : error;
    }
  }
  return `${out}}`;
}
