import type { z } from 'zod';

/**
 * Keys that name personal data. Keys are split into lower-case words first (`dateOfBirth` → `date_of_birth`)
 * so that `city` flags `birthCity` but not `capacity`, and `rib` flags `ribKey` but not `distribution`.
 */
export const PERSONAL_DATA_KEY_PATTERNS: readonly RegExp[] = [
  /(^|_)(first|last|full|sur|fore|given|family|maiden|birth|user|display|nick)?_?name(_|$)/,
  /(^|_)(firstname|lastname|fullname|surname|forename)(_|$)/,
  /(^|_)address(es)?(_|$)/,
  /(^|_)street(_|$)/,
  /(^|_)city(_|$)/,
  /(^|_)(post_?code|postal(_code)?|zip(_?code)?)(_|$)/,
  /(^|_)(tele)?phone(s|_number)?(_|$)/,
  /(^|_)mobile(_|$)/,
  /(^|_)e_?mails?(_|$)/,
  /(^|_)birth(_?date|day)?(_|$)/,
  /(^|_)date_of_birth(_|$)/,
  /(^|_)(iban|bic|rib|swift)(_|$)/,
  /(^|_)notes?(_|$)/,
  /(^|_)comments?(_|$)/,
  /(^|_)free_?text(_|$)/,
  /(^|_)descriptions?(_|$)/,
  /(^|_)(nir|ssn|social_security(_number)?)(_|$)/,
];

export function wordsOfKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z])([A-Z][a-z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toLowerCase();
}

export function isPersonalDataKey(key: string): boolean {
  const words = wordsOfKey(key);
  return PERSONAL_DATA_KEY_PATTERNS.some((pattern) => pattern.test(words));
}

/** Every object key reachable in a zod schema, as dotted paths (`[]` marks array items). */
export function schemaKeyPaths(schema: z.ZodType): string[] {
  const paths: string[] = [];
  const visiting = new Set<unknown>();
  const walk = (node: unknown, path: string): void => {
    const def = (node as { _zod?: { def?: Record<string, unknown> } })?._zod?.def;
    if (!def || visiting.has(node)) return;
    visiting.add(node);
    if (def.type === 'object') {
      for (const [key, child] of Object.entries(def.shape as Record<string, unknown>)) {
        const childPath = path ? `${path}.${key}` : key;
        paths.push(childPath);
        walk(child, childPath);
      }
      if (def.catchall) walk(def.catchall, `${path}.*`);
    } else if (def.type === 'lazy') {
      walk((def.getter as () => unknown)(), path);
    } else {
      const suffix = def.type === 'array' || def.type === 'set' ? '[]' : def.type === 'record' || def.type === 'map' ? '{}' : '';
      for (const value of Object.values(def)) {
        for (const child of Array.isArray(value) ? value : [value]) {
          if ((child as { _zod?: unknown })?._zod) walk(child, `${path}${suffix}`);
        }
      }
    }
    visiting.delete(node);
  };
  walk(schema, '');
  return paths;
}

/** The paths whose last key names personal data. */
export function findPersonalDataKeys(schema: z.ZodType): string[] {
  return schemaKeyPaths(schema).filter((path) => isPersonalDataKey(path.split('.').at(-1)!.replace(/(\[\]|\{\})+$/, '')));
}
