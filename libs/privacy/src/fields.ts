export const ERASED = '[erased]';

export interface PiiEnvelope {
  readonly $pii: { readonly k: string; readonly iv: string; readonly ct: string; readonly tag: string };
}

export function isPiiEnvelope(value: unknown): value is PiiEnvelope {
  if (typeof value !== 'object' || value === null || !('$pii' in value)) return false;
  const pii = (value as { $pii: unknown }).$pii;
  return typeof pii === 'object' && pii !== null && ['k', 'iv', 'ct', 'tag'].every((f) => typeof (pii as Record<string, unknown>)[f] === 'string');
}

/**
 * A copy of `data` where the value at each path (dot separated, `*` for every element of an array or every
 * value of an object) is replaced by transform(value). Missing paths are left alone; nothing is mutated.
 */
export function mapPaths(data: unknown, paths: readonly string[], transform: (value: unknown) => unknown): unknown {
  return paths.reduce((acc, path) => mapPath(acc, path.split('.'), transform), data);
}

function mapPath(node: unknown, segments: readonly string[], transform: (value: unknown) => unknown): unknown {
  if (segments.length === 0) return node === undefined ? node : transform(node);
  if (typeof node !== 'object' || node === null) return node;
  const [head, ...rest] = segments;
  if (Array.isArray(node)) {
    if (head === '*') return node.map((item) => mapPath(item, rest, transform));
    const index = Number(head);
    if (!Number.isInteger(index) || index < 0 || index >= node.length) return node;
    return node.map((item, i) => (i === index ? mapPath(item, rest, transform) : item));
  }
  const record = node as Record<string, unknown>;
  if (head === '*') return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, mapPath(v, rest, transform)]));
  if (!Object.prototype.hasOwnProperty.call(record, head)) return node;
  return { ...record, [head]: mapPath(record[head], rest, transform) };
}

/** Every envelope anywhere in data (decryption needs no list of paths: the envelope marks itself). */
export function collectEnvelopes(data: unknown, into: PiiEnvelope[] = []): PiiEnvelope[] {
  if (isPiiEnvelope(data)) into.push(data);
  else if (Array.isArray(data)) data.forEach((item) => collectEnvelopes(item, into));
  else if (typeof data === 'object' && data !== null) Object.values(data).forEach((value) => collectEnvelopes(value, into));
  return into;
}

export function mapEnvelopes(data: unknown, transform: (envelope: PiiEnvelope) => unknown): unknown {
  if (isPiiEnvelope(data)) return transform(data);
  if (Array.isArray(data)) return data.map((item) => mapEnvelopes(item, transform));
  if (typeof data === 'object' && data !== null) return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, mapEnvelopes(v, transform)]));
  return data;
}
