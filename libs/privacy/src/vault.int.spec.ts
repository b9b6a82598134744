import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool, type Pool } from '@tremplin/pg';
import { assertTenantRls, runInContext, tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { privacyConfigFromEnv } from './config';
import { ERASED, type PiiEnvelope } from './fields';
import { privacyMigrations } from './index';
import { createPrivacyVault, type PrivacyVault } from './vault';

const T = 'ccas-tarbes';

describe('privacy vault', () => {
  let db: TestDatabase;
  let pool: Pool;
  let masterKey: Buffer;
  let vault: PrivacyVault;
  beforeAll(async () => {
    db = await createTestDatabase('privacy_vault', [tenancyMigrations, privacyMigrations]);
    pool = createPool(db.appUrl, { max: 4 });
    masterKey = randomBytes(32);
    vault = createPrivacyVault(pool, { masterKey });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  const person = { name: 'Jeanne Martin', contact: { phone: '0601020304', city: 'Tarbes' }, amountCents: 150000, debts: [{ creditor: 'EDF', cents: 30000 }] };

  it('replaces the named fields by envelopes carrying the key id, and restores them', async () => {
    const encrypted = await vault.encryptFields(T, 'p-1', person, ['name', 'contact.phone', 'debts.*.creditor']);
    const envelope = encrypted.name as unknown as PiiEnvelope;
    expect(envelope.$pii).toEqual({ k: expect.stringMatching(/^[0-9a-f-]{36}$/), iv: expect.any(String), ct: expect.any(String), tag: expect.any(String) });
    expect(JSON.stringify(encrypted)).not.toMatch(/Jeanne|0601020304|EDF/);
    expect(encrypted.contact.city).toBe('Tarbes');
    expect(encrypted.amountCents).toBe(150000);
    expect(await vault.decryptFields(T, encrypted)).toEqual(person);
  });

  it('uses one key per person', async () => {
    const a1 = await vault.encryptFields(T, 'p-a', { name: 'A' }, ['name']);
    const a2 = await vault.encryptFields(T, 'p-a', { name: 'A2' }, ['name']);
    const b = await vault.encryptFields(T, 'p-b', { name: 'B' }, ['name']);
    const k = (d: { name: unknown }) => (d.name as PiiEnvelope).$pii.k;
    expect(k(a1)).toBe(k(a2));
    expect(k(a1)).not.toBe(k(b));
  });

  it('erases a person at once in this process, even with their key in cache, and leaves others readable', async () => {
    const mine = await vault.encryptFields(T, 'p-erase', person, ['name', 'contact.phone']);
    const other = await vault.encryptFields(T, 'p-keep', person, ['name']);
    expect((await vault.decryptFields(T, mine)).name).toBe('Jeanne Martin'); // warms the cache
    const erasure = await vault.erase(T, 'p-erase');
    expect(erasure).toEqual({ tenantId: T, personId: 'p-erase', keyId: (mine.name as unknown as PiiEnvelope).$pii.k, alreadyErased: false });
    expect(await vault.decryptFields(T, mine)).toEqual({ ...person, name: ERASED, contact: { phone: ERASED, city: 'Tarbes' } });
    expect((await vault.decryptFields(T, other)).name).toBe('Jeanne Martin');
    expect(await vault.isErased(T, 'p-erase')).toBe(true);
    expect(await vault.erase(T, 'p-erase')).toMatchObject({ alreadyErased: true });
  });

  it('records the erasure without personal data and refuses new personal data for an erased person', async () => {
    await runInContext({ tenantId: T, correlationId: 'corr-erase', actor: { userId: 'dir-1', role: 'ccasDirector', organisationId: 'o' } }, () => vault.erase(T, 'p-gone'));
    const admin = createPool(db.adminUrl, { max: 1 });
    try {
      const { rows } = await admin.query('SELECT tenant_id, person_id, erased_by, correlation_id FROM privacy.erasures WHERE person_id = $1', ['p-gone']);
      expect(rows).toEqual([{ tenant_id: T, person_id: 'p-gone', erased_by: 'dir-1', correlation_id: 'corr-erase' }]);
    } finally {
      await admin.end();
    }
    await expect(vault.encryptFields(T, 'p-gone', { name: 'x' }, ['name'])).rejects.toMatchObject({ code: 'PERSON_ERASED' });
  });

  it('lets another process keep a cached key only until its cache expires', async () => {
    let clock = 0;
    const otherProcess = createPrivacyVault(pool, { masterKey, keyCacheTtlMs: 1000, now: () => clock });
    const data = await vault.encryptFields(T, 'p-late', { name: 'Late' }, ['name']);
    expect((await otherProcess.decryptFields(T, data)).name).toBe('Late');
    await vault.erase(T, 'p-late');
    expect((await otherProcess.decryptFields(T, data)).name).toBe('Late');
    clock = 1001;
    expect((await otherProcess.decryptFields(T, data)).name).toBe(ERASED);
  });

  it("cannot read another tenant's envelopes, and refuses keys of a tenant other than the context's", async () => {
    const data = await vault.encryptFields(T, 'p-t', { name: 'Tarbes only' }, ['name']);
    expect((await vault.decryptFields('ccas-laval', data)).name).toBe(ERASED);
    await expect(runInContext({ tenantId: 'ccas-laval', correlationId: 'c' }, () => vault.decryptFields(T, data))).rejects.toMatchObject({ code: 'TENANT_MISMATCH' });
  });

  it('refuses a tampered ciphertext rather than returning garbage', async () => {
    const data = await vault.encryptFields(T, 'p-x', { name: 'Intact' }, ['name']);
    const env = (data.name as unknown as PiiEnvelope).$pii;
    const tampered = { name: { $pii: { ...env, ct: Buffer.from(Buffer.from(env.ct, 'base64').map((b) => b ^ 1)).toString('base64') } } };
    await expect(vault.decryptFields(T, tampered)).rejects.toThrow();
  });

  it('reports a different master key as such', async () => {
    const wrongMaster = createPrivacyVault(pool, { masterKey: randomBytes(32) });
    await expect(wrongMaster.encryptFields(T, 'p-new', { name: 'x' }, ['name'])).rejects.toMatchObject({ code: 'MASTER_KEY_MISMATCH' });
  });

  it('gives concurrent first writers of a person one key', async () => {
    const fresh = createPrivacyVault(pool, { masterKey });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? vault : fresh).encryptFields('ccas-pau', 'p-race', { name: `n${i}` }, ['name'])));
    expect(new Set(results.map((r) => (r.name as unknown as PiiEnvelope).$pii.k)).size).toBe(1);
  });

  it('keeps its key tables under forced row-level security, and stores keys only wrapped', async () => {
    await expect(assertTenantRls(pool)).resolves.toMatchObject({ checked: expect.arrayContaining(['privacy.person_keys', 'privacy.tenant_keys', 'privacy.erasures']) });
    const admin = createPool(db.adminUrl, { max: 1 });
    try {
      const columns = (await admin.query(`SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'privacy' AND data_type = 'bytea' ORDER BY 1`)).rows;
      expect(columns).toEqual([
        { table_name: 'person_keys', column_name: 'wrapped_key' },
        { table_name: 'tenant_keys', column_name: 'wrapped_key' },
      ]);
    } finally {
      await admin.end();
    }
  });
});

