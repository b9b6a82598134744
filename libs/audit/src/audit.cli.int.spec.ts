import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { authMigrations, DEFAULT_AUDIENCE, DEV_ISSUER, loadOrCreateDevSigningKey, signDevToken } from '@tremplin/auth';
import type { NewEvent } from '@tremplin/event-sourcing';
import { eventStoreMigrations, PostgresEventStore } from '@tremplin/event-store-postgres';
import { createPool, type Pool } from '@tremplin/pg';
import { createPrivacyVault, privacyMigrations } from '@tremplin/privacy';
import { tenancyMigrations } from '@tremplin/tenancy';
import { createTestDatabase, type TestDatabase } from '@tremplin/testing';
import { auditFold, main } from './cli';
import type { CheckpointFile } from './checkpoint';

const masterKey = randomBytes(32);
let db: TestDatabase;
let pool: Pool;
let store: PostgresEventStore;
let dir: string;
let env: Record<string, string>;
let tokenFor: (tenants: string[], role?: string) => Promise<string>;

beforeAll(async () => {
  db = await createTestDatabase('audit_cli', [tenancyMigrations, authMigrations, privacyMigrations, eventStoreMigrations]);
  pool = createPool(db.appUrl, { max: 4 });
  store = new PostgresEventStore(pool);
  dir = await mkdtemp(join(tmpdir(), 'tremplin-audit-'));
  const keyFile = join(dir, 'checkpoint-ed25519.pem');
  await writeFile(keyFile, generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }));
  env = { AUTH_DEV_KEYS_DIR: join(dir, 'auth'), AUDIT_CHECKPOINT_KEY_FILE: keyFile, PRIVACY_MASTER_KEY: masterKey.toString('base64') };
  const authKey = await loadOrCreateDevSigningKey(env.AUTH_DEV_KEYS_DIR);
  tokenFor = (tenants, role = 'auditor') =>
    signDevToken(authKey, { role, tenants, userId: 'auditor-7', organisationId: 'cour-des-comptes', organisationKind: role === 'auditor' ? 'auditor' : role === 'platformAdmin' ? 'platform' : 'ccas' }, { issuer: DEV_ISSUER, audience: DEFAULT_AUDIENCE });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

// Each test uses its own tenant, so that it stands alone and the tamperings of one never reach another.
const newTenant = () => `ccas-${randomUUID().slice(0, 8)}`;

const metadata = { correlationId: 'c-1', causationId: 'cmd-1', actorId: 'bank-advisor-3', role: 'bankAdvisor', organisationId: 'bank-1', occurredAt: '2026-10-01T09:00:00.000Z' };
const events = (from: number, count: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({ eventId: randomUUID(), type: 'InstalmentPaid', schemaVersion: 1, data: { instalment: from + i, amountCents: 12_345 }, metadata }));

async function seed(tenantId: string, streams: Record<string, number>): Promise<void> {
  for (const [streamId, count] of Object.entries(streams)) await store.append({ tenantId, streamId }, events(1, count), 'no-stream');
}

async function asOwner(sql: string, values: unknown[]): Promise<number> {
  const client = new Client({ connectionString: db.ownerUrl });
  await client.connect();
  try {
    return (await client.query(sql, values)).rowCount ?? 0;
  } finally {
    await client.end();
  }
}

async function audit(tenants: string[], ...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const token = await tokenFor(tenants);
  const code = await main([...argv, '--db', `lending=${db.appUrl}`, '--token', token], { env, out: (t) => (out += t), err: (t) => (err += t), progressIsTty: false });
  return { code, out, err };
}

const file = (name: string) => join(dir, `${name}-${randomUUID().slice(0, 8)}.json`);

