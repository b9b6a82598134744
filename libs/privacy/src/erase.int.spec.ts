import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { readAllOnceVisible, type NewEvent, type RecordedEvent } from '@tremplin/event-sourcing';
import { eventStoreMigrations, PostgresEventStore } from '@tremplin/event-store-postgres';
import { createPool, withTransaction, type Pool } from '@tremplin/pg';
import { assertTenantRls, tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { ERASED } from './fields';
import { privacyMigrations } from './index';
import { createPrivacyVault, type PrivacyVault } from './vault';

const T = 'ccas-tarbes';
const ERASED_PERSON = 'person-1';
const KEPT_PERSON = 'person-2';
// Values that must not survive anywhere once person-1 is erased.
const CANARIES = ['Canari-Zoé-Quincampoix', '0699887766', 'FR7630006000011234567890189'];
const KEPT_CANARY = 'Canari-Kept-Ribérac';
const PII_PATHS = ['name', 'phone', 'iban'];

// A read model as a service would keep it: personal fields decrypted from the events.
const READ_MODEL_SQL = `
  CREATE SCHEMA intake_demo;
  CREATE TABLE intake_demo.beneficiaries (tenant_id text NOT NULL, person_id text NOT NULL, name text, phone text, iban text, purpose text,
    PRIMARY KEY (tenant_id, person_id));
  SELECT platform.enable_tenant_rls('intake_demo.beneficiaries');
  GRANT USAGE ON SCHEMA intake_demo TO tremplin_app;
  GRANT SELECT, INSERT, UPDATE, DELETE ON intake_demo.beneficiaries TO tremplin_app;`;

interface Beneficiary {
  name: string;
  phone: string;
  iban: string;
  purpose: string;
}

describe('erasure by crypto-shredding', () => {
  let db: TestDatabase;
  let pool: Pool;
  let store: PostgresEventStore;
  let vault: PrivacyVault;

  beforeAll(async () => {
    db = await createTestDatabase('privacy_erase', [tenancyMigrations, eventStoreMigrations, privacyMigrations]);
    const owner = new Client({ connectionString: db.ownerUrl });
    await owner.connect();
    await owner.query(READ_MODEL_SQL);
    await owner.end();
    pool = createPool(db.appUrl, { max: 4 });
    store = new PostgresEventStore(pool);
    vault = createPrivacyVault(pool, { masterKey: randomBytes(32) });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function recordBeneficiary(personId: string, data: Beneficiary): Promise<void> {
    const events: NewEvent[] = [
      {
        eventId: randomUUID(),
        type: 'BeneficiaryRegistered',
        schemaVersion: 1,
        data: await vault.encryptFields(T, personId, { personId, ...data }, PII_PATHS),
        metadata: { correlationId: randomUUID(), occurredAt: '2026-01-05T09:00:00.000Z' },
      },
      {
        eventId: randomUUID(),
        type: 'ContactUpdated',
        schemaVersion: 1,
        data: await vault.encryptFields(T, personId, { personId, phone: `${data.phone}-2` }, PII_PATHS),
        metadata: { correlationId: randomUUID(), occurredAt: '2026-01-06T09:00:00.000Z' },
      },
    ];
    await store.append({ tenantId: T, streamId: `beneficiary-${personId}` }, events, 'no-stream');
  }

  async function replay(personId: string): Promise<Array<RecordedEvent<Record<string, unknown>>>> {
    const events = await store.readStream({ tenantId: T, streamId: `beneficiary-${personId}` });
    return Promise.all(events.map(async (event) => ({ ...event, data: await vault.decryptFields(T, event.data as Record<string, unknown>) })));
  }

  async function rebuildReadModel(): Promise<void> {
    const rows = new Map<string, Record<string, unknown>>();
    for (const personId of [ERASED_PERSON, KEPT_PERSON]) {
      for (const event of await replay(personId)) rows.set(personId, { ...rows.get(personId), ...event.data });
    }
    await withTransaction(
      pool,
      async (client) => {
        await client.query('DELETE FROM intake_demo.beneficiaries');
        for (const [personId, row] of rows) {
          await client.query('INSERT INTO intake_demo.beneficiaries (tenant_id, person_id, name, phone, iban, purpose) VALUES ($1, $2, $3, $4, $5, $6)', [
            T,
            personId,
            row.name,
            row.phone,
            row.iban,
            row.purpose,
          ]);
        }
      },
      { tenantId: T },
    );
  }

  // Every row of every table of every non-system schema, as text (bytea shows as hex, so the hex is searched too).
  async function scan(values: readonly string[]): Promise<string[]> {
    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    try {
      const tables = (
        await admin.query<{ relation: string }>(
          `SELECT format('%I.%I', n.nspname, c.relname) AS relation FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relkind IN ('r', 'p', 'm') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'`,
        )
      ).rows.map((r) => r.relation);
      expect(tables).toEqual(expect.arrayContaining(['es.events', 'privacy.person_keys', 'privacy.erasures', 'intake_demo.beneficiaries']));
      const hits: string[] = [];
      for (const table of tables) {
        for (const value of values) {
          const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} t WHERE t::text LIKE '%' || $1 || '%' OR t::text LIKE '%' || $2 || '%'`, [
            value,
            Buffer.from(value, 'utf8').toString('hex'),
          ]);
          if (rows[0].n > 0) hits.push(`${table}: ${value}`);
        }
      }
      return hits;
    } finally {
      await admin.end();
    }
  }

  it('leaves no trace of the erased person anywhere, keeps the chain verifiable and the history replayable', async () => {
    await recordBeneficiary(ERASED_PERSON, { name: CANARIES[0], phone: CANARIES[1], iban: CANARIES[2], purpose: 'mobility' });
    await recordBeneficiary(KEPT_PERSON, { name: KEPT_CANARY, phone: '0611111111', iban: 'FR7600000000000000000000000', purpose: 'housing' });
    await rebuildReadModel();

    // The scan works: before erasure the read model holds the plaintext, and the events never do.
    expect(await scan(CANARIES)).toEqual(CANARIES.map((c) => `intake_demo.beneficiaries: ${c}`));
    // The global log shows events once no older transaction is open on the server (other test files run too).
    const stored = await readAllOnceVisible(store, T, 4);
    expect(stored).toHaveLength(4);
    expect(JSON.stringify(stored.map((e) => e.data))).not.toMatch(new RegExp(CANARIES.join('|')));
    const hashesBefore = stored.map((e) => e.hash);

    const erasure = await vault.erase(T, ERASED_PERSON);
    expect(erasure.keyId).toEqual(expect.any(String));
    await rebuildReadModel();

    expect(await scan(CANARIES)).toEqual([]);
    expect(await scan([KEPT_CANARY])).toEqual([`intake_demo.beneficiaries: ${KEPT_CANARY}`]);
    const after = await readAllOnceVisible(store, T, 4);
    expect(after.map((e) => e.hash)).toEqual(hashesBefore);
    expect(JSON.stringify(after.map((e) => e.data))).not.toMatch(new RegExp(CANARIES.join('|')));
    await expect(store.verifyAll(T)).resolves.toMatchObject({ ok: true, streams: 2, events: 4, broken: [] });

    const replayed = await replay(ERASED_PERSON);
    expect(replayed.map((e) => [e.type, e.data])).toEqual([
      ['BeneficiaryRegistered', { personId: ERASED_PERSON, name: ERASED, phone: ERASED, iban: ERASED, purpose: 'mobility' }],
      ['ContactUpdated', { personId: ERASED_PERSON, phone: ERASED }],
    ]);
    expect((await replay(KEPT_PERSON))[0].data).toMatchObject({ name: KEPT_CANARY, purpose: 'housing' });
    const readModel = await withTransaction(pool, (c) => c.query('SELECT person_id, name, purpose FROM intake_demo.beneficiaries ORDER BY person_id'), { tenantId: T });
    expect(readModel.rows).toEqual([
      { person_id: ERASED_PERSON, name: ERASED, purpose: 'mobility' },
      { person_id: KEPT_PERSON, name: KEPT_CANARY, purpose: 'housing' },
    ]);
  });

  it('keeps every tenant table under forced RLS, the event store being the one table read across tenants by design', async () => {
    const report = await assertTenantRls(pool, { exempt: ['es.events', 'es.snapshots'] });
    expect(report.checked).toEqual(expect.arrayContaining(['intake_demo.beneficiaries', 'privacy.person_keys', 'privacy.tenant_keys', 'privacy.erasures']));
  });
});
