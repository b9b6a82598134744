import { randomUUID } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { applicationTransmittedV1, createEnvelope } from '@tremplin/contracts';
import { headersOf } from '@tremplin/messaging';
import { adminUrl, createTestDatabase, eventually, startServiceHarness, type ServiceHarness, type TestDatabase } from '@tremplin/testing';
import type { ServiceDefinition } from '@tremplin/service-kit';
import { advanceTransactionIds, MANIFEST, withDatabaseName, type BackupManifest, type VerifyReport } from './backup';
import { OPS_EXIT, opsMain } from './cli';

// The backup and restore drill of issue 16 on the run's real PostgreSQL and Kafka: loans made through the
// lending service as it runs in production (a Kafka message, HTTP commands), a backup while it runs, a restore
// into fresh databases, and the verification the command runs: every hash chain, the projection replayed from
// the events against the restored read model, and each table's rows and digest against the backup's.

jest.setTimeout(240_000);

const TENANT = 'ccas-laval';
const repo = join(__dirname, '..', '..');
// deploy/ is tooling and imports no service module statically (as deploy/migrate.ts).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { lendingService } = require(join(repo, 'services', 'lending', 'src', 'service')) as { lendingService: () => ServiceDefinition<never> };

const serviceOf = (name: string) =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require(join(repo, 'services', name, 'src', 'service')) as { service: ServiceDefinition<never> }).service;
// The other four services' databases, migrated (empty): the drill covers all five, each with its own checks.
const OTHERS = ['intake', 'guarantee-fund', 'accompaniment', 'reporting'] as const;

let h: ServiceHarness;
const others = new Map<string, TestDatabase>();
let work: string;
const restored: string[] = [];

async function ops(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await opsMain(argv, { out: (text) => (out += text), err: (text) => (err += text) });
  return { code, out, err };
}

async function admin<T>(fn: (client: Client) => Promise<T>, database?: string): Promise<T> {
  const client = new Client({ connectionString: database ? withDatabaseName(adminUrl(), database) : adminUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const databaseExists = (name: string) => admin(async (c) => (await c.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1);
const freshName = () => {
  const name = `t_restored_${randomUUID().slice(0, 8)}`;
  restored.push(name);
  return name;
};

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'tremplin-backup-'));
  for (const name of OTHERS) others.set(name, await createTestDatabase(`ops_${name}`, serviceOf(name).migrations));
  h = await startServiceHarness({ name: 'ops_backup', service: lendingService(), tenant: TENANT, env: { DISBURSEMENT_REQUIRES_GUARANTEE: 'false' } });
  const advisor = await h.token({ role: 'bankAdvisor', userId: 'bank-anne', organisationId: 'bank-parcours', organisationKind: 'bank' });
  const producer = await h.transport.producer();
  const applications = ['a', 'b', 'c'].map((suffix) => `app-${suffix}-${randomUUID().slice(0, 6)}`);
  for (const applicationId of applications) {
    const envelope = createEnvelope(
      applicationTransmittedV1,
      {
        tenantId: TENANT,
        applicationId,
        beneficiaryId: `ben-${applicationId}`,
        bankPartnerId: 'bank-parcours',
        product: 'classic',
        purposeCategory: 'mobility',
        requestedAmountCents: 80_000,
        requestedTermMonths: 12,
        transmittedAt: '2026-01-05T08:30:00.000Z',
        commissionDecisionId: 'commission-2026-01',
      },
      { messageId: randomUUID(), occurredAt: '2026-01-05T08:30:00.000Z', correlationId: `corr-${applicationId}` },
    );
    await producer.send([{ topic: h.topic('intake.application'), key: applicationId, value: JSON.stringify(envelope), headers: headersOf(envelope) }]);
  }
  await producer.close();
  const loans = await eventually(
    'three loans in the read model',
    async () => {
      const reply = await h.call('GET', `/tenants/${TENANT}/loans`, { token: advisor });
      const rows = (reply.body.loans as Array<{ loanId: string }> | undefined) ?? [];
      return rows.length === 3 ? rows : undefined;
    },
    60_000,
  );
  // A few more events on one stream, through the HTTP commands.
  const approved = await h.call('POST', `/tenants/${TENANT}/loans/${loans[0]!.loanId}/approve`, { token: advisor, body: { amountCents: 80_000, termMonths: 12, nominalRateBps: 300 } });
  expect(approved.status).toBe(200);
  await eventually('the approval in the read model', async () => {
    const reply = await h.call('GET', `/tenants/${TENANT}/loans`, { token: advisor });
    return (reply.body.loans as Array<{ status: string }>).some((loan) => loan.status === 'approved') || undefined;
  });
});

