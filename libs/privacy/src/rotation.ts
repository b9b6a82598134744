import { Client } from 'pg';
import { keyFingerprint, unwrapKey, wrapKey } from './crypto';
import { tenantKeyAad } from './vault';

export interface RotationReport {
  /** Tenant keys now wrapped by the new master key that were wrapped by a previous one. */
  readonly rewrapped: readonly string[];
  /** Tenant keys that were already under the new master key. */
  readonly alreadyCurrent: readonly string[];
  /** The new master key's fingerprint, as stored next to each tenant key. */
  readonly fingerprint: string;
}

export class RotationError extends Error {
  readonly code = 'MASTER_KEY_UNKNOWN';
  constructor(readonly tenants: readonly string[]) {
    super(`tenant keys of ${tenants.join(', ')} are wrapped by a master key that is neither the new one nor one of the previous keys given: nothing was changed`);
  }
}

/**
 * Master-key rotation: every tenant key is unwrapped with the previous master key that wrapped it and wrapped
 * again under the new one, in one transaction per database; person keys (wrapped by tenant keys) and the
 * encrypted events are untouched, so every field still decrypts and erased people stay erased. Idempotent: a
 * second run finds every key current. Needs a maintenance connection that sees every tenant's row (superuser or
 * BYPASSRLS: row-level security is forced on the key tables), like a backup does.
 */
export async function rotateMasterKey(databaseUrl: string, keys: { readonly masterKey: Buffer; readonly previousMasterKeys: readonly Buffer[] }): Promise<RotationReport> {
  const fingerprint = keyFingerprint(keys.masterKey);
  const previous = new Map(keys.previousMasterKeys.map((key) => [keyFingerprint(key), key]));
  const client = new Client({ connectionString: databaseUrl, application_name: 'privacy-rotate-master-key' });
  await client.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query<{ tenant_id: string; key_id: string; master_key_fingerprint: string; wrapped_key: Buffer }>(
      'SELECT tenant_id, key_id, master_key_fingerprint, wrapped_key FROM privacy.tenant_keys ORDER BY tenant_id FOR UPDATE',
    );
    const unknown = rows.filter((row) => row.master_key_fingerprint !== fingerprint && !previous.has(row.master_key_fingerprint)).map((row) => row.tenant_id);
    if (unknown.length) throw new RotationError(unknown);
    const rewrapped: string[] = [];
    for (const row of rows) {
      if (row.master_key_fingerprint === fingerprint) continue;
      const aad = tenantKeyAad(row.tenant_id, row.key_id);
      const tenantKey = unwrapKey(previous.get(row.master_key_fingerprint)!, row.wrapped_key, aad);
      await client.query('UPDATE privacy.tenant_keys SET master_key_fingerprint = $2, wrapped_key = $3 WHERE tenant_id = $1', [row.tenant_id, fingerprint, wrapKey(keys.masterKey, tenantKey, aad)]);
      rewrapped.push(row.tenant_id);
    }
    await client.query('COMMIT');
    return { rewrapped, alreadyCurrent: rows.filter((row) => row.master_key_fingerprint === fingerprint).map((row) => row.tenant_id), fingerprint };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
}
