import { randomUUID } from 'node:crypto';
import { withTransaction, type Pool, type PoolClient } from '@tremplin/pg';
import { currentContext } from '@tremplin/tenancy';
import { keyFingerprint, newKey, open, seal, unwrapKey, wrapKey } from './crypto';
import { collectEnvelopes, ERASED, mapEnvelopes, mapPaths, type PiiEnvelope } from './fields';

export class PersonErasedError extends Error {
  readonly code = 'PERSON_ERASED';
  constructor(readonly personId: string) {
    super(`person ${personId} has been erased: no personal data can be recorded for them any more`);
  }
}

export class MasterKeyMismatchError extends Error {
  readonly code = 'MASTER_KEY_MISMATCH';
  constructor(tenantId: string) {
    super(`the key of tenant ${tenantId} was wrapped by another master key than PRIVACY_MASTER_KEY`);
  }
}

/** What a tenant key's wrapping is bound to: a wrapped key moved to another tenant or id does not open. */
export const tenantKeyAad = (tenantId: string, keyId: string) => `tenant-key:v1:${tenantId}:${keyId}`;

export class VaultTenantMismatchError extends Error {
  readonly code = 'TENANT_MISMATCH';
  constructor(requested: string, current: string) {
    super(`asked to use the keys of tenant ${requested} while acting for tenant ${current}`);
  }
}

export interface Erasure {
  readonly tenantId: string;
  readonly personId: string;
  /** The deleted key, if the person had one; undefined when they were already erased or never had data. */
  readonly keyId?: string;
  readonly alreadyErased: boolean;
}

export interface PrivacyVault {
  /** The same data with the fields at `paths` replaced by { $pii: { k, iv, ct, tag } } under the person's key. */
  encryptFields<T>(tenantId: string, personId: string, data: T, paths: readonly string[]): Promise<T>;
  /** The same data with every envelope decrypted, or "[erased]" where the key is gone. */
  decryptFields<T>(tenantId: string, data: T): Promise<T>;
  /** Deletes the person's key (crypto-shredding) and records the erasure; effective at once in this process. */
  erase(tenantId: string, personId: string): Promise<Erasure>;
  isErased(tenantId: string, personId: string): Promise<boolean>;
}

export interface VaultOptions {
  readonly masterKey: Buffer;
  /**
   * Master keys being rotated away from: tenant keys still wrapped by one of them are read with it, while new
   * tenant keys are wrapped by `masterKey` only (see rotateMasterKey and docs/operations.md).
   */
  readonly previousMasterKeys?: readonly Buffer[];
  readonly keyCacheTtlMs?: number;
  /** Milliseconds clock for cache expiry (tests); Date.now by default. */
  readonly now?: () => number;
}

interface CachedKey {
  readonly keyId: string;
  readonly key: Buffer;
  readonly expiresAt: number;
}

const MAX_CACHED_KEYS = 10_000;