afterAll(async () => {
  await h?.close();
  for (const db of others.values()) await db.drop();
  for (const name of restored) await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).catch(() => undefined);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('npm run ops -- backup / restore (issue 16)', () => {
  let dir: string;
  let manifest: BackupManifest;

  it('backs up the five service databases, lending while it runs: one archive each, its sha256, and each table’s rows and digest in the same snapshot', async () => {
    dir = join(work, 'nightly');
    const result = await ops('backup', dir, '--db', `lending=${h.db.adminUrl}`, ...[...others].flatMap(([name, db]) => ['--db', `${name}=${db.adminUrl}`]), '--json');
    expect(result.err).toMatch(/lending: t_ops_backup_\w+ dumped to lending\.dump/);
    expect(result.code).toBe(OPS_EXIT.ok);
    manifest = JSON.parse(await readFile(join(dir, MANIFEST), 'utf8')) as BackupManifest;
    expect(manifest.databases.map((d) => d.service)).toEqual(['lending', ...OTHERS]);
    expect(manifest.pgDump).toMatch(/^pg_dump \(PostgreSQL\) 18\./);
    const [lending] = manifest.databases;
    expect(lending).toMatchObject({ service: 'lending', database: h.db.name, file: 'lending.dump', owner: 'tremplin_owner' });
    expect(lending!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(lending!.roles).toEqual(expect.arrayContaining(['tremplin_app', 'tremplin_owner']));
    expect(lending!.grants).toEqual(expect.arrayContaining([{ grantee: 'tremplin_app', privilege: 'CONNECT' }]));
    // Grants, forced row-level security and its policies, recorded in the catalogue the restore is compared with.
    expect(lending!.catalog).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^relation lending\.loan_summary kind r owner tremplin_owner acl .*tremplin_app=\w+\/tremplin_owner.* rls t force t$/),
        expect.stringMatching(/^sequence es\.events_global_position_seq at \d+ called true$/),
      ]),
    );
    expect(lending!.catalog.some((line) => line.startsWith('policy lending.loan_summary '))).toBe(true);
    const events = await admin(async (c) => Number((await c.query<{ n: string }>('SELECT count(*) AS n FROM es.events')).rows[0]!.n), h.db.name);
    expect(events).toBeGreaterThanOrEqual(4);
    expect(lending!.events).toBe(events);
    expect(lending!.tables.find((t) => t.table === 'lending.loan_summary')?.rows).toBe(3);
  });

  it('restores into fresh databases and verifies them: chains intact, every read model replayed equal, rows and digests equal to the backup', async () => {
    const target = freshName();
    const renames = OTHERS.flatMap((name) => ['--rename', `${name}=${freshName()}`]);
    const result = await ops('restore', dir, '--target-url', adminUrl(), '--rename', `lending=${target}`, ...renames, '--json');
    expect(result.err).toContain(`lending: lending.dump restored into ${target}`);
    expect(result.code).toBe(OPS_EXIT.ok);
    const { databases } = JSON.parse(result.out) as { databases: VerifyReport[] };
    expect(databases.map((d) => [d.service, d.ok])).toEqual([['lending', true], ...OTHERS.map((name) => [name, true])]);
    // Each service's own read-model checks ran (its src/audit.ts), reporting's log included.
    for (const report of databases) expect(report.replay).not.toBe('not applicable');
    expect(databases.find((d) => d.service === 'reporting')!.replay).toEqual([expect.objectContaining({ projection: 'reporting.consumed-log', equal: true })]);
    const report = databases.find((d) => d.service === 'lending');
    expect(report).toMatchObject({ service: 'lending', database: target, ok: true, events: manifest.databases[0]!.events, problems: [] });
    expect(report!.chains).toEqual([expect.objectContaining({ tenantId: TENANT, events: manifest.databases[0]!.events, broken: 0 })]);
    expect(report!.replay).toEqual([expect.objectContaining({ projection: expect.stringContaining('loan-summary'), equal: true })]);

    // The same figures, read independently on both sides.
    const sums = (database: string) =>
      admin(
        async (c) =>
          (
            await c.query<{ n: string; digest: string }>(
              `SELECT count(*) AS n, md5(string_agg(event_id::text || stream_id || stream_version || hash, ',' ORDER BY global_position)) AS digest FROM es.events`,
            )
          ).rows[0],
        database,
      );
    const live = await sums(h.db.name);
    expect(Number(live!.n)).toBe(manifest.databases[0]!.events);
    expect(await sums(target)).toEqual(live);
    // The service's role, with row-level security: it reads its tenant's loans in the restored copy, none without a tenant.
    const app = new Client({ connectionString: withDatabaseName(h.db.appUrl, target) });
    await app.connect();
    try {
      expect((await app.query('SELECT * FROM lending.loan_summary')).rowCount).toBe(0);
      await app.query(`SELECT set_config('app.tenant_id', $1, false)`, [TENANT]);
      expect((await app.query('SELECT * FROM lending.loan_summary')).rowCount).toBe(3);
    } finally {
      await app.end();
    }
  });

  it('refuses an altered archive, a missing one and a manifest-less folder, naming the problem, and changes nothing', async () => {
    const altered = join(work, 'altered');
    await cp(dir, altered, { recursive: true });
    const archive = await readFile(join(altered, 'lending.dump'));
    archive[Math.floor(archive.length / 2)] ^= 0xff;
    await writeFile(join(altered, 'lending.dump'), archive);
    const target = freshName();
    const tampered = await ops('restore', altered, '--target-url', adminUrl(), '--rename', `lending=${target}`);
    expect(tampered.code).toBe(OPS_EXIT.refused);
    expect(tampered.err).toMatch(/refused: the dump of lending \(lending\.dump\) does not match the manifest \(sha256 [0-9a-f]{16}…, \d+ bytes; expected [0-9a-f]{16}…, \d+ bytes\): altered or truncated, nothing was restored/);
    expect(await databaseExists(target)).toBe(false);

    const missing = join(work, 'missing');
    await cp(dir, missing, { recursive: true });
    await unlink(join(missing, 'lending.dump'));
    const gone = await ops('restore', missing, '--target-url', adminUrl(), '--rename', `lending=${target}`);
    expect(gone.code).toBe(OPS_EXIT.refused);
    expect(gone.err).toContain('refused: the dump of lending (lending.dump) is missing: nothing was restored');

    await unlink(join(missing, MANIFEST));
    const unfinished = await ops('restore', missing, '--target-url', adminUrl(), '--rename', `lending=${target}`);
    expect(unfinished.code).toBe(OPS_EXIT.refused);
    expect(unfinished.err).toContain(`holds no ${MANIFEST}: not a Tremplin backup, or one that did not finish`);
    expect(await databaseExists(target)).toBe(false);
  });

  it('restores into fresh databases only: an existing one is refused and left alone', async () => {
    const existing = await ops('restore', dir, '--target-url', adminUrl(), '--services', 'lending', '--rename', `lending=${h.db.name}`);
    expect(existing.code).toBe(OPS_EXIT.refused);
    expect(existing.err).toContain(`database(s) ${h.db.name} already exist on the target: a restore goes into fresh databases only`);
  });

  it('verify finds a tampered event and a drifted read-model row in a restored copy', async () => {
    const target = freshName();
    expect((await ops('restore', dir, '--target-url', adminUrl(), '--services', 'lending', '--rename', `lending=${target}`)).code).toBe(OPS_EXIT.ok);
    await admin(async (c) => {
      // As a superuser past the store's guards: what an intruder with the server's keys could do.
      await c.query(`SET session_replication_role = replica`);
      await c.query(`UPDATE es.events SET data = jsonb_set(data, '{amountCents}', '1') WHERE event_id = (SELECT event_id FROM es.events WHERE type = 'LoanApproved' LIMIT 1)`);
    }, target);
    const broken = await ops('verify', '--db', `lending=${withDatabaseName(adminUrl(), target)}`);
    expect(broken.code).toBe(OPS_EXIT.failed);
    expect(broken.err).toMatch(/lending: FAILED — 1 tenant\(s\), \d+ events, 1 broken chain\(s\)/);
    expect(broken.err).toMatch(/chain broken: ccas-laval\/loan-\S+ at version 2/);

    const drifted = freshName();
    expect((await ops('restore', dir, '--target-url', adminUrl(), '--services', 'lending', '--rename', `lending=${drifted}`)).code).toBe(OPS_EXIT.ok);
    await admin((c) => c.query(`UPDATE lending.loan_summary SET amount_cents = amount_cents + 1 WHERE status = 'approved'`), drifted);
    const differs = await ops('verify', '--db', `lending=${withDatabaseName(adminUrl(), drifted)}`);
    expect(differs.code).toBe(OPS_EXIT.failed);
    expect(differs.err).toMatch(/replay differs from the read model: lending\.loan-summary/);
  });

  it('a copy from a cluster whose transaction ids are ahead: verify names it, and a restore moves the server past them so the event store reads the events and orders new ones after them', async () => {
    // Another cluster's ids: the restored rows carry transaction ids this server has not reached (ADR 0002's
    // readers read below the oldest running one, so they would see none of these events).
    const ahead = freshName();
    expect((await ops('restore', dir, '--target-url', adminUrl(), '--services', 'lending', '--rename', `lending=${ahead}`)).code).toBe(OPS_EXIT.ok);
    const shift = 300_000;
    await admin(async (c) => {
      await c.query(`SET session_replication_role = replica`);
      for (const table of ['es.events', 'es.subscriptions', 'messaging.outbox']) {
        await c.query(`UPDATE ${table} SET transaction_id = (transaction_id::text::bigint + ${shift})::text::xid8 WHERE transaction_id::text <> '0'`);
      }
    }, ahead);
    const stale = await ops('verify', '--db', `lending=${withDatabaseName(adminUrl(), ahead)}`);
    expect(stale.code).toBe(OPS_EXIT.failed);
    expect(stale.err).toMatch(/transaction ids: rows carry ids up to \d+, ahead of this server's next one \(\d+\): restored from another cluster, so the event store's readers skip them/);

    const copy = join(work, 'from-another-cluster');
    expect((await ops('backup', copy, '--db', `lending=${withDatabaseName(adminUrl(), ahead)}`)).code).toBe(OPS_EXIT.ok);
    const target = freshName();
    const restoredCopy = await ops('restore', copy, '--target-url', adminUrl(), '--rename', `lending=${target}`);
    expect(restoredCopy.err).toMatch(/the restored rows carry transaction ids up to \d+, ahead of this server's \d+: consuming \d+ so the event store reads them/);
    expect(restoredCopy.err).toMatch(/lending: ok — 1 tenant\(s\), \d+ events, 0 broken chain\(s\); lending\.loan-summary replay equals live/);
    expect(restoredCopy.code).toBe(OPS_EXIT.ok);
    // Beyond what a restore consumes by itself, it stops and names PostgreSQL's own tool.
    const { rows } = await admin((c) => c.query<{ x: string }>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`));
    const far = BigInt(rows[0]!.x) + 10n ** 10n;
    await expect(advanceTransactionIds(adminUrl(), far, () => undefined, 1_000n)).rejects.toThrow(/Stop the server and run `pg_resetwal --epoch=\d+ --next-transaction-id=\d+ <data folder>`/);
  });
});