describe('audit verify', () => {
  it('names the stream, version and event whose data the owner role changed, as the store verify does (exit 1)', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 3, 'loan-b': 4, 'product-p': 2 });
    const [target] = (await pool.query<{ event_id: string }>('SELECT event_id FROM es.events WHERE tenant_id = $1 AND stream_id = $2 AND stream_version = 2', [tenantId, 'loan-b'])).rows;
    expect(await asOwner(`UPDATE es.events SET data = jsonb_set(data, '{amountCents}', '1') WHERE tenant_id = $1 AND stream_id = 'loan-b' AND stream_version = 2`, [tenantId])).toBe(1);

    const result = await audit([tenantId], 'verify', '--tenant', tenantId);

    expect(result.code).toBe(1);
    expect(result.out).toContain(`lending/${tenantId}: BROKEN — 3 streams, 9 events verified`);
    expect(result.out).toContain(`broken: loan-b at version 2 (event ${target.event_id}): hash does not match the event content`);
    const theStore = await store.verifyAll(tenantId);
    expect(theStore.broken).toEqual([{ streamId: 'loan-b', streamVersion: 2, eventId: target.event_id, reason: 'hash does not match the event content' }]);
  });

  it('passes an untouched tenant (exit 0), and --json says the same in a machine-readable document', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 5, 'loan-b': 1 });
    const result = await audit([tenantId], 'verify', '--tenant', tenantId, '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.out) as { ok: boolean; results: Array<{ tenantId: string; streams: number; events: number; broken: unknown[] }> };
    expect(report.ok).toBe(true);
    expect(report.results).toEqual([expect.objectContaining({ tenantId, streams: 2, events: 6, broken: [] })]);
    expect(result.err).toContain(`lending/${tenantId}: 6/6 events 100%`);
  });
  it('finds the same with the work split over worker threads in one exported snapshot as in one thread', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 3, 'loan-b': 4, 'loan-c': 2, 'loan-d': 5, 'product-p': 1 });
    await asOwner(`UPDATE es.events SET metadata = metadata || '{"actorId":"someone-else"}' WHERE tenant_id = $1 AND stream_id IN ('loan-a', 'loan-d') AND stream_version = 2`, [tenantId]);

    const one = await audit([tenantId], 'verify', '--tenant', tenantId, '--workers', '1', '--json');
    const two = await audit([tenantId], 'verify', '--tenant', tenantId, '--workers', '2', '--page-size', '2', '--json');

    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    const results = (r: { out: string }) => (JSON.parse(r.out) as { results: Array<{ streams: number; events: number; broken: unknown[] }> }).results.map(({ streams, events, broken }) => ({ streams, events, broken }));
    expect(results(two)).toEqual(results(one));
    expect(results(one)[0]).toEqual({
      streams: 5,
      events: 15,
      broken: [expect.objectContaining({ streamId: 'loan-a', streamVersion: 2 }), expect.objectContaining({ streamId: 'loan-d', streamVersion: 2 })],
    });
  });
});

describe('looking around', () => {
  it("lists the granted tenants and a tenant's streams, and --all-tenants covers only the tenants the token grants", async () => {
    const mine = newTenant();
    const theirs = newTenant();
    await seed(mine, { 'loan-a': 2, 'product-p': 1 });
    await seed(theirs, { 'loan-z': 1 });

    const tenants = await audit([mine], 'tenants', '--json');
    const streams = await audit([mine], 'streams', '--tenant', mine);
    const all = await audit([mine], 'verify', '--all-tenants');

    expect(tenants.code).toBe(0);
    const listed = (JSON.parse(tenants.out) as { results: Array<{ tenants: string[]; notGranted: number }> }).results[0];
    expect(listed.tenants).toEqual([mine]);
    expect(listed.notGranted).toBeGreaterThanOrEqual(1);
    expect(streams.code).toBe(0);
    expect(streams.out).toContain(`lending/${mine}: 2 streams`);
    expect(streams.out).toMatch(/ {2}loan-a {2}loan {2}2 events {2}\S+ … \S+/);
    expect(streams.out).toMatch(/ {2}product-p {2}product {2}1 events/);
    expect(all.code).toBe(0);
    expect(all.out).toContain(`lending/${mine}: ok — 2 streams, 3 events verified`);
    expect(all.out).not.toContain(theirs);
    expect(all.out).toMatch(/lending: \d+ other tenant\(s\) not granted to you, not checked/);
  });

  it('never overwrites a checkpoint file (exit 2)', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 1 });
    const path = file('once');
    expect((await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', path)).code).toBe(0);
    const again = await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', path);
    expect(again.code).toBe(2);
    expect(again.err).toContain(`${path} exists: a checkpoint is never overwritten`);
  });
});