export function createPrivacyVault(pool: Pool, options: VaultOptions): PrivacyVault {
  const masterKey = options.masterKey;
  const fingerprint = keyFingerprint(masterKey);
  const readableMasterKeys = new Map<string, Buffer>([...(options.previousMasterKeys ?? []), masterKey].map((key) => [keyFingerprint(key), key]));
  const ttl = options.keyCacheTtlMs ?? 60_000;
  const now = options.now ?? Date.now;
  const tenantKeys = new Map<string, CachedKey>();
  const personKeys = new Map<string, CachedKey>(); // by tenant + key id
  const personKeyIds = new Map<string, string>(); // tenant + person → key id
  // Erased keys are refused by the cache even if a read that started before the erasure finishes after it.
  const erasedKeys = new Set<string>();

  const fresh = (entry: CachedKey | undefined) => (entry && entry.expiresAt > now() ? entry : undefined);
  const remember = (map: Map<string, CachedKey>, cacheKey: string, keyId: string, key: Buffer) => {
    if (ttl === 0 || erasedKeys.has(`${cacheKey.split('\0')[0]}\0${keyId}`)) return;
    if (map.size >= MAX_CACHED_KEYS) map.delete(map.keys().next().value as string);
    map.set(cacheKey, { keyId, key, expiresAt: now() + ttl });
  };

  function inTenant<T>(tenantId: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return withTransaction(pool, fn, { tenantId });
  }

  async function tenantKey(client: PoolClient, tenantId: string): Promise<CachedKey> {
    const cached = fresh(tenantKeys.get(tenantId));
    if (cached) return cached;
    const select = () =>
      client.query<{ key_id: string; master_key_fingerprint: string; wrapped_key: Buffer }>(
        'SELECT key_id, master_key_fingerprint, wrapped_key FROM privacy.tenant_keys WHERE tenant_id = $1',
        [tenantId],
      );
    let row = (await select()).rows[0];
    if (!row) {
      const keyId = randomUUID();
      // Two first writers of a tenant may race: the loser's key is discarded and both use the winner's.
      await client.query(
        `INSERT INTO privacy.tenant_keys (tenant_id, key_id, master_key_fingerprint, wrapped_key) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id) DO NOTHING`,
        [tenantId, keyId, fingerprint, wrapKey(masterKey, newKey(), tenantKeyAad(tenantId, keyId))],
      );
      row = (await select()).rows[0];
    }
    const wrapping = readableMasterKeys.get(row.master_key_fingerprint);
    if (!wrapping) throw new MasterKeyMismatchError(tenantId);
    const key = unwrapKey(wrapping, row.wrapped_key, tenantKeyAad(tenantId, row.key_id));
    remember(tenantKeys, tenantId, row.key_id, key);
    return { keyId: row.key_id, key, expiresAt: now() + ttl };
  }

  async function personKeyForWriting(tenantId: string, personId: string): Promise<CachedKey> {
    const knownKeyId = personKeyIds.get(`${tenantId}\0${personId}`);
    const cached = knownKeyId ? fresh(personKeys.get(`${tenantId}\0${knownKeyId}`)) : undefined;
    if (cached) return cached;
    return inTenant(tenantId, async (client) => {
      // Serialises key creation with erase() for this person, so no key can be created after an erasure.
      await client.query(`SELECT pg_advisory_xact_lock(hashtext('privacy:' || $1 || ':' || $2))`, [tenantId, personId]);
      const erased = await client.query('SELECT 1 FROM privacy.erasures WHERE tenant_id = $1 AND person_id = $2', [tenantId, personId]);
      if (erased.rowCount) throw new PersonErasedError(personId);
      const existing = await client.query<{ key_id: string; tenant_key_id: string; wrapped_key: Buffer }>(
        'SELECT key_id, tenant_key_id, wrapped_key FROM privacy.person_keys WHERE tenant_id = $1 AND person_id = $2',
        [tenantId, personId],
      );
      const tenant = await tenantKey(client, tenantId);
      let keyId: string;
      let key: Buffer;
      if (existing.rows[0]) {
        keyId = existing.rows[0].key_id;
        key = unwrapKey(tenant.key, existing.rows[0].wrapped_key, personKeyAad(tenantId, personId, keyId));
      } else {
        keyId = randomUUID();
        key = newKey();
        await client.query(
          'INSERT INTO privacy.person_keys (key_id, tenant_id, person_id, tenant_key_id, wrapped_key) VALUES ($1, $2, $3, $4, $5)',
          [keyId, tenantId, personId, tenant.keyId, wrapKey(tenant.key, key, personKeyAad(tenantId, personId, keyId))],
        );
      }
      return { keyId, key, expiresAt: now() + ttl };
    }).then((entry) => {
      remember(personKeys, `${tenantId}\0${entry.keyId}`, entry.keyId, entry.key);
      personKeyIds.set(`${tenantId}\0${personId}`, entry.keyId);
      return entry;
    });
  }

  async function personKeysForReading(tenantId: string, keyIds: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const missing: string[] = [];
    for (const keyId of keyIds) {
      if (erasedKeys.has(`${tenantId}\0${keyId}`)) continue;
      const cached = fresh(personKeys.get(`${tenantId}\0${keyId}`));
      if (cached) found.set(keyId, cached.key);
      else missing.push(keyId);
    }
    if (missing.length === 0) return found;
    const loaded = await inTenant(tenantId, async (client) => {
      const rows = (
        await client.query<{ key_id: string; person_id: string; wrapped_key: Buffer }>(
          'SELECT key_id, person_id, wrapped_key FROM privacy.person_keys WHERE tenant_id = $1 AND key_id = ANY($2::uuid[])',
          [tenantId, missing.filter(isUuid)],
        )
      ).rows;
      if (rows.length === 0) return [];
      const tenant = await tenantKey(client, tenantId);
      return rows.map((row) => ({ keyId: row.key_id, key: unwrapKey(tenant.key, row.wrapped_key, personKeyAad(tenantId, row.person_id, row.key_id)) }));
    });
    for (const { keyId, key } of loaded) {
      remember(personKeys, `${tenantId}\0${keyId}`, keyId, key);
      if (!erasedKeys.has(`${tenantId}\0${keyId}`)) found.set(keyId, key);
    }
    return found;
  }

  return {
    async encryptFields(tenantId, personId, data, paths) {
      checkTenant(tenantId);
      if (paths.length === 0) return data;
      const { keyId, key } = await personKeyForWriting(tenantId, personId);
      return mapPaths(data, paths, (value): PiiEnvelope => {
        const { iv, ct, tag } = seal(key, Buffer.from(JSON.stringify(value), 'utf8'), fieldAad(tenantId, keyId));
        return { $pii: { k: keyId, iv: iv.toString('base64'), ct: ct.toString('base64'), tag: tag.toString('base64') } };
      }) as typeof data;
    },

    async decryptFields(tenantId, data) {
      checkTenant(tenantId);
      const envelopes = collectEnvelopes(data);
      if (envelopes.length === 0) return data;
      const keys = await personKeysForReading(tenantId, [...new Set(envelopes.map((e) => e.$pii.k))]);
      return mapEnvelopes(data, ({ $pii }) => {
        const key = keys.get($pii.k);
        if (!key) return ERASED;
        const sealed = { iv: Buffer.from($pii.iv, 'base64'), ct: Buffer.from($pii.ct, 'base64'), tag: Buffer.from($pii.tag, 'base64') };
        return JSON.parse(open(key, sealed, fieldAad(tenantId, $pii.k)).toString('utf8')) as unknown;
      }) as typeof data;
    },

    async erase(tenantId, personId) {
      checkTenant(tenantId);
      const context = currentContext();
      const result = await inTenant(tenantId, async (client) => {
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('privacy:' || $1 || ':' || $2))`, [tenantId, personId]);
        const deleted = await client.query<{ key_id: string }>(
          'DELETE FROM privacy.person_keys WHERE tenant_id = $1 AND person_id = $2 RETURNING key_id',
          [tenantId, personId],
        );
        const keyId = deleted.rows[0]?.key_id;
        const recorded = await client.query(
          `INSERT INTO privacy.erasures (tenant_id, person_id, key_id, erased_by, correlation_id) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (tenant_id, person_id) DO NOTHING`,
          [tenantId, personId, keyId ?? null, context?.actor?.userId ?? null, context?.correlationId ?? null],
        );
        return { keyId, alreadyErased: recorded.rowCount === 0 };
      });
      const knownKeyId = result.keyId ?? personKeyIds.get(`${tenantId}\0${personId}`);
      if (knownKeyId) {
        erasedKeys.add(`${tenantId}\0${knownKeyId}`);
        personKeys.delete(`${tenantId}\0${knownKeyId}`);
      }
      personKeyIds.delete(`${tenantId}\0${personId}`);
      return { tenantId, personId, ...(result.keyId ? { keyId: result.keyId } : {}), alreadyErased: result.alreadyErased };
    },

    async isErased(tenantId, personId) {
      checkTenant(tenantId);
      const rows = await inTenant(tenantId, (client) =>
        client.query('SELECT 1 FROM privacy.erasures WHERE tenant_id = $1 AND person_id = $2', [tenantId, personId]),
      );
      return (rows.rowCount ?? 0) > 0;
    },
  };
}

// Keys are asked for by tenant explicitly; acting for one tenant while using another's keys is a bug.
function checkTenant(tenantId: string): void {
  const current = currentContext()?.tenantId;
  if (current && current !== tenantId) throw new VaultTenantMismatchError(tenantId, current);
}

function personKeyAad(tenantId: string, personId: string, keyId: string): string {
  return `person-key:v1:${tenantId}:${personId}:${keyId}`;
}

function fieldAad(tenantId: string, keyId: string): string {
  return `pii:v1:${tenantId}:${keyId}`;
}

function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