describe('privacy configuration', () => {
  it('requires a base64 master key of 32 bytes', async () => {
    const key = randomBytes(32).toString('base64');
    expect((await privacyConfigFromEnv({ PRIVACY_MASTER_KEY: key })).masterKey.toString('base64')).toBe(key);
    await expect(privacyConfigFromEnv({ PRIVACY_MASTER_KEY: randomBytes(16).toString('base64') })).rejects.toThrow(/32 bytes, got 16/);
    await expect(privacyConfigFromEnv({ PRIVACY_MASTER_KEY: 'not base64!' })).rejects.toThrow(/base64/);
  });

  it('requires it in production', async () => {
    await expect(privacyConfigFromEnv({ NODE_ENV: 'production' })).rejects.toMatchObject({ code: 'PRIVACY_CONFIG_INVALID', message: expect.stringMatching(/required in production/) });
  });

  it('generates a development key once, private to its owner, and reuses it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'privacy-dev-'));
    const first = await privacyConfigFromEnv({ PRIVACY_DEV_KEYS_DIR: dir });
    const second = await privacyConfigFromEnv({ PRIVACY_DEV_KEYS_DIR: dir });
    expect(first.masterKey.equals(second.masterKey)).toBe(true);
    expect((await readFile(join(dir, 'privacy-master.key'), 'utf8')).trim()).toBe(first.masterKey.toString('base64'));
    expect((await stat(join(dir, 'privacy-master.key'))).mode & 0o777).toBe(0o600);
  });
});