describe('signed checkpoints and their consistency', () => {
  it('catches the last two events of a stream deleted with the chain left valid (exit 1, "shortened")', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 5, 'loan-b': 2 });
    const before = file('before');
    expect((await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', before)).code).toBe(0);
    expect(await asOwner(`DELETE FROM es.events WHERE tenant_id = $1 AND stream_id = 'loan-a' AND stream_version > 3`, [tenantId])).toBe(2);

    // The chain alone cannot see it: what is left still verifies.
    expect((await audit([tenantId], 'verify', '--tenant', tenantId)).code).toBe(0);
    const result = await audit([tenantId], 'consistency', '--old', before);

    expect(result.code).toBe(1);
    expect(result.out).toContain(`lending/${tenantId}: NOT CONSISTENT`);
    expect(result.out).toMatch(/shortened: loan-a: shortened from 5 events at \S+ to 3 now \(versions 4-5 removed\)/);
    expect(result.out).not.toContain('loan-b');
  });

  it('catches a stream rewritten from its first event with valid hashes (exit 1, "rewritten"), which verify cannot see', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 4, 'loan-b': 2 });
    const before = file('before');
    expect((await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', before)).code).toBe(0);
    // The owner deletes the stream and writes another history through the store: every hash is valid, and it is longer.
    await asOwner(`DELETE FROM es.events WHERE tenant_id = $1 AND stream_id = 'loan-a'`, [tenantId]);
    await store.append({ tenantId, streamId: 'loan-a' }, events(100, 6), 'no-stream');

    expect((await audit([tenantId], 'verify', '--tenant', tenantId)).code).toBe(0);
    const result = await audit([tenantId], 'consistency', '--old', before, '--json');

    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as { ok: boolean; results: Array<{ findings: Array<{ kind: string; streamId: string; message: string }> }> };
    expect(report.ok).toBe(false);
    expect(report.results[0].findings).toEqual([
      expect.objectContaining({ kind: 'rewritten', streamId: 'loan-a', message: expect.stringContaining('its event at version 4 no longer hashes to the head signed at') }),
    ]);
  });

  it('accepts an honest history with new appends and a new stream (exit 0), between two checkpoints and today', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 3, 'loan-b': 2 });
    const first = file('first');
    expect((await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', first)).code).toBe(0);
    await store.append({ tenantId, streamId: 'loan-a' }, events(4, 2), 3);
    await store.append({ tenantId, streamId: 'loan-c' }, events(1, 1), 'no-stream');
    const second = file('second');
    expect((await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', second)).code).toBe(0);
    await store.append({ tenantId, streamId: 'loan-b' }, events(3, 1), 2);

    const result = await audit([tenantId], 'consistency', '--old', first, '--new', second, '--workers', '2');

    expect(result.code).toBe(0);
    expect(result.out).toMatch(new RegExp(`lending/${tenantId}: consistent — today's 3 streams \\(9 events\\) extend the checkpoint\\(s\\) of \\S+, \\S+; since the latest: 1 events appended, 1 streams grew, 0 new`));
  });

  it('refuses a checkpoint whose stream heads were edited after signing (exit 1), offline', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 2 });
    const path = file('signed');
    expect((await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', path)).code).toBe(0);
    const checkpoints = JSON.parse(await readFile(path, 'utf8')) as CheckpointFile;
    const forged = { ...checkpoints, checkpoints: [{ ...checkpoints.checkpoints[0], heads: [{ ...checkpoints.checkpoints[0].heads[0], streamVersion: 1 }] }] };
    const forgedPath = file('forged');
    await writeFile(forgedPath, JSON.stringify(forged));
    let out = '';
    const code = await main(['check-checkpoint', '--file', forgedPath], { env, out: (t) => (out += t), err: () => undefined, progressIsTty: false });
    expect(code).toBe(1);
    expect(out).toContain(`lending/${tenantId} at`);
    expect(out).toContain('NOT VALID: the stream heads give the tree head');
    expect(out).toContain('the heads count 1 events, the signed checkpoint 2');
  });

  it('does not sign the heads of a broken chain (exit 1, no file written)', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 2 });
    await asOwner(`UPDATE es.events SET type = 'LoanWrittenOff' WHERE tenant_id = $1 AND stream_version = 1`, [tenantId]);
    const path = file('refused');
    const result = await audit([tenantId], 'checkpoint', '--tenant', tenantId, '--out', path);
    expect(result.code).toBe(1);
    expect(result.out).toContain(`lending/${tenantId}: NOT signed, 1 broken chain(s)`);
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });
});

