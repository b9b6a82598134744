import { Client } from 'pg';
import { tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { rowTable } from './index';

// The read-model table helper on real PostgreSQL: a row of every column type goes in and comes back in the shape
// evolve returns (dates as YYYY-MM-DD, instants ISO with ms and Z, amounts as numbers, null as null), an update
// replaces every column but the key, and row-level security keeps each tenant's load and clear to its own rows.

interface ProbeRow {
  readonly tenantId: string;
  readonly fileId: string;
  readonly label: string | null;
  readonly count: number;
  readonly amountCents: number;
  readonly open: boolean;
  readonly history: ReadonlyArray<{ readonly at: string }>;
  readonly dueOn: string | null;
  readonly updatedAt: string;
}

const probe = rowTable<ProbeRow>('probe.file_row', [
  ['tenantId', 'tenant_id', 'text'],
  ['fileId', 'file_id', 'text'],
  ['label', 'label', 'text'],
  ['count', 'count', 'int'],
  ['amountCents', 'amount_cents', 'bigint'],
  ['open', 'open', 'boolean'],
  ['history', 'history', 'jsonb'],
  ['dueOn', 'due_on', 'date'],
  ['updatedAt', 'updated_at', 'timestamptz'],
]);

let db: TestDatabase;
let app: Client;

async function inTenant<T>(tenant: string, fn: () => Promise<T>): Promise<T> {
  await app.query('BEGIN');
  try {
    await app.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenant]);
    const result = await fn();
    await app.query('COMMIT');
    return result;
  } catch (error) {
    await app.query('ROLLBACK');
    throw error;
  }
}

beforeAll(async () => {
  db = await createTestDatabase('row_table', [tenancyMigrations]);
  const owner = new Client({ connectionString: db.ownerUrl });
  await owner.connect();
  await owner.query(`CREATE SCHEMA probe;
    CREATE TABLE probe.file_row (tenant_id text NOT NULL, file_id text NOT NULL, label text, count int NOT NULL, amount_cents bigint NOT NULL,
      open boolean NOT NULL, history jsonb NOT NULL, due_on date, updated_at timestamptz NOT NULL, PRIMARY KEY (tenant_id, file_id));
    SELECT platform.enable_tenant_rls('probe.file_row');
    GRANT USAGE ON SCHEMA probe TO tremplin_app;
    GRANT SELECT, INSERT, UPDATE, DELETE ON probe.file_row TO tremplin_app;`);
  await owner.end();
  app = new Client({ connectionString: db.appUrl });
  await app.connect();
});

afterAll(async () => {
  await app?.end();
  await db?.drop();
});

const row = (tenantId: string, fileId: string, overrides: Partial<ProbeRow> = {}): ProbeRow => ({
  tenantId,
  fileId,
  label: 'first',
  count: 2,
  amountCents: 9_007_199_254_740_991,
  open: true,
  history: [{ at: '2026-12-07T09:00:00.000Z' }],
  dueOn: '2027-02-28',
  updatedAt: '2026-12-07T09:00:00.123Z',
  ...overrides,
});

describe('rowTable', () => {
  it('saves rows of every column type and loads them back in the same shape, by key', async () => {
    const rows = [row('ccas-a', 'f-1'), row('ccas-a', 'f-2', { label: null, dueOn: null, open: false, count: 0, amountCents: 0, history: [] })];
    await inTenant('ccas-a', () => probe.save(app as never, rows));
    const loaded = await inTenant('ccas-a', () => probe.load(app as never, ['f-1', 'f-2', 'f-unknown']));
    expect([...loaded.keys()].sort()).toEqual(['f-1', 'f-2']);
    expect(loaded.get('f-1')).toEqual(rows[0]);
    expect(loaded.get('f-2')).toEqual(rows[1]);
  });

  it('updates every column but the key on a second save, and does nothing for no rows', async () => {
    await inTenant('ccas-a', () => probe.save(app as never, [row('ccas-a', 'f-1', { label: 'second', count: 3, updatedAt: '2026-12-08T10:00:00.000Z' })]));
    await inTenant('ccas-a', () => probe.save(app as never, []));
    const loaded = await inTenant('ccas-a', () => probe.load(app as never, ['f-1']));
    expect(loaded.get('f-1')).toMatchObject({ label: 'second', count: 3, updatedAt: '2026-12-08T10:00:00.000Z' });
  });

  it('loads and clears only the current tenant’s rows (row-level security)', async () => {
    await inTenant('ccas-b', () => probe.save(app as never, [row('ccas-b', 'f-1', { label: 'b' })]));
    expect((await inTenant('ccas-b', () => probe.load(app as never, ['f-1', 'f-2']))).get('f-1')?.label).toBe('b');
    await inTenant('ccas-b', () => probe.clear(app as never));
    expect((await inTenant('ccas-b', () => probe.load(app as never, ['f-1']))).size).toBe(0);
    expect((await inTenant('ccas-a', () => probe.load(app as never, ['f-1', 'f-2']))).size).toBe(2);
  });

  it('refuses names it would have to quote, and a first column other than tenant_id', () => {
    expect(() => rowTable<ProbeRow>('probe.file_row; DROP TABLE x', [['tenantId', 'tenant_id', 'text'], ['fileId', 'file_id', 'text']])).toThrow(/plain table name/);
    expect(() => rowTable<ProbeRow>('probe.file_row', [['tenantId', 'tenant_id', 'text'], ['fileId', 'file-id', 'text']])).toThrow(/plain column name/);
    expect(() => rowTable<ProbeRow>('probe.file_row', [['fileId', 'file_id', 'text'], ['tenantId', 'tenant_id', 'text']])).toThrow(/first column is tenant_id/);
  });
});
