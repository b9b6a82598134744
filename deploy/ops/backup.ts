import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { checkTenantChains, loadServiceAudits } from '@tremplin/audit';
import { checkReplayEqualsLive, listEventTenants } from '@tremplin/event-store-postgres';
import { createPool } from '@tremplin/pg';
import { postgresClientBin } from '../tools/postgres-client';

/**
 * The backup and restore drill (ADR 0009): one pg_dump archive per service database, taken in the snapshot
 * in which each table's row count and digest, the catalogue (owners, grants, row-level security, policies,
 * functions, sequences) and the event count are recorded in manifest.json with the archive's sha256. A
 * restore checks every archive against the manifest before it touches the target, restores into fresh
 * databases only, then verifies each one: same tables, same catalogue, every hash chain intact, and each read
 * model replayed equal to the restored one (the checks each service lists in its src/audit.ts, as `npm run audit
 * -- replay-check` runs them).
 */
export const BACKUP_FORMAT = 'tremplin-backup/1';
export const MANIFEST = 'manifest.json';
/** The role the services connect as (docs/operations.md): the replay check runs as it, so row-level security applies. */
export const APP_ROLE = 'tremplin_app';
/**
 * How far a restore moves the target server's transaction ids forward by itself (about 50,000 a second); beyond,
 * it stops and says how to do it with pg_resetwal.
 */
export const XID_ADVANCE_LIMIT = 20_000_000n;

export interface DatabaseTarget {
  readonly service: string;
  /** A maintenance URL of the database: a superuser or a BYPASSRLS role (it reads every tenant's rows). */
  readonly url: string;
}

export interface TableSum {
  readonly table: string;
  readonly rows: number;
  readonly digest: string;
}

export interface DatabaseManifest {
  readonly service: string;
  readonly database: string;
  readonly file: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly owner: string;
  /** Database-level privileges (pg_dump without --create does not carry them). */
  readonly grants: ReadonlyArray<{ readonly grantee: string; readonly privilege: string }>;
  /** Every role the archive names: they must exist on the target before a restore. */
  readonly roles: readonly string[];
  readonly catalog: readonly string[];
  readonly tables: readonly TableSum[];
  /** Rows of es.events, or null when the database has no event store. */
  readonly events: number | null;
}

export interface BackupManifest {
  readonly format: typeof BACKUP_FORMAT;
  readonly takenAt: string;
  readonly server: string;
  readonly pgDump: string;
  readonly databases: readonly DatabaseManifest[];
}

/** A backup that cannot be restored as it is: nothing was changed on the target. */
export class BackupRefusedError extends Error {
  readonly code = 'BACKUP_REFUSED';
}

export interface VerifyReport {
  readonly service: string;
  readonly database: string;
  readonly ok: boolean;
  readonly events: number | null;
  readonly chains: ReadonlyArray<{ readonly tenantId: string; readonly streams: number; readonly events: number; readonly broken: number }>;
  readonly replay: ReadonlyArray<{ readonly projection: string; readonly equal: boolean; readonly events: number }> | 'not applicable';
  readonly problems: readonly string[];
}

type Log = (line: string) => void;
const quiet: Log = () => undefined;

function run(program: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { env, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(Object.assign(new Error(`${program.split('/').pop()} failed: ${stderr.trim() || error.message}`), { stdout, stderr }));
      else resolve({ stdout, stderr });
    });
  });
}

/** libpq reads the password from the environment, so it never shows in the process list. */
function libpqArgs(url: string): { uri: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  parsed.password = '';
  return { uri: parsed.toString(), env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) } };
}

export function databaseOf(url: string): string {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`the URL names no plain database (${name || 'none'})`);
  return name;
}

