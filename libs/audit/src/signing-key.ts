import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const REPO_DEV_KEYS_DIR = resolve(__dirname, '..', '..', '..', '.dev-keys');
export const DEV_CHECKPOINT_KEY_FILE = join(REPO_DEV_KEYS_DIR, 'audit-checkpoint-ed25519.pem');

export class SigningKeyError extends Error {
  readonly code = 'AUDIT_KEY_INVALID';
}

export interface CheckpointSigner {
  readonly keyId: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** The key id is the sha256 of the public key's SubjectPublicKeyInfo: anyone holding the public key can recompute it. */
export const keyIdOf = (publicKey: KeyObject): string => createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');

export const publicKeyPem = (publicKey: KeyObject): string => publicKey.export({ type: 'spki', format: 'pem' }).toString();

function ed25519(key: KeyObject, file: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new SigningKeyError(`${file} is not an Ed25519 key (found ${key.asymmetricKeyType})`);
  return key;
}

/**
 * The platform's checkpoint key: AUDIT_CHECKPOINT_KEY_FILE (a PKCS#8 PEM Ed25519 private key), or in development a key
 * created on first use in the gitignored .dev-keys folder, like the JWT development keys. Production requires the file.
 */
export async function loadCheckpointSigner(env: Record<string, string | undefined> = process.env): Promise<CheckpointSigner> {
  const configured = env.AUDIT_CHECKPOINT_KEY_FILE;
  if (!configured && env.NODE_ENV === 'production') throw new SigningKeyError('AUDIT_CHECKPOINT_KEY_FILE is required in production');
  const file = configured ? resolve(configured) : DEV_CHECKPOINT_KEY_FILE;
  let pem = await readOptional(file);
  if (pem === undefined) {
    if (configured) throw new SigningKeyError(`AUDIT_CHECKPOINT_KEY_FILE: ${file} does not exist`);
    pem = await createDevKey(file);
  }
  const privateKey = ed25519(createPrivateKey(pem), file);
  const publicKey = createPublicKey(privateKey);
  return { keyId: keyIdOf(publicKey), privateKey, publicKey };
}

/** The key a checkpoint is checked with: a public key file the auditor was given, else the configured signer's. */
export async function loadVerificationKey(file: string | undefined, env: Record<string, string | undefined> = process.env): Promise<KeyObject> {
  if (!file) return (await loadCheckpointSigner(env)).publicKey;
  const pem = await readOptional(resolve(file));
  if (pem === undefined) throw new SigningKeyError(`public key file ${file} does not exist`);
  return ed25519(createPublicKey(pem), file);
}

async function readOptional(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

// Linked into place complete, so two first users at once end up with the same key and nobody reads half a file.
async function createDevKey(file: string): Promise<string> {
  await mkdir(join(file, '..'), { recursive: true, mode: 0o700 });
  const { privateKey } = generateKeyPairSync('ed25519');
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  return readFile(file, 'utf8');
}