describe('across the services\' databases', () => {
  it('checks each database named, signs one checkpoint per database and tenant, and names the service where a stream was cut', async () => {
    const intake = await createTestDatabase('audit_cli_intake', [tenancyMigrations, authMigrations, eventStoreMigrations]);
    const intakePool = createPool(intake.appUrl, { max: 2 });
    try {
      const tenantId = newTenant();
      await seed(tenantId, { 'loan-a': 3 });
      await new PostgresEventStore(intakePool).append({ tenantId, streamId: 'file-f1' }, events(1, 4), 'no-stream');
      const dbs = ['--db', `lending=${db.appUrl}`, '--db', `intake=${intake.appUrl}`];
      const run = async (...argv: string[]) => {
        let out = '';
        const code = await main([...argv, ...dbs, '--token', await tokenFor([tenantId])], { env, out: (t) => (out += t), err: () => undefined, progressIsTty: false });
        return { code, out };
      };

      const path = file('two-services');
      const checkpoint = await run('checkpoint', '--tenant', tenantId, '--out', path);
      const checkpoints = JSON.parse(await readFile(path, 'utf8')) as CheckpointFile;
      const owner = new Client({ connectionString: intake.ownerUrl });
      await owner.connect();
      await owner.query(`DELETE FROM es.events WHERE tenant_id = $1 AND stream_version = 4`, [tenantId]);
      await owner.end();
      const consistency = await run('consistency', '--old', path);

      expect(checkpoint.code).toBe(0);
      expect(checkpoints.checkpoints.map((c) => [c.body.service, c.body.events])).toEqual([
        ['lending', 3],
        ['intake', 4],
      ]);
      expect(consistency.code).toBe(1);
      expect(consistency.out).toContain(`lending/${tenantId}: consistent`);
      expect(consistency.out).toContain(`intake/${tenantId}: NOT CONSISTENT`);
      expect(consistency.out).toContain('shortened: file-f1: shortened from 4 events');
    } finally {
      await intakePool.end();
      await intake.drop();
    }
  });
});

describe("the auditor's identity and record", () => {
  it('records every action with who, what and when, readable in the access log', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 1 });
    const verify = await audit([tenantId], 'verify', '--tenant', tenantId, '--json');
    const { correlationId } = JSON.parse(verify.out) as { correlationId: string };

    const result = await audit([tenantId], 'access-log', '--tenant', tenantId, '--json');

    expect(result.code).toBe(0);
    const { results } = JSON.parse(result.out) as { results: Array<{ records: Array<Record<string, string>> }> };
    expect(results[0].records).toEqual([
      expect.objectContaining({ userId: 'auditor-7', organisationId: 'cour-des-comptes', role: 'auditor', method: 'CLI', path: 'audit verify', outcome: 'allowed', correlationId }),
      expect.objectContaining({ userId: 'auditor-7', path: 'audit access-log', outcome: 'allowed' }),
    ]);
    expect(Date.parse(results[0].records[0].occurredAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("lets the platform admin read who audited what, and nothing else (exit 0, then 3)", async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 1 });
    const verify = await audit([tenantId], 'verify', '--tenant', tenantId, '--json');
    const { correlationId } = JSON.parse(verify.out) as { correlationId: string };
    const adminToken = await tokenFor([], 'platformAdmin');
    const as = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main([...argv, '--db', `lending=${db.appUrl}`, '--token', adminToken], { env, out: (t) => (out += t), err: (t) => (err += t), progressIsTty: false });
      return { code, out, err };
    };

    const log = await as('access-log', '--tenant', tenantId);
    const verifyAsAdmin = await as('verify', '--tenant', tenantId);

    expect(log.code).toBe(0);
    expect(log.out).toMatch(new RegExp(`auditor-7 \\(auditor, cour-des-comptes\\) CLI audit verify allowed correlation ${correlationId}`));
    expect(verifyAsAdmin.code).toBe(3);
    expect(verifyAsAdmin.err).toContain('refused: role platformAdmin may not use the auditor');
  });

  it('refuses a tenant the token does not grant, and records the refusal (exit 3)', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 1 });
    const result = await audit(['ccas-elsewhere'], 'verify', '--tenant', tenantId);
    expect(result.code).toBe(3);
    expect(result.err).toContain(`refused: tenant ${tenantId} is not among the tenants your token grants (ccas-elsewhere)`);
    const asJson = await audit(['ccas-elsewhere'], 'verify', '--tenant', tenantId, '--json');
    expect(JSON.parse(asJson.out)).toEqual({ ok: false, exit: 3, error: `tenant ${tenantId} is not among the tenants your token grants (ccas-elsewhere)` });
    const log = await audit([tenantId], 'access-log', '--tenant', tenantId, '--json');
    const { results } = JSON.parse(log.out) as { results: Array<{ records: Array<Record<string, string>> }> };
    expect(results[0].records.map((r) => [r.path, r.outcome])).toEqual([
      ['audit verify', 'denied-tenant'],
      ['audit verify', 'denied-tenant'],
      ['audit access-log', 'allowed'],
    ]);
  });

  it('refuses a role other than auditor (exit 3) and a call without a command or database (exit 2)', async () => {
    let err = '';
    const io = { env, out: () => undefined, err: (t: string) => (err += t), progressIsTty: false };
    const token = await tokenFor(['ccas-x'], 'ccasDirector');
    expect(await main(['verify', '--tenant', 'ccas-x', '--db', `lending=${db.appUrl}`, '--token', token], io)).toBe(3);
    expect(err).toContain('refused: role ccasDirector may not use the auditor');
    err = '';
    expect(await main(['verify', '--tenant', 'ccas-x'], io)).toBe(2);
    expect(err).toContain('name the databases: --db SERVICE=URL');
    err = '';
    expect(await main(['rewrite-history'], io)).toBe(2);
    expect(err).toContain('unknown command rewrite-history');
  });
});