export function withDatabaseName(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const USER_SCHEMAS = `n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast') AND n.nspname NOT LIKE 'pg_temp_%' AND n.nspname NOT LIKE 'pg_toast_temp_%'`;

/** Owners, grants, row-level security, policies, functions, triggers and sequence positions, one sorted line each. */
async function describeCatalog(db: Client): Promise<string[]> {
  const sortedAcl = (column: string) => `coalesce((SELECT string_agg(a::text, ',' ORDER BY a::text) FROM unnest(${column}) a), '-')`;
  const lines: string[] = [];
  const schemas = await db.query<{ line: string }>(
    `SELECT format('schema %s owner %s acl %s', n.nspname, pg_get_userbyid(n.nspowner), ${sortedAcl('n.nspacl')}) AS line FROM pg_namespace n WHERE ${USER_SCHEMAS}`,
  );
  const relations = await db.query<{ line: string }>(
    `SELECT format('relation %s.%s kind %s owner %s acl %s rls %s force %s', n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), ${sortedAcl('c.relacl')}, c.relrowsecurity, c.relforcerowsecurity) AS line
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')`,
  );
  const columns = await db.query<{ line: string }>(
    `SELECT format('column %s.%s.%s %s notnull %s default %s', n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, coalesce(pg_get_expr(d.adbin, d.adrelid), '-')) AS line
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
     WHERE ${USER_SCHEMAS} AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped`,
  );
  const indexes = await db.query<{ line: string }>(`SELECT format('index %s.%s %s', schemaname, indexname, indexdef) AS line FROM pg_indexes WHERE schemaname NOT IN ('pg_catalog', 'information_schema')`);
  const policies = await db.query<{ line: string }>(
    `SELECT format('policy %s.%s %s %s %s roles %s using %s check %s', schemaname, tablename, policyname, permissive, cmd, array_to_string(ARRAY(SELECT unnest(roles) ORDER BY 1), ','), coalesce(qual, '-'), coalesce(with_check, '-')) AS line FROM pg_policies`,
  );
  const functions = await db.query<{ line: string }>(
    `SELECT format('function %s.%s(%s) owner %s acl %s definer %s body %s', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), pg_get_userbyid(p.proowner), ${sortedAcl('p.proacl')}, p.prosecdef, md5(p.prosrc)) AS line
     FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_SCHEMAS}`,
  );
  const triggers = await db.query<{ line: string }>(
    `SELECT format('trigger %s.%s %s %s', n.nspname, c.relname, t.tgname, pg_get_triggerdef(t.oid)) AS line
     FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT t.tgisinternal AND ${USER_SCHEMAS}`,
  );
  for (const result of [schemas, relations, columns, indexes, policies, functions, triggers]) lines.push(...result.rows.map((row) => row.line));
  const sequences = await db.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND c.relkind = 'S'`,
  );
  for (const { name } of sequences.rows) {
    const { rows } = await db.query<{ last_value: string; is_called: boolean }>(`SELECT last_value::text, is_called FROM ${name}`);
    lines.push(`sequence ${name} at ${rows[0]!.last_value} called ${rows[0]!.is_called}`);
  }
  return lines.sort();
}

async function tableSums(db: Client): Promise<TableSum[]> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_SCHEMAS} AND c.relkind = 'r' ORDER BY 1`,
  );
  const sums: TableSum[] = [];
  for (const { name } of tables) {
    // Read as the maintenance role, which bypasses row-level security: every tenant's rows count.
    const { rows } = await db.query<{ n: string; digest: string }>(`SELECT count(*)::text AS n, md5(coalesce(string_agg(md5(t::text), ',' ORDER BY md5(t::text)), '')) AS digest FROM ${name} t`);
    sums.push({ table: name, rows: Number(rows[0]!.n), digest: rows[0]!.digest });
  }
  return sums;
}

async function bypassesRls(db: Client): Promise<boolean> {
  const { rows } = await db.query<{ ok: boolean }>(`SELECT rolsuper OR rolbypassrls AS ok FROM pg_roles WHERE rolname = current_user`);
  return rows[0]?.ok === true;
}

async function hasEventStore(db: Client): Promise<boolean> {
  return (await db.query<{ t: string | null }>(`SELECT to_regclass('es.events')::text AS t`)).rows[0]?.t !== null;
}

/**
 * The largest transaction id stored in an xid8 column (the event store's and the outbox's order, ADR 0002), and
 * the server's next one. Rows restored from another cluster can carry ids the server has not reached yet: the
 * event store reads below the oldest running transaction, so its readers would not see them, and new events
 * would sort before them.
 */
async function transactionIds(db: Client): Promise<{ stored: bigint; next: bigint }> {
  const { rows: columns } = await db.query<{ target: string; col: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS target, quote_ident(a.attname) AS col
     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE ${USER_SCHEMAS} AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'xid8'::regtype`,
  );
  let stored = 0n;
  for (const { target, col } of columns) {
    const { rows } = await db.query<{ m: string | null }>(`SELECT max(${col})::text AS m FROM ${target}`);
    if (rows[0]?.m && BigInt(rows[0].m) > stored) stored = BigInt(rows[0].m);
  }
  const next = BigInt((await db.query<{ x: string }>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`)).rows[0]!.x);
  return { stored, next };
}

