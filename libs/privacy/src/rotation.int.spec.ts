import { randomBytes } from 'node:crypto';
import { createPool, type Pool } from '@tremplin/pg';
import { tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { ERASED } from './fields';
import { privacyMigrations } from './index';
import { privacyCli } from './privacy.cli';
import { RotationError, rotateMasterKey } from './rotation';
import { createPrivacyVault, MasterKeyMismatchError } from './vault';

// Master-key rotation on real PostgreSQL: data sealed under the old key still decrypts under the new one alone,
// the old key no longer opens anything (so it can be destroyed), erased people stay erased, and services that
// run with both keys during the rollout keep working before and after.

const person = { name: 'Jeanne Martin', iban: 'FR7630006000011234567890189' };
const b64 = (key: Buffer) => key.toString('base64');

describe('master-key rotation', () => {
  let db: TestDatabase;
  let pool: Pool;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);
  const stranger = randomBytes(32);
  beforeAll(async () => {
    db = await createTestDatabase('privacy_rotation', [tenancyMigrations, privacyMigrations]);
    pool = createPool(db.appUrl, { max: 4 });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('re-wraps every tenant key under the new master key; the data decrypts with the new key alone and no longer with the old one', async () => {
    const before = createPrivacyVault(pool, { masterKey: oldKey, keyCacheTtlMs: 0 });
    const tarbes = await before.encryptFields('ccas-tarbes', 'p-1', person, ['name', 'iban']);
    const laval = await before.encryptFields('ccas-laval', 'p-2', person, ['name', 'iban']);
    const erasedOne = await before.encryptFields('ccas-laval', 'p-3', person, ['name']);
    await before.erase('ccas-laval', 'p-3');

    // The rollout: services run with the new key and still read the old one; a new tenant gets the new key.
    const during = createPrivacyVault(pool, { masterKey: newKey, previousMasterKeys: [oldKey], keyCacheTtlMs: 0 });
    expect(await during.decryptFields('ccas-tarbes', tarbes)).toEqual(person);
    const annecy = await during.encryptFields('ccas-annecy', 'p-4', person, ['name']);

    const report = await rotateMasterKey(db.adminUrl, { masterKey: newKey, previousMasterKeys: [oldKey] });
    expect(report).toMatchObject({ rewrapped: ['ccas-laval', 'ccas-tarbes'], alreadyCurrent: ['ccas-annecy'] });

    const after = createPrivacyVault(pool, { masterKey: newKey, keyCacheTtlMs: 0 });
    expect(await after.decryptFields('ccas-tarbes', tarbes)).toEqual(person);
    expect(await after.decryptFields('ccas-laval', laval)).toEqual(person);
    expect(await after.decryptFields('ccas-annecy', annecy)).toEqual({ ...person });
    expect((await after.decryptFields('ccas-laval', erasedOne)).name).toBe(ERASED);
    await expect(createPrivacyVault(pool, { masterKey: oldKey, keyCacheTtlMs: 0 }).decryptFields('ccas-tarbes', tarbes)).rejects.toBeInstanceOf(MasterKeyMismatchError);

    // Idempotent: a second run finds every key current.
    expect(await rotateMasterKey(db.adminUrl, { masterKey: newKey, previousMasterKeys: [oldKey] })).toMatchObject({ rewrapped: [], alreadyCurrent: ['ccas-annecy', 'ccas-laval', 'ccas-tarbes'] });
  });

  it('changes nothing when a tenant key is wrapped by a key it was not given, naming the tenant', async () => {
    const vault = createPrivacyVault(pool, { masterKey: stranger, keyCacheTtlMs: 0 });
    const sealed = await vault.encryptFields('ccas-gap', 'p-9', person, ['name']);
    const third = randomBytes(32);
    const error = await rotateMasterKey(db.adminUrl, { masterKey: third, previousMasterKeys: [newKey] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(RotationError);
    expect((error as RotationError).tenants).toEqual(['ccas-gap']);
    // Nothing moved: the keys under newKey still open with it, and ccas-gap's with its own.
    expect(await createPrivacyVault(pool, { masterKey: newKey, keyCacheTtlMs: 0 }).decryptFields('ccas-tarbes', await createPrivacyVault(pool, { masterKey: newKey, keyCacheTtlMs: 0 }).encryptFields('ccas-tarbes', 'p-1', person, ['name']))).toEqual(person);
    expect((await vault.decryptFields('ccas-gap', sealed)).name).toBe(person.name);
  });

  it('runs from the command line: one JSON line per database, exit 1 naming a key it cannot open, exit 2 without the keys', async () => {
    const lines: string[] = [];
    const errors: string[] = [];
    const env = { PRIVACY_MASTER_KEY: b64(newKey), PRIVACY_PREVIOUS_MASTER_KEYS: b64(oldKey), DATABASE_URL: db.adminUrl, NODE_ENV: 'production' as const };
    // ccas-gap is wrapped by a key the CLI is not given: the run fails and says so.
    expect(await privacyCli(['rotate-master-key'], env, (t) => lines.push(t), (t) => errors.push(t))).toBe(1);
    expect(errors.join('')).toMatch(/rotate-master-key failed on t_privacy_rotation_\w+: tenant keys of ccas-gap/);
    expect(await privacyCli(['rotate-master-key'], { DATABASE_URL: db.adminUrl }, (t) => lines.push(t), (t) => errors.push(t))).toBe(2);
    expect(await privacyCli(['rotate'], env, (t) => lines.push(t), (t) => errors.push(t))).toBe(2);
    expect(lines).toEqual([]);
    // Given every key in use, it completes: ccas-gap moves to the new key too.
    expect(await privacyCli(['rotate-master-key'], { ...env, PRIVACY_PREVIOUS_MASTER_KEYS: `${b64(oldKey)},${b64(stranger)}` }, (t) => lines.push(t), (t) => errors.push(t))).toBe(0);
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { database: db.name, rewrapped: ['ccas-gap'], alreadyCurrent: ['ccas-annecy', 'ccas-laval', 'ccas-tarbes'], fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/) },
    ]);
  });
});