describe('a read-only auditor role, as docs/auditing.md has the administrator create it', () => {
  it('is enough for verify and checkpoint, without the warning the owner role gets', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 2 });
    const role = `auditor_${randomUUID().slice(0, 8)}`;
    const admin = new Client({ connectionString: db.adminUrl });
    await admin.connect();
    try {
      await admin.query(`CREATE ROLE ${role} LOGIN PASSWORD 'audit' NOSUPERUSER NOBYPASSRLS`);
      await admin.query(`GRANT CONNECT ON DATABASE ${db.name} TO ${role}`);
      await admin.query(`GRANT USAGE ON SCHEMA es, audit TO ${role}`);
      await admin.query(`GRANT SELECT ON es.events TO ${role}`);
      await admin.query(`GRANT SELECT, INSERT ON audit.access_log TO ${role}`);
    } finally {
      await admin.end();
    }
    const url = new URL(db.appUrl);
    url.username = role;
    url.password = 'audit';
    const run = async (databaseUrl: string, ...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main([...argv, '--db', `lending=${databaseUrl}`, '--token', await tokenFor([tenantId])], { env, out: (t) => (out += t), err: (t) => (err += t), progressIsTty: false });
      return { code, out, err };
    };

    let verify, checkpoint, asOwner;
    try {
      verify = await run(url.toString(), 'verify', '--tenant', tenantId);
      checkpoint = await run(url.toString(), 'checkpoint', '--tenant', tenantId, '--out', file('readonly'));
      asOwner = await run(db.ownerUrl, 'verify', '--tenant', tenantId);
    } finally {
      // Roles outlive the test's database: the server may be a developer's own (DATABASE_URL).
      const cleanup = new Client({ connectionString: db.adminUrl });
      await cleanup.connect();
      await cleanup.query(`DROP OWNED BY ${role}`);
      await cleanup.query(`REVOKE CONNECT ON DATABASE ${db.name} FROM ${role}`);
      await cleanup.query(`DROP ROLE ${role}`);
      await cleanup.end();
    }

    expect(verify.code).toBe(0);
    expect(verify.out).toContain(`lending/${tenantId}: ok — 1 streams, 2 events verified`);
    expect(verify.err).not.toContain('warning');
    expect(checkpoint.code).toBe(0);
    expect(asOwner.code).toBe(0);
    expect(asOwner.err).toContain('warning: lending: the connected role could change or delete events');
  });
});