/** Consumes transaction ids (subtransactions writing a temporary table) until the server's next one exceeds `beyond`. */
export async function advanceTransactionIds(adminUrl: string, beyond: bigint, log: Log = quiet, limit = XID_ADVANCE_LIMIT): Promise<{ from: bigint; to: bigint }> {
  const db = new Client({ connectionString: adminUrl, application_name: 'tremplin-restore-xids' });
  await db.connect();
  try {
    const nextId = async () => BigInt((await db.query<{ x: string }>(`SELECT pg_snapshot_xmax(pg_current_snapshot())::text AS x`)).rows[0]!.x);
    const from = await nextId();
    if (from > beyond) return { from, to: from };
    const gap = beyond - from + 1n;
    if (gap > limit) {
      const epoch = (beyond + 1n) >> 32n;
      const xid = (beyond + 1n) & 0xffff_ffffn;
      throw new Error(
        `the restored rows carry transaction ids up to ${beyond}, ${gap} ahead of this server's next one (${from}): too many to consume here. ` +
          `Stop the server and run \`pg_resetwal --epoch=${epoch} --next-transaction-id=${xid < 3n ? 3n : xid} <data folder>\` (PostgreSQL's tool, as its owner), start it, then run \`npm run ops -- verify\` on these databases`,
      );
    }
    log(`the restored rows carry transaction ids up to ${beyond}, ahead of this server's ${from}: consuming ${gap} so the event store reads them and orders new events after them`);
    await db.query(`CREATE TEMPORARY TABLE tremplin_xid_advance (x int)`);
    for (let next = from; next <= beyond; next = await nextId()) {
      const batch = Number(beyond - next + 1n < 50_000n ? beyond - next + 1n : 50_000n);
      await db.query(`DO $$ BEGIN FOR i IN 1..${batch} LOOP BEGIN INSERT INTO tremplin_xid_advance VALUES (1); EXCEPTION WHEN OTHERS THEN NULL; END; END LOOP; END $$`);
      await db.query(`TRUNCATE tremplin_xid_advance`);
    }
    return { from, to: await nextId() };
  } finally {
    await db.end();
  }
}

