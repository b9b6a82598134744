import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { devKeyFile } from './config';
import { jose, type JWK } from './jose';

export interface DevSigningKey {
  readonly kid: string;
  readonly alg: 'ES256';
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/**
 * The development key pair, created on first use in a gitignored folder (never committed, never used in
 * production). Creation is race-safe: a complete file is linked into place, so a concurrent reader never sees
 * half a key and two first users end up with the same key.
 */
export async function loadOrCreateDevSigningKey(dir: string): Promise<DevSigningKey> {
  const file = devKeyFile(dir);
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true });
  const jwk = await jose.exportJWK(privateKey);
  const kid = await jose.calculateJwkThumbprint(jwk);
  const temp = `${file}.${randomUUID()}.tmp`;
  await writeFile(temp, JSON.stringify({ ...jwk, kid, alg: 'ES256', use: 'sig' }, null, 2), { mode: 0o600 });
  try {
    await link(temp, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp);
  }
  const created = await readKeyFile(file);
  if (!created) throw new Error(`could not create the development key in ${dir}`);
  return created;
}

async function readKeyFile(file: string): Promise<DevSigningKey | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const privateJwk = JSON.parse(text) as JWK;
  if (privateJwk.kty !== 'EC' || privateJwk.crv !== 'P-256' || !privateJwk.d || !privateJwk.kid) {
    throw new Error(`${file} is not an ES256 private JWK with a kid`);
  }
  const { kty, crv, x, y, kid } = privateJwk;
  return { kid, alg: 'ES256', privateJwk, publicJwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } };
}

export interface DevTokenRequest {
  readonly role: string;
  readonly tenants: readonly string[];
  readonly userId?: string;
  readonly organisationId?: string;
  readonly organisationKind?: string;
  readonly ttlSeconds?: number;
  /** Seconds since the epoch; the signer's clock by default. */
  readonly now?: number;
}

export async function signDevToken(
  key: DevSigningKey,
  request: DevTokenRequest,
  options: { issuer: string; audience: string },
): Promise<string> {
  const now = request.now ?? Math.floor(Date.now() / 1000);
  return new jose.SignJWT({
    org: request.organisationId ?? `org-${request.tenants[0] ?? 'platform'}`,
    org_kind: request.organisationKind,
    role: request.role,
    tenants: [...request.tenants],
  })
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .setSubject(request.userId ?? `dev-${request.role}`)
    .setIssuer(options.issuer)
    .setAudience(options.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + (request.ttlSeconds ?? 3600))
    .setJti(randomUUID())
    .sign(await jose.importJWK(key.privateJwk, key.alg));
}
