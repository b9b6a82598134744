import { join, resolve } from 'node:path';
import { z } from 'zod';

export const DEV_ISSUER = 'https://auth.tremplin.local';
export const DEFAULT_AUDIENCE = 'tremplin';
/** Asymmetric only, one per key type: HS* (secret confusion with a public key) and `none` are never accepted. */
export const ACCEPTED_ALGORITHMS = ['ES256', 'RS256'] as const;
export const REPO_DEV_KEYS_DIR = resolve(__dirname, '..', '..', '..', '.dev-keys');

export type KeySource = { readonly kind: 'jwks-url'; readonly url: string } | { readonly kind: 'dev-keys'; readonly dir: string };

export interface AuthConfig {
  readonly issuer: string;
  readonly audience: string;
  readonly keys: KeySource;
  readonly clockToleranceSeconds: number;
}

export class AuthConfigError extends Error {
  readonly code = 'AUTH_CONFIG_INVALID';
}

const envSchema = z
  .object({
    NODE_ENV: z.string().optional(),
    AUTH_ISSUER: z.url().optional(),
    AUTH_AUDIENCE: z.string().min(1).optional(),
    AUTH_JWKS_URL: z.url().optional(),
    AUTH_DEV_KEYS_DIR: z.string().min(1).optional(),
    AUTH_CLOCK_TOLERANCE_SECONDS: z.coerce.number().int().min(0).max(300).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    if (!env.AUTH_ISSUER) ctx.addIssue({ code: 'custom', path: ['AUTH_ISSUER'], message: 'is required in production' });
    if (!env.AUTH_JWKS_URL) ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'is required in production' });
    else if (!env.AUTH_JWKS_URL.startsWith('https://')) ctx.addIssue({ code: 'custom', path: ['AUTH_JWKS_URL'], message: 'must be https in production' });
    if (env.AUTH_DEV_KEYS_DIR) ctx.addIssue({ code: 'custom', path: ['AUTH_DEV_KEYS_DIR'], message: 'development keys are refused in production' });
  });

/** Reads and validates the auth settings once at start-up; a bad setting stops the service with its name. */
export function authConfigFromEnv(env: Record<string, string | undefined> = process.env): AuthConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new AuthConfigError(`invalid auth configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    issuer: e.AUTH_ISSUER ?? DEV_ISSUER,
    audience: e.AUTH_AUDIENCE ?? DEFAULT_AUDIENCE,
    keys: e.AUTH_JWKS_URL ? { kind: 'jwks-url', url: e.AUTH_JWKS_URL } : { kind: 'dev-keys', dir: e.AUTH_DEV_KEYS_DIR ? resolve(e.AUTH_DEV_KEYS_DIR) : REPO_DEV_KEYS_DIR },
    clockToleranceSeconds: e.AUTH_CLOCK_TOLERANCE_SECONDS ?? 30,
  };
}

export function devKeyFile(dir: string): string {
  return join(dir, 'auth-es256.private.jwk.json');
}
