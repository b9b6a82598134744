import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { KEY_BYTES } from './crypto';

export const REPO_DEV_KEYS_DIR = resolve(__dirname, '..', '..', '..', '.dev-keys');

export interface PrivacyConfig {
  readonly masterKey: Buffer;
  /** PRIVACY_PREVIOUS_MASTER_KEYS: keys being rotated away from, still accepted for reading. */
  readonly previousMasterKeys: readonly Buffer[];
  /** How long an unwrapped key stays in memory. Erasure is immediate in this process; other processes see it within this time. */
  readonly keyCacheTtlMs: number;
}

export class PrivacyConfigError extends Error {
  readonly code = 'PRIVACY_CONFIG_INVALID';
}

/**
 * PRIVACY_MASTER_KEY: base64 of 32 random bytes, required in production. In development, absent, a key is
 * generated once into PRIVACY_DEV_KEYS_DIR (default <repo>/.dev-keys, gitignored) and reused.
 */
export async function privacyConfigFromEnv(env: Record<string, string | undefined> = process.env): Promise<PrivacyConfig> {
  const keyCacheTtlMs = env.PRIVACY_KEY_CACHE_TTL_MS === undefined ? 60_000 : Number(env.PRIVACY_KEY_CACHE_TTL_MS);
  if (!Number.isInteger(keyCacheTtlMs) || keyCacheTtlMs < 0 || keyCacheTtlMs > 3_600_000) {
    throw new PrivacyConfigError('PRIVACY_KEY_CACHE_TTL_MS must be an integer between 0 and 3600000');
  }
  const previousMasterKeys = (env.PRIVACY_PREVIOUS_MASTER_KEYS ?? '')
    .split(',')
    .map((text) => text.trim())
    .filter(Boolean)
    .map((text) => decodeMasterKey(text, 'PRIVACY_PREVIOUS_MASTER_KEYS'));
  if (env.PRIVACY_MASTER_KEY !== undefined) return { masterKey: decodeMasterKey(env.PRIVACY_MASTER_KEY), previousMasterKeys, keyCacheTtlMs };
  if (env.NODE_ENV === 'production') throw new PrivacyConfigError('PRIVACY_MASTER_KEY is required in production');
  return { masterKey: await devMasterKey(env.PRIVACY_DEV_KEYS_DIR ? resolve(env.PRIVACY_DEV_KEYS_DIR) : REPO_DEV_KEYS_DIR), previousMasterKeys, keyCacheTtlMs };
}

export function decodeMasterKey(text: string, variable = 'PRIVACY_MASTER_KEY'): Buffer {
  const trimmed = text.trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed)) throw new PrivacyConfigError(`${variable} must be base64`);
  const key = Buffer.from(trimmed, 'base64');
  if (key.length !== KEY_BYTES) throw new PrivacyConfigError(`${variable} must decode to ${KEY_BYTES} bytes, got ${key.length}`);
  return key;
}

async function devMasterKey(dir: string): Promise<Buffer> {
  const file = join(dir, 'privacy-master.key');
  try {
    return decodeMasterKey(await readFile(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  // 'wx': if another process created it meanwhile, keep theirs.
  await writeFile(file, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return decodeMasterKey(await readFile(file, 'utf8'));
}