describe('history as known at and as of a date', () => {
  it("shows a stream's events with actor, role, correlation and causation, up to what the store held at an instant", async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 2 });
    const [{ t: between }] = (await pool.query<{ t: string }>(`SELECT to_char(max(recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t FROM es.events WHERE tenant_id = $1`, [tenantId])).rows;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.append({ tenantId, streamId: 'loan-a' }, [{ ...events(3, 1)[0], data: { holder: { $pii: { k: 'key-1', iv: 'x', ct: 'y', tag: 'z' } } } }], 2);

    const now = await audit([tenantId], 'history', '--tenant', tenantId, '--stream', 'loan-a', '--data');
    const then = await audit([tenantId], 'history', '--tenant', tenantId, '--stream', 'loan-a', '--known-at', between);

    expect(now.code).toBe(0);
    expect(now.out).toContain(`lending/${tenantId}/loan-a: 3 event(s); chain verified through version 3`);
    expect(now.out).toMatch(/v1 \S+ InstalmentPaid occurred 2026-10-01T09:00:00.000Z by bank-advisor-3 \(bankAdvisor, bank-1\) correlation c-1 causation cmd-1/);
    expect(now.out).toContain('{"holder":"[encrypted]"}');
    expect(then.code).toBe(0);
    expect(then.out).toContain(`lending/${tenantId}/loan-a: 2 event(s) known at ${between}; chain verified through version 2`);
    expect(then.out).not.toContain('v3 ');
  });

  it('shows personal fields in clear only with --decrypt, and "[erased]" once the person was erased; the clear reading is recorded as such', async () => {
    const tenantId = newTenant();
    const vault = createPrivacyVault(pool, { masterKey, keyCacheTtlMs: 0 });
    const data = await vault.encryptFields(tenantId, 'person-1', { loanId: 'l-1', holder: { name: 'Jeanne Martin' } }, ['holder.name']);
    await store.append({ tenantId, streamId: 'loan-l1' }, [{ ...events(1, 1)[0], data }], 'no-stream');

    const sealed = await audit([tenantId], 'history', '--tenant', tenantId, '--stream', 'loan-l1', '--data');
    const clear = await audit([tenantId], 'history', '--tenant', tenantId, '--stream', 'loan-l1', '--data', '--decrypt');
    await vault.erase(tenantId, 'person-1');
    const erased = await audit([tenantId], 'history', '--tenant', tenantId, '--stream', 'loan-l1', '--data', '--decrypt');

    expect([sealed.code, clear.code, erased.code]).toEqual([0, 0, 0]);
    expect(sealed.out).toContain('{"holder":{"name":"[encrypted]"},"loanId":"l-1"}');
    expect(sealed.out).not.toContain('Jeanne');
    expect(clear.out).toContain('{"holder":{"name":"Jeanne Martin"},"loanId":"l-1"}');
    expect(erased.out).toContain('{"holder":{"name":"[erased]"},"loanId":"l-1"}');
    // The chain still verifies after the erasure: it covers the stored envelopes, not the clear text.
    expect(erased.out).toContain('chain verified through version 1');
    const log = await audit([tenantId], 'access-log', '--tenant', tenantId, '--json');
    const paths = (JSON.parse(log.out) as { results: Array<{ records: Array<{ path: string }> }> }).results[0].records.map((r) => r.path);
    expect(paths).toEqual(['audit history', 'audit history --decrypt', 'audit history --decrypt', 'audit access-log']);
  });

  it('folds the stream into state as known at an instant with the evolve a service hands in, and says when it has none', async () => {
    const tenantId = newTenant();
    await seed(tenantId, { 'loan-a': 2 });
    const [{ t: between }] = (await pool.query<{ t: string }>(`SELECT to_char(max(recorded_at) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS t FROM es.events WHERE tenant_id = $1`, [tenantId])).rows;
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.append({ tenantId, streamId: 'loan-a' }, events(3, 1), 2);
    // What a service's audit entry point passes: its evolve for the category, here the instalments paid so far.
    type Paid = { type: 'InstalmentPaid'; data: { amountCents: number } };
    const folds = [auditFold<{ paid: number; cents: number }, Paid>({ category: 'loan', initialState: () => ({ paid: 0, cents: 0 }), evolve: (state, event) => ({ paid: state.paid + 1, cents: state.cents + event.data.amountCents }) })];
    const run = async (...argv: string[]) => {
      let out = '';
      let err = '';
      const code = await main([...argv, '--db', `lending=${db.appUrl}`, '--token', await tokenFor([tenantId])], { env, out: (t) => (out += t), err: (t) => (err += t), progressIsTty: false }, { folds });
      return { code, out, err };
    };

    const now = await run('history', '--tenant', tenantId, '--stream', 'loan-a', '--state');
    const then = await run('history', '--tenant', tenantId, '--stream', 'loan-a', '--state', '--known-at', between, '--json');
    const none = await audit([tenantId], 'history', '--tenant', tenantId, '--stream', 'loan-a', '--state');

    expect(now.code).toBe(0);
    expect(now.out).toContain('  state: {"paid":3,"cents":37035}');
    expect(then.code).toBe(0);
    expect((JSON.parse(then.out) as { results: Array<{ state: unknown }> }).results[0].state).toEqual({ paid: 2, cents: 24_690 });
    expect(none.code).toBe(2);
    expect(none.err).toContain('--state needs the evolve of category loan, which this entry point does not have (it has: none)');
  });
});