async function describeDatabase(db: Client): Promise<Pick<DatabaseManifest, 'owner' | 'grants' | 'roles' | 'catalog' | 'tables' | 'events'>> {
  const { rows: info } = await db.query<{ owner: string }>(`SELECT pg_get_userbyid(datdba) AS owner FROM pg_database WHERE datname = current_database()`);
  const { rows: grants } = await db.query<{ grantee: string; privilege: string }>(
    `SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END AS grantee, a.privilege_type AS privilege
     FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = current_database() ORDER BY 1, 2`,
  );
  const catalog = await describeCatalog(db);
  const roles = new Set<string>([info[0]!.owner, ...grants.map((g) => g.grantee).filter((g) => g !== 'PUBLIC')]);
  for (const line of catalog) {
    for (const match of line.matchAll(/ owner (\S+)/g)) roles.add(match[1]!);
    for (const match of line.matchAll(/(?:^|,| acl )([a-z_][a-z0-9_]*)=[a-zA-Z*]*\/([a-z_][a-z0-9_]*)/g)) roles.add(match[1]!).add(match[2]!);
    for (const match of line.matchAll(/ roles (\S+)/g)) for (const role of match[1]!.split(',')) if (role !== 'public') roles.add(role);
  }
  const events = (await hasEventStore(db)) ? Number((await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM es.events`)).rows[0]!.n) : null;
  return { owner: info[0]!.owner, grants, roles: [...roles].sort(), catalog, tables: await tableSums(db), events };
}

async function toolVersion(program: string): Promise<string> {
  return (await run(program, ['--version'], process.env)).stdout.trim();
}

/** Dumps every named database into a new folder; the manifest is written last, so a folder without one is no backup. */
export async function backup(dir: string, targets: readonly DatabaseTarget[], log: Log = quiet): Promise<BackupManifest> {
  if (targets.length === 0) throw new Error('name at least one database');
  if (existsSync(dir) && (await readdir(dir)).length > 0) throw new BackupRefusedError(`${dir} is not empty: a backup goes into a new folder`);
  await mkdir(dir, { recursive: true });
  const bin = postgresClientBin();
  const pgDump = join(bin, 'pg_dump');
  const databases: DatabaseManifest[] = [];
  let server = '';
  for (const target of targets) {
    const database = databaseOf(target.url);
    const db = new Client({ connectionString: target.url, application_name: 'tremplin-backup' });
    await db.connect();
    try {
      if (!(await bypassesRls(db))) throw new Error(`${target.service}: connect as a superuser or a BYPASSRLS role, or row-level security hides rows from the backup`);
      server = (await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]!.v;
      // Read-only REPEATABLE READ: no transaction id, so it holds back no event-store subscriber (ADR 0002).
      await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const snapshot = (await db.query<{ id: string }>('SELECT pg_export_snapshot() AS id')).rows[0]!.id;
      const described = await describeDatabase(db);
      const file = `${target.service}.dump`;
      const { uri, env } = libpqArgs(target.url);
      await run(pgDump, ['--format=custom', `--snapshot=${snapshot}`, `--file=${join(dir, file)}`, `--dbname=${uri}`], env);
      await db.query('COMMIT');
      const bytes = (await stat(join(dir, file))).size;
      databases.push({ service: target.service, database, file, bytes, sha256: await sha256Of(join(dir, file)), ...described });
      log(`${target.service}: ${database} dumped to ${file} (${bytes} bytes, ${described.tables.length} tables, ${described.events ?? 'no'} events)`);
    } finally {
      await db.end();
    }
  }
  const manifest: BackupManifest = { format: BACKUP_FORMAT, takenAt: new Date().toISOString(), server, pgDump: await toolVersion(pgDump), databases };
  await writeFile(join(dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { flag: 'wx' });
  return manifest;
}

/** Reads the manifest and checks every archive against it; throws BackupRefusedError naming the first problem. */
export async function checkBackup(dir: string): Promise<BackupManifest> {
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new BackupRefusedError(`${dir} holds no ${MANIFEST}: not a Tremplin backup, or one that did not finish`);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as BackupManifest;
  } catch (error) {
    throw new BackupRefusedError(`${path} is not valid JSON: ${(error as Error).message}`);
  }
  if (manifest?.format !== BACKUP_FORMAT || !Array.isArray(manifest.databases)) throw new BackupRefusedError(`${path} is not a ${BACKUP_FORMAT} manifest`);
  for (const entry of manifest.databases) {
    if (!/^[a-z0-9-]+\.dump$/.test(entry.file)) throw new BackupRefusedError(`the manifest names an unexpected file for ${entry.service}: ${entry.file}`);
    const file = join(dir, entry.file);
    if (!existsSync(file)) throw new BackupRefusedError(`the dump of ${entry.service} (${entry.file}) is missing: nothing was restored`);
    const bytes = (await stat(file)).size;
    const sha256 = await sha256Of(file);
    if (bytes !== entry.bytes || sha256 !== entry.sha256) {
      throw new BackupRefusedError(`the dump of ${entry.service} (${entry.file}) does not match the manifest (sha256 ${sha256.slice(0, 16)}…, ${bytes} bytes; expected ${entry.sha256.slice(0, 16)}…, ${entry.bytes} bytes): altered or truncated, nothing was restored`);
    }
  }
  return manifest;
}

export interface RestoreOptions {
  /** A superuser URL of the target server (any database). */
  readonly targetUrl: string;
  /** Database name per service; the backed-up name by default. */
  readonly rename?: Readonly<Record<string, string>>;
  /** Only these services; all of the backup by default. */
  readonly services?: readonly string[];
  readonly log?: Log;
}

/** Restores into fresh databases, then verifies each against the manifest; refuses before any change if anything is off. */
export async function restore(dir: string, options: RestoreOptions): Promise<VerifyReport[]> {
  const log = options.log ?? quiet;
  const manifest = await checkBackup(dir);
  const entries = manifest.databases.filter((entry) => !options.services || options.services.includes(entry.service));
  for (const service of options.services ?? []) if (!manifest.databases.some((e) => e.service === service)) throw new BackupRefusedError(`the backup holds no database of ${service}`);
  for (const service of Object.keys(options.rename ?? {})) if (!entries.some((e) => e.service === service)) throw new BackupRefusedError(`--rename names ${service}, which this restore does not cover`);
  const plan = entries.map((entry) => ({ entry, database: options.rename?.[entry.service] ?? entry.database }));
  for (const { database } of plan) databaseOf(withDatabaseName(options.targetUrl, database));
  const bin = postgresClientBin();
  const admin = new Client({ connectionString: options.targetUrl, application_name: 'tremplin-restore' });
  await admin.connect();
  try {
    if (!(await admin.query<{ s: boolean }>(`SELECT rolsuper AS s FROM pg_roles WHERE rolname = current_user`)).rows[0]?.s) throw new BackupRefusedError('restore needs a superuser URL of the target server (it creates databases and objects owned by other roles)');
    const needed = [...new Set(plan.flatMap(({ entry }) => entry.roles))].sort();
    const { rows: present } = await admin.query<{ rolname: string }>(`SELECT rolname FROM pg_roles WHERE rolname = ANY($1::text[])`, [needed]);
    const missing = needed.filter((role) => !present.some((row) => row.rolname === role));
    if (missing.length) throw new BackupRefusedError(`the target server lacks the role(s) ${missing.join(', ')}: create them first (docs/operations.md, Install), nothing was restored`);
    const { rows: existing } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname = ANY($1::text[])`, [plan.map((p) => p.database)]);
    if (existing.length) throw new BackupRefusedError(`database(s) ${existing.map((r) => r.datname).join(', ')} already exist on the target: a restore goes into fresh databases only (drop them, or --rename SERVICE=NEW_NAME), nothing was restored`);
    for (const { entry, database } of plan) {
      await admin.query(`CREATE DATABASE ${quoteIdent(database)} OWNER ${quoteIdent(entry.owner)}`);
      try {
        await admin.query(`REVOKE ALL ON DATABASE ${quoteIdent(database)} FROM PUBLIC`);
        for (const grant of entry.grants) {
          await admin.query(`GRANT ${grant.privilege} ON DATABASE ${quoteIdent(database)} TO ${grant.grantee === 'PUBLIC' ? 'PUBLIC' : quoteIdent(grant.grantee)}`);
        }
        const { uri, env } = libpqArgs(withDatabaseName(options.targetUrl, database));
        await run(join(bin, 'pg_restore'), ['--exit-on-error', '--single-transaction', `--dbname=${uri}`, join(dir, entry.file)], env);
      } catch (error) {
        await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`).catch(() => undefined);
        throw new Error(`${entry.service}: restore into ${database} failed, the database was dropped again: ${(error as Error).message}`);
      }
      log(`${entry.service}: ${entry.file} restored into ${database}`);
    }
  } finally {
    await admin.end();
  }
  let stored = 0n;
  for (const { database } of plan) {
    const db = new Client({ connectionString: withDatabaseName(options.targetUrl, database) });
    await db.connect();
    try {
      const ids = await transactionIds(db);
      if (ids.stored > stored) stored = ids.stored;
    } finally {
      await db.end();
    }
  }
  await advanceTransactionIds(options.targetUrl, stored, log);
  const reports: VerifyReport[] = [];
  for (const { entry, database } of plan) reports.push(await verifyDatabase({ service: entry.service, url: withDatabaseName(options.targetUrl, database) }, { expected: entry, log }));
  return reports;
}

/**
 * Verifies one database: every hash chain of every tenant, each projection replayed from its events against the
 * read model (the service's rebuild.cli.ts --check, as the application role), and, after a restore, the tables,
 * catalogue and event count against the backup's manifest.
 */
export async function verifyDatabase(target: DatabaseTarget, options: { expected?: DatabaseManifest; log?: Log } = {}): Promise<VerifyReport> {
  const log = options.log ?? quiet;
  const problems: string[] = [];
  const db = new Client({ connectionString: target.url, application_name: 'tremplin-verify' });
  await db.connect();
  let events: number | null;
  const chains: Array<VerifyReport['chains'][number]> = [];
  try {
    if (!(await bypassesRls(db))) throw new Error(`${target.service}: verify as a superuser or a BYPASSRLS role, or row-level security hides rows`);
    await db.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const described = await describeDatabase(db);
    events = described.events;
    const ids = await transactionIds(db);
    if (ids.stored >= ids.next) {
      problems.push(`transaction ids: rows carry ids up to ${ids.stored}, ahead of this server's next one (${ids.next}): restored from another cluster, so the event store's readers skip them; a restore with npm run ops moves the server's ids forward`);
    }
    if (events !== null) {
      for (const tenantId of await listEventTenants(db)) {
        const result = await checkTenantChains(db, tenantId);
        chains.push({ tenantId, streams: result.streams, events: result.events, broken: result.broken.length });
        for (const link of result.broken) problems.push(`chain broken: ${tenantId}/${link.streamId} at version ${link.streamVersion}: ${link.reason}`);
      }
    }
    await db.query('COMMIT');
    if (options.expected) problems.push(...compareWithManifest(options.expected, described));
  } finally {
    await db.end();
  }
  const replay = await replayCheck(target);
  if (replay !== 'not applicable') for (const check of replay) if (!check.equal) problems.push(`replay differs from the read model: ${check.projection}`);
  const report: VerifyReport = { service: target.service, database: databaseOf(target.url), ok: problems.length === 0, events, chains, replay, problems };
  const chainText = events === null ? 'no event store' : `${chains.length} tenant(s), ${events} events, ${chains.reduce((n, c) => n + c.broken, 0)} broken chain(s)`;
  const replayText = replay === 'not applicable' ? 'replay check not applicable' : replay.map((r) => `${r.projection} replay ${r.equal ? 'equals' : 'DIFFERS FROM'} live`).join(', ');
  log(`${target.service}: ${report.ok ? 'ok' : 'FAILED'} — ${chainText}; ${replayText}${options.expected ? `; ${options.expected.tables.length} tables compared with the backup` : ''}`);
  for (const problem of problems) log(`  ${problem}`);
  return report;
}

export function compareWithManifest(expected: DatabaseManifest, actual: Pick<DatabaseManifest, 'catalog' | 'tables' | 'events' | 'owner' | 'grants'>): string[] {
  const problems: string[] = [];
  if (expected.events !== actual.events) problems.push(`events: ${actual.events ?? 'none'}, the backup had ${expected.events ?? 'none'}`);
  if (expected.owner !== actual.owner) problems.push(`database owner ${actual.owner}, the backup had ${expected.owner}`);
  const grants = (list: DatabaseManifest['grants']) => list.map((g) => `${g.grantee}:${g.privilege}`).sort().join(',');
  if (grants(expected.grants) !== grants(actual.grants)) problems.push(`database privileges ${grants(actual.grants)}, the backup had ${grants(expected.grants)}`);
  const tables = new Map(actual.tables.map((t) => [t.table, t]));
  for (const table of expected.tables) {
    const found = tables.get(table.table);
    if (!found) problems.push(`table ${table.table} is missing`);
    else if (found.rows !== table.rows || found.digest !== table.digest) problems.push(`table ${table.table}: ${found.rows} rows (digest ${found.digest}), the backup had ${table.rows} (${table.digest})`);
    tables.delete(table.table);
  }
  for (const extra of tables.keys()) problems.push(`table ${extra} was not in the backup`);
  const before = new Set(expected.catalog);
  const after = new Set(actual.catalog);
  for (const line of expected.catalog) if (!after.has(line)) problems.push(`catalogue: missing ${line}`);
  for (const line of actual.catalog) if (!before.has(line)) problems.push(`catalogue: not in the backup: ${line}`);
  return problems;
}

/**
 * Each read model the service lists in its src/audit.ts (the projections of its event store, reporting's log),
 * replayed in a transaction always rolled back and compared with the live tables, as the application role: row-level
 * security applies as in production.
 */
async function replayCheck(target: DatabaseTarget): Promise<Array<{ projection: string; equal: boolean; events: number }> | 'not applicable'> {
  const [audit] = loadServiceAudits([target.service]);
  const checks = [
    ...(audit?.projections ?? []).map((projection) => ({ name: projection.name, run: (pool: Parameters<typeof checkReplayEqualsLive>[0]) => checkReplayEqualsLive(pool, projection) })),
    ...(audit?.readModelChecks ?? []).map((check) => ({ name: check.name, run: (pool: Parameters<typeof checkReplayEqualsLive>[0]) => check.check(pool) })),
  ];
  if (checks.length === 0) return 'not applicable';
  const url = new URL(target.url);
  url.searchParams.set('options', `-c role=${APP_ROLE}`);
  const pool = createPool(url.toString(), { max: 2, application_name: 'tremplin-verify-replay' });
  try {
    const results: Array<{ projection: string; equal: boolean; events: number }> = [];
    for (const check of checks) {
      const result = await check.run(pool);
      results.push({ projection: check.name, equal: result.equal, events: result.events });
    }
    return results;
  } finally {
    await pool.end();
  }
}
