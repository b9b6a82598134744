/**
 * A personal field as the domain holds it: already encrypted under the person's key by the handler (libs/privacy),
 * so deciders, events and the store never see the plaintext. Erasing the person's key makes it unreadable.
 */
export interface Sealed {
  readonly $pii: { readonly k: string; readonly iv: string; readonly ct: string; readonly tag: string };
}

export function isSealed(value: unknown): value is Sealed {
  if (typeof value !== 'object' || value === null || !('$pii' in value)) return false;
  const pii = (value as { $pii: unknown }).$pii;
  return typeof pii === 'object' && pii !== null && ['k', 'iv', 'ct', 'tag'].every((f) => typeof (pii as Record<string, unknown>)[f] === 'string');
}
