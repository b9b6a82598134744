import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { authConfigFromEnv, createTokenVerifier } from '@tremplin/auth';
import { createPool } from '@tremplin/pg';
import { createPrivacyVault, privacyConfigFromEnv, type PrivacyVault } from '@tremplin/privacy';
import { categoryOf, checkReplayEqualsLive, listEventTenants, listStreamSummaries, readStreamChain, type ChainRow, type ReplayCheck } from '@tremplin/event-store-postgres';
import { chainChecker, checkTenantChainsInParallel, type TenantChains } from './chains';
import { CHECKPOINT_FILE_FORMAT, checkCheckpoint, checkConsistency, headLeaf, signCheckpoint, versionsToProve, type CheckpointFile, type SignedCheckpoint } from './checkpoint';
import { logChains, listLogTenants, type IntegrationLogSource, type LogRow } from './integration-log';
import { inclusionProof, leafHash, verifyInclusion } from './merkle';
import type { ReadModelCheck, ServiceAudit } from './service-audit';
import { AuditUnavailableError, connectAudit, inSnapshot, readAccessLog, recordAuditorAction, type AuditConnection, type Auditor, type AuditTarget } from './session';
import { keyIdOf, loadCheckpointSigner, loadVerificationKey, publicKeyPem } from './signing-key';

export const EXIT = { ok: 0, integrity: 1, usage: 2, refused: 3 } as const;

export interface CliIo {
  readonly env: Record<string, string | undefined>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Progress redraws one line in a terminal; elsewhere it prints a line now and then. */
  readonly progressIsTty: boolean;
}

export const SERVICES = ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'] as const;

const USAGE = `usage: npm run audit -- <command> [options]

commands
  tenants                        tenants with events in each database (only those granted to you are named)
  streams    --tenant T          a tenant's streams: category, events, first and last event time
  history    --tenant T --stream S [--known-at ISO] [--as-of ISO] [--data] [--state] [--decrypt]
                                 one stream's events (type, time, actor, role, correlation, causation), its chain checked;
                                 --known-at: what the store held at that instant; --as-of: events that had occurred by then;
                                 --state: the aggregate folded by the service's own evolve (services/<name>/src/audit.ts);
                                 --decrypt: personal fields in clear ("[erased]" after erasure; needs PRIVACY_MASTER_KEY)
  verify     --tenant T | --all-tenants
                                 recompute every hash chain, name the first broken link of each bad stream
  checkpoint --tenant T | --all-tenants --out FILE
                                 verify, then sign a Merkle tree head over every stream head (platform key)
  consistency --old FILE [--new FILE]
                                 prove the database still extends the checkpoints: nothing shortened, changed or removed
  replay-check --tenant T | --all-tenants
                                 rebuild every read model from the events in a transaction always rolled back, compare
                                 with the live tables tenant by tenant (needs the service's role, not a read-only one)
  check-checkpoint --file FILE   signature and tree head of a checkpoint file, offline
  prove      --file FILE --stream S [--tenant T]
                                 one stream head's audit path to the signed tree head (RFC 9162), offline
  access-log --tenant T [--since ISO]
                                 the auditors' accesses recorded for a tenant (also for a platformAdmin token)
  key                            the platform's checkpoint public key and its id

databases (read-only; every action is recorded in audit.access_log of the database it reads; reporting's database is
audited through the log of integration events it consumed: its streams are <topic>/<aggregate id>)
  --db SERVICE=URL               repeatable
  --base-url URL [--services a,b]  databases tremplin_<service> on one server (default: all five services)

identity: --token JWT or AUDIT_TOKEN (an auditor's token, verified like the services' tokens)
speed:    --workers N (worker threads, each on its own connection in one exported snapshot; default: 2 from 100,000 events),
          --page-size N (default 10000)
output:   --json for one JSON document on stdout; progress goes to stderr
exit:     0 all good, 1 integrity failure found, 2 usage error, 3 refused or could not run`;

class UsageError extends Error {}
class RefusedError extends Error {}

interface Options {
  readonly command: string;
  readonly json: boolean;
  readonly values: Record<string, string | string[] | boolean | undefined>;
}

function parse(argv: string[]): Options {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        db: { type: 'string', multiple: true },
        'base-url': { type: 'string' },
        services: { type: 'string' },
        token: { type: 'string' },
        tenant: { type: 'string', multiple: true },
        'all-tenants': { type: 'boolean' },
        stream: { type: 'string' },
        category: { type: 'string' },
        'known-at': { type: 'string' },
        'as-of': { type: 'string' },
        since: { type: 'string' },
        data: { type: 'boolean' },
        decrypt: { type: 'boolean' },
        state: { type: 'boolean' },
        out: { type: 'string' },
        old: { type: 'string' },
        new: { type: 'string' },
        file: { type: 'string' },
        'public-key': { type: 'string' },
        'page-size': { type: 'string' },
        workers: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command = 'help', ...rest] = parsed.positionals;
  if (rest.length) throw new UsageError(`unexpected argument: ${rest[0]}`);
  for (const name of ['known-at', 'as-of', 'since'] as const) {
    const value = parsed.values[name];
    if (value !== undefined && Number.isNaN(Date.parse(value))) throw new UsageError(`--${name} must be an ISO date-time, got ${value}`);
  }
  return { command: parsed.values.help ? 'help' : command, json: parsed.values.json === true, values: parsed.values };
}

function targetsOf(options: Options): AuditTarget[] {
  const targets: AuditTarget[] = [];
  for (const item of (options.values.db as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--db takes SERVICE=URL, got ${item}`);
    targets.push({ service: item.slice(0, eq), url: item.slice(eq + 1) });
  }
  const base = options.values['base-url'] as string | undefined;
  if (base) {
    const services = ((options.values.services as string | undefined) ?? SERVICES.join(',')).split(',').filter(Boolean);
    for (const service of services) {
      let url: URL;
      try {
        url = new URL(base);
      } catch {
        throw new UsageError(`--base-url is not a URL`);
      }
      url.pathname = `/tremplin_${service.replace(/-/g, '_')}`;
      targets.push({ service, url: url.toString() });
    }
  }
  if (targets.length === 0) throw new UsageError('name the databases: --db SERVICE=URL (repeatable) or --base-url URL [--services …]');
  const seen = new Set<string>();
  for (const target of targets) {
    if (seen.has(target.service)) throw new UsageError(`service ${target.service} is named twice`);
    seen.add(target.service);
  }
  return targets;
}

async function identify(options: Options, io: CliIo): Promise<Auditor> {
  const token = (options.values.token as string | undefined) ?? io.env.AUDIT_TOKEN;
  if (!token) throw new UsageError('an auditor token is required: --token JWT or AUDIT_TOKEN');
  try {
    const verifier = await createTokenVerifier(authConfigFromEnv(io.env));
    return await verifier.verify(token);
  } catch (error) {
    throw new RefusedError(`the token is not accepted: ${(error as Error).message}`);
  }
}

function progress(io: CliIo, label: string, total: number) {
  const started = performance.now();
  let shownAt = 0;
  const line = (done: number) => {
    const seconds = (performance.now() - started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const percent = total > 0 ? ` ${Math.min(100, Math.floor((done / total) * 100))}%` : '';
    return `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} events${percent}, ${rate.toLocaleString('en-US')} ev/s`;
  };
  return {
    update(done: number) {
      const now = performance.now();
      if (now - shownAt < (io.progressIsTty ? 250 : 5000)) return;
      shownAt = now;
      io.err(io.progressIsTty ? `\r${line(done)}\x1b[K` : `${line(done)}\n`);
    },
    done(done: number) {
      io.err(io.progressIsTty ? `\r${line(done)}\x1b[K\n` : `${line(done)}\n`);
    },
  };
}

interface Run {
  readonly options: Options;
  readonly io: CliIo;
  readonly auditor: Auditor;
  readonly correlationId: string;
  readonly connections: AuditConnection[];
  readonly folds: readonly AuditFold[];
  readonly services: ReadonlyMap<string, ServiceAudit>;
}

/** A service's fold of a category, or one handed to the CLI directly (tests, a service's own entry point). */
const foldFor = (run: Run, service: string, category: string) =>
  run.services.get(service)?.folds?.find((f) => f.category === category) ?? run.folds.find((f) => f.category === category);

/** Checkpoints of a service's integration log are told from its event store's by this suffix of their service name. */
const LOG_SUFFIX = '/integration-log';

/** A tenant's integration log as chains, in the connection's open snapshot. */
function tenantLogChains(run: Run, connection: AuditConnection, log: IntegrationLogSource, tenantId: string, hashesAt?: ReadonlyMap<string, ReadonlySet<number>>) {
  const meter = progress(run.io, `${connection.target.service}${LOG_SUFFIX}/${tenantId}`, 0);
  return logChains(connection.client, log, tenantId, { hashesAt, pageSize: pageSizeOf(run.options), onProgress: (n) => meter.update(n) }).then((chains) => {
    meter.done(chains.events);
    return chains;
  });
}

/**
 * How a service folds one category of its streams into state, handed to the CLI by that service's own audit entry
 * point (a shared lib may not import a service): `history --state` then shows the aggregate as known at / as of a date.
 */
export interface AuditFold<State = unknown, Event extends { type: string; data: unknown } = { type: string; data: unknown }> {
  readonly category: string;
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  /** The service's codec (upcasters, schemas); without it the stored type and data are passed as they are. */
  readonly decode?: (event: { type: string; schemaVersion: number; data: unknown }) => Event;
}

/** A fold with its own state and event types, as the list of `main`'s setup takes it. */
export const auditFold = <State, Event extends { type: string; data: unknown }>(fold: AuditFold<State, Event>): AuditFold => fold as unknown as AuditFold;

/** Tenants with events in the database's event store or in its integration log. */
async function presentTenants(connection: AuditConnection): Promise<string[]> {
  const inStore = connection.hasEventStore ? await listEventTenants(connection.client) : [];
  const inLog = connection.integrationLog ? await listLogTenants(connection.client, connection.integrationLog) : [];
  return [...new Set([...inStore, ...inLog])].sort();
}

/** The tenants a command covers in one database, each recorded before it is read; a tenant not granted is refused. */
async function tenantsFor(run: Run, connection: AuditConnection, action: string): Promise<{ tenants: string[]; notGranted: number }> {
  // A platform admin's token names no tenant: reading the access log is not about one (main lets them do nothing else).
  const granted = run.auditor.role === 'platformAdmin' ? { has: () => true } : new Set(run.auditor.tenantIds);
  const named = run.options.values.tenant as string[] | undefined;
  const all = run.options.values['all-tenants'] === true;
  if (!named?.length && !all) throw new UsageError('name a tenant (--tenant T) or --all-tenants');
  if (named?.length && all) throw new UsageError('--tenant and --all-tenants exclude each other');
  let tenants: string[];
  let notGranted = 0;
  if (all) {
    const present = await presentTenants(connection);
    tenants = present.filter((t) => granted.has(t));
    notGranted = present.length - tenants.length;
  } else {
    tenants = named!;
    for (const tenantId of tenants) {
      if (!granted.has(tenantId)) {
        await recordAuditorAction(connection, run.auditor, { tenantId, action, outcome: 'denied-tenant', correlationId: run.correlationId });
        throw new RefusedError(`tenant ${tenantId} is not among the tenants your token grants (${run.auditor.tenantIds.join(', ') || 'none'})`);
      }
    }
  }
  for (const tenantId of tenants) await recordAuditorAction(connection, run.auditor, { tenantId, action, outcome: 'allowed', correlationId: run.correlationId });
  return { tenants, notGranted };
}

const pageSizeOf = (options: Options) => {
  const text = options.values['page-size'] as string | undefined;
  const size = text === undefined ? 10_000 : Number(text);
  if (!Number.isInteger(size) || size < 1) throw new UsageError('--page-size must be a positive integer');
  return size;
};

async function verifyTenant(run: Run, connection: AuditConnection, tenantId: string, hashesAt?: Map<string, Set<number>>): Promise<{ chains: TenantChains; seconds: number }> {
  let meter: ReturnType<typeof progress> | undefined;
  const started = performance.now();
  const workersText = run.options.values.workers as string | undefined;
  const workers = workersText === undefined ? Math.min(2, availableParallelism()) : Number(workersText);
  if (!Number.isInteger(workers) || workers < 1 || workers > availableParallelism() * 2) throw new UsageError(`--workers must be an integer from 1 to ${availableParallelism() * 2}`);
  const chains = await checkTenantChainsInParallel(connection.client, connection.target.url, tenantId, {
    workers,
    // By default workers start only where they pay for their start-up (about a second); named, they always do.
    parallelFrom: workersText === undefined ? 100_000 : 0,
    pageSize: pageSizeOf(run.options),
    hashesAt,
    onTotal: (total) => (meter = progress(run.io, `${connection.target.service}/${tenantId}`, total)),
    onProgress: (done) => meter?.update(done),
  });
  meter?.done(chains.events);
  return { chains, seconds: (performance.now() - started) / 1000 };
}

type Report = { exit: number; text: string[]; json: Record<string, unknown> };

async function cmdVerify(run: Run): Promise<Report> {
  const text: string[] = [];
  const results: unknown[] = [];
  let failures = 0;
  for (const connection of run.connections) {
    if (!connection.hasEventStore && !connection.integrationLog) {
      text.push(`${connection.target.service}: no event store in this database`);
      results.push({ service: connection.target.service, eventStore: false });
      continue;
    }
    const { tenants, notGranted } = await tenantsFor(run, connection, 'audit verify');
    for (const tenantId of tenants) {
      if (connection.integrationLog) {
        const log = connection.integrationLog;
        const chains = await inSnapshot(connection.client, () => tenantLogChains(run, connection, log, tenantId));
        // The log stores no hash: read and counted here, it is proven unchanged only against a checkpoint (consistency).
        text.push(`${connection.target.service}${LOG_SUFFIX}/${tenantId}: read — ${chains.streams} streams, ${chains.events} integration events (no hash stored with them: take a checkpoint, check consistency later)`);
        results.push({ service: `${connection.target.service}${LOG_SUFFIX}`, tenantId, ok: true, streams: chains.streams, events: chains.events, broken: [] });
      }
      if (!connection.hasEventStore) continue;
      const { chains, seconds } = await inSnapshot(connection.client, () => verifyTenant(run, connection, tenantId));
      failures += chains.broken.length;
      const rate = Math.round(chains.events / Math.max(seconds, 1e-6));
      text.push(`${connection.target.service}/${tenantId}: ${chains.broken.length ? 'BROKEN' : 'ok'} — ${chains.streams} streams, ${chains.events} events verified in ${seconds.toFixed(2)} s (${rate} ev/s)`);
      for (const link of chains.broken) text.push(`  broken: ${link.streamId} at version ${link.streamVersion} (event ${link.eventId}): ${link.reason}`);
      results.push({ service: connection.target.service, tenantId, ok: chains.broken.length === 0, streams: chains.streams, events: chains.events, seconds, broken: chains.broken });
    }
    if (notGranted) text.push(`${connection.target.service}: ${notGranted} other tenant(s) not granted to you, not checked`);
  }
  return { exit: failures ? EXIT.integrity : EXIT.ok, text, json: { command: 'verify', ok: failures === 0, results } };
}

async function cmdCheckpoint(run: Run): Promise<Report> {
  const out = run.options.values.out as string | undefined;
  if (!out) throw new UsageError('checkpoint needs --out FILE');
  const signer = await loadCheckpointSigner(run.io.env);
  const checkpoints: SignedCheckpoint[] = [];
  const text: string[] = [];
  let failures = 0;
  for (const connection of run.connections) {
    if (!connection.hasEventStore && !connection.integrationLog) continue;
    const { tenants } = await tenantsFor(run, connection, 'audit checkpoint');
    for (const tenantId of tenants) {
      if (connection.integrationLog) {
        const log = connection.integrationLog;
        const { chains, takenAt } = await inSnapshot(connection.client, async (takenAt) => ({ takenAt, chains: await tenantLogChains(run, connection, log, tenantId) }));
        const checkpoint = signCheckpoint(signer, { service: `${connection.target.service}${LOG_SUFFIX}`, tenantId, takenAt, heads: chains.heads });
        checkpoints.push(checkpoint);
        text.push(`${checkpoint.body.service}/${tenantId}: ${checkpoint.body.streams} streams, ${checkpoint.body.events} integration events, tree head ${checkpoint.body.rootHash} at ${takenAt}`);
      }
      if (!connection.hasEventStore) continue;
      const { chains, takenAt } = await inSnapshot(connection.client, async (takenAt) => ({ takenAt, ...(await verifyTenant(run, connection, tenantId)) }));
      // A checkpoint attests verified chains only: signing the heads of a broken chain would bless the tampering.
      if (chains.broken.length) {
        failures += chains.broken.length;
        text.push(`${connection.target.service}/${tenantId}: NOT signed, ${chains.broken.length} broken chain(s)`);
        for (const link of chains.broken) text.push(`  broken: ${link.streamId} at version ${link.streamVersion} (event ${link.eventId}): ${link.reason}`);
        continue;
      }
      const checkpoint = signCheckpoint(signer, { service: connection.target.service, tenantId, takenAt, heads: chains.heads });
      checkpoints.push(checkpoint);
      text.push(`${connection.target.service}/${tenantId}: ${checkpoint.body.streams} streams, ${checkpoint.body.events} events, tree head ${checkpoint.body.rootHash} at ${takenAt}`);
    }
  }
  const file: CheckpointFile = { format: CHECKPOINT_FILE_FORMAT, checkpoints };
  if (!failures) {
    await writeFile(out, `${JSON.stringify(file, null, 2)}\n`, { flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
      throw error.code === 'EEXIST' ? new UsageError(`${out} exists: a checkpoint is never overwritten`) : error;
    });
    text.push(`signed with key ${signer.keyId}; written to ${out}`);
  }
  return {
    exit: failures ? EXIT.integrity : EXIT.ok,
    text,
    json: { command: 'checkpoint', ok: failures === 0, file: failures ? null : out, keyId: signer.keyId, checkpoints: checkpoints.map((c) => c.body) },
  };
}

async function readCheckpointFile(path: string): Promise<CheckpointFile> {
  let file: CheckpointFile;
  try {
    file = JSON.parse(await readFile(path, 'utf8')) as CheckpointFile;
  } catch (error) {
    throw new UsageError(`${path}: ${(error as Error).message}`);
  }
  if (file?.format !== CHECKPOINT_FILE_FORMAT || !Array.isArray(file.checkpoints)) throw new UsageError(`${path} is not a checkpoint file (${CHECKPOINT_FILE_FORMAT})`);
  return file;
}

async function cmdConsistency(run: Run): Promise<Report> {
  const oldPath = run.options.values.old as string | undefined;
  const newPath = run.options.values.new as string | undefined;
  if (!oldPath) throw new UsageError('consistency needs --old FILE (and optionally --new FILE)');
  const publicKey = await loadVerificationKey(run.options.values['public-key'] as string | undefined, run.io.env);
  const files = [await readCheckpointFile(oldPath), ...(newPath ? [await readCheckpointFile(newPath)] : [])];
  const text: string[] = [];
  const results: unknown[] = [];
  let failures = 0;
  const groups = new Map<string, SignedCheckpoint[]>();
  for (const checkpoint of files.flatMap((f) => f.checkpoints)) {
    const problems = checkCheckpoint(checkpoint, publicKey);
    if (problems.length) {
      failures += 1;
      text.push(`checkpoint ${checkpoint.body?.service}/${checkpoint.body?.tenantId} at ${checkpoint.body?.takenAt}: NOT VALID: ${problems.join('; ')}`);
      continue;
    }
    const key = `${checkpoint.body.service}\u001f${checkpoint.body.tenantId}`;
    groups.set(key, [...(groups.get(key) ?? []), checkpoint]);
  }
  const byService = new Map(run.connections.map((c) => [c.target.service, c]));
  for (const [key, checkpoints] of groups) {
    const [service, tenantId] = key.split('\u001f');
    const ofLog = service.endsWith(LOG_SUFFIX);
    const database = ofLog ? service.slice(0, -LOG_SUFFIX.length) : service;
    const connection = byService.get(database);
    if (!connection) throw new UsageError(`the checkpoints cover service ${database}: name its database (--db ${database}=URL)`);
    if (ofLog && !connection.integrationLog) throw new UsageError(`the checkpoints cover the integration log of ${database}, which this entry point does not know or the database does not hold`);
    if (!run.auditor.tenantIds.includes(tenantId)) {
      await recordAuditorAction(connection, run.auditor, { tenantId, action: 'audit consistency', outcome: 'denied-tenant', correlationId: run.correlationId });
      throw new RefusedError(`tenant ${tenantId} is not among the tenants your token grants`);
    }
    await recordAuditorAction(connection, run.auditor, { tenantId, action: 'audit consistency', outcome: 'allowed', correlationId: run.correlationId });
    const wanted = versionsToProve(checkpoints);
    const log = ofLog ? connection.integrationLog : undefined;
    const { chains } = log
      ? { chains: await inSnapshot(connection.client, () => tenantLogChains(run, connection, log, tenantId, wanted)) }
      : connection.hasEventStore
        ? await inSnapshot(connection.client, () => verifyTenant(run, connection, tenantId, wanted))
        : { chains: { tenantId, streams: 0, events: 0, broken: [], heads: [], hashesAt: new Map() } as TenantChains };
    const result = checkConsistency(checkpoints, chains);
    const times = checkpoints.map((c) => c.body.takenAt).sort();
    failures += result.findings.length;
    text.push(
      result.findings.length
        ? `${service}/${tenantId}: NOT CONSISTENT with the checkpoint(s) of ${times.join(', ')}: ${result.findings.length} finding(s)`
        : `${service}/${tenantId}: consistent — today's ${chains.streams} streams (${chains.events} events) extend the checkpoint(s) of ${times.join(', ')}; since the latest: ${result.appendedEvents} events appended, ${result.grownStreams} streams grew, ${result.newStreams} new`,
    );
    for (const finding of result.findings) text.push(`  ${finding.kind}: ${finding.message}`);
    results.push({ service, tenantId, ok: result.findings.length === 0, checkpoints: times, ...result });
  }
  return { exit: failures ? EXIT.integrity : EXIT.ok, text, json: { command: 'consistency', ok: failures === 0, results } };
}

async function cmdCheckCheckpoint(options: Options, io: CliIo): Promise<Report> {
  const path = options.values.file as string | undefined;
  if (!path) throw new UsageError('check-checkpoint needs --file FILE');
  const publicKey = await loadVerificationKey(options.values['public-key'] as string | undefined, io.env);
  const file = await readCheckpointFile(path);
  const results = file.checkpoints.map((checkpoint) => ({ ...checkpoint.body, problems: checkCheckpoint(checkpoint, publicKey) }));
  const text = results.map((r) => `${r.service}/${r.tenantId} at ${r.takenAt}: ${r.problems.length ? `NOT VALID: ${r.problems.join('; ')}` : `valid — ${r.streams} streams, ${r.events} events, tree head ${r.rootHash}`}`);
  const bad = results.filter((r) => r.problems.length).length;
  return { exit: bad ? EXIT.integrity : EXIT.ok, text, json: { command: 'check-checkpoint', ok: bad === 0, keyId: keyIdOf(publicKey), results } };
}

// One stream's head with its RFC 9162 audit path: a third party holding only the signed tree head can check it.
async function cmdProve(options: Options, io: CliIo): Promise<Report> {
  const path = options.values.file as string | undefined;
  const streamId = options.values.stream as string | undefined;
  if (!path || !streamId) throw new UsageError('prove needs --file FILE and --stream S');
  const publicKey = await loadVerificationKey(options.values['public-key'] as string | undefined, io.env);
  const tenant = (options.values.tenant as string[] | undefined)?.[0];
  const candidates = (await readCheckpointFile(path)).checkpoints.filter((c) => c.heads.some((h) => h.streamId === streamId) && (tenant === undefined || c.body.tenantId === tenant));
  if (candidates.length !== 1) throw new UsageError(`${candidates.length} checkpoints of ${path} hold stream ${streamId}: name the tenant (--tenant T)`);
  const [checkpoint] = candidates;
  const problems = checkCheckpoint(checkpoint, publicKey);
  if (problems.length) return { exit: EXIT.integrity, text: [`the checkpoint is NOT VALID: ${problems.join('; ')}`], json: { command: 'prove', ok: false, problems } };
  const index = checkpoint.heads.findIndex((h) => h.streamId === streamId);
  const head = checkpoint.heads[index];
  const auditPath = inclusionProof(checkpoint.heads.map((h) => leafHash(headLeaf(h))), index);
  const verified = verifyInclusion(headLeaf(head), index, checkpoint.heads.length, auditPath, Buffer.from(checkpoint.body.rootHash, 'hex'));
  const proof = { head, leaf: headLeaf(head).toString('utf8'), leafIndex: index, treeSize: checkpoint.heads.length, auditPath: auditPath.map((b) => b.toString('hex')), checkpoint: checkpoint.body, signature: checkpoint.signature };
  return {
    exit: verified ? EXIT.ok : EXIT.integrity,
    text: [`${head.streamId} at version ${head.streamVersion} (${head.hash}) is leaf ${index} of ${proof.treeSize} under tree head ${checkpoint.body.rootHash} signed at ${checkpoint.body.takenAt}`, `audit path: ${proof.auditPath.join(' ') || '(none: a one-leaf tree)'}`],
    json: { command: 'prove', ok: verified, proof },
  };
}

async function cmdKey(io: CliIo): Promise<Report> {
  const signer = await loadCheckpointSigner(io.env);
  const pem = publicKeyPem(signer.publicKey);
  return { exit: EXIT.ok, text: [`key id ${signer.keyId}`, pem.trimEnd()], json: { command: 'key', keyId: signer.keyId, publicKeyPem: pem } };
}

async function cmdTenants(run: Run): Promise<Report> {
  const text: string[] = [];
  const results: unknown[] = [];
  for (const connection of run.connections) {
    await recordAuditorAction(connection, run.auditor, { action: 'audit tenants', outcome: 'allowed', correlationId: run.correlationId });
    const present = await presentTenants(connection);
    const granted = present.filter((t) => run.auditor.tenantIds.includes(t));
    text.push(`${connection.target.service}: ${granted.join(', ') || '(none granted)'}${present.length > granted.length ? ` and ${present.length - granted.length} tenant(s) not granted to you` : ''}`);
    results.push({ service: connection.target.service, tenants: granted, notGranted: present.length - granted.length });
  }
  return { exit: EXIT.ok, text, json: { command: 'tenants', results } };
}

async function cmdStreams(run: Run): Promise<Report> {
  const text: string[] = [];
  const results: unknown[] = [];
  for (const connection of run.connections) {
    if (!connection.hasEventStore && !connection.integrationLog) continue;
    const { tenants } = await tenantsFor(run, connection, 'audit streams');
    for (const tenantId of tenants) {
      if (connection.integrationLog) {
        const log = connection.integrationLog;
        const seen = new Map<string, { streamId: string; category: string; events: number; firstRecordedAt: string; lastRecordedAt: string }>();
        await inSnapshot(connection.client, () =>
          logChains(connection.client, log, tenantId, {
            onRow: (row, streamId) => {
              const s = seen.get(streamId) ?? { streamId, category: streamId.split('/')[0], events: 0, firstRecordedAt: row.occurredAt, lastRecordedAt: row.occurredAt };
              seen.set(streamId, { ...s, events: s.events + 1, lastRecordedAt: row.occurredAt });
            },
          }),
        );
        const streams = [...seen.values()];
        text.push(`${connection.target.service}${LOG_SUFFIX}/${tenantId}: ${streams.length} streams`);
        for (const s of streams) text.push(`  ${s.streamId}  ${s.category}  ${s.events} events  ${s.firstRecordedAt} … ${s.lastRecordedAt}`);
        results.push({ service: `${connection.target.service}${LOG_SUFFIX}`, tenantId, streams });
      }
      if (!connection.hasEventStore) continue;
      const streams = await inSnapshot(connection.client, () => listStreamSummaries(connection.client, tenantId, { category: run.options.values.category as string | undefined }));
      text.push(`${connection.target.service}/${tenantId}: ${streams.length} streams`);
      for (const s of streams) text.push(`  ${s.streamId}  ${s.category}  ${s.events} events  ${s.firstRecordedAt} … ${s.lastRecordedAt}`);
      results.push({ service: connection.target.service, tenantId, streams });
    }
  }
  return { exit: EXIT.ok, text, json: { command: 'streams', results } };
}

// Personal fields stay sealed in this listing: the envelope says a value is there, not what it is.
function sealPersonalFields(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sealPersonalFields);
  if (value && typeof value === 'object') {
    if ('$pii' in value) return '[encrypted]';
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sealPersonalFields(v)]));
  }
  return value;
}

async function cmdHistory(run: Run): Promise<Report> {
  const streamId = run.options.values.stream as string | undefined;
  const tenant = run.options.values.tenant as string[] | undefined;
  if (!streamId || tenant?.length !== 1) throw new UsageError('history needs --tenant T and --stream S');
  const knownAt = run.options.values['known-at'] as string | undefined;
  const asOf = run.options.values['as-of'] as string | undefined;
  const decrypt = run.options.values.decrypt === true;
  const withData = run.options.values.data === true;
  if (decrypt && !withData && !run.options.values.state) throw new UsageError('--decrypt goes with --data or --state');
  const ofLog = streamId.includes('/');
  const wantsState = run.options.values.state === true;
  if (wantsState && ofLog) throw new UsageError('--state folds an aggregate of an event store; a stream of an integration log has none');
  if (wantsState && !run.connections.some((c) => foldFor(run, c.target.service, categoryOf(streamId)))) {
    const known = [...new Set([...run.folds, ...[...run.services.values()].flatMap((a) => a.folds ?? [])].map((f) => f.category))].join(', ') || 'none';
    throw new UsageError(`--state needs the evolve of category ${categoryOf(streamId)}, which this entry point does not have (it has: ${known}); a service's own audit entry point passes its deciders`);
  }
  const text: string[] = [];
  const results: unknown[] = [];
  let failures = 0;
  if (ofLog) return logHistory(run, streamId);
  for (const connection of run.connections) {
    if (!connection.hasEventStore) continue;
    const fold = wantsState ? foldFor(run, connection.target.service, categoryOf(streamId)) : undefined;
    if (wantsState && !fold) continue;
    // Reading personal data in clear is recorded as such, so the platform admin can tell it from a plain replay.
    const [tenantId] = (await tenantsFor(run, connection, decrypt ? 'audit history --decrypt' : 'audit history')).tenants;
    const rows = await inSnapshot(connection.client, () => readStreamChain(connection.client, tenantId, streamId, knownAt ? { knownAt: new Date(knownAt).toISOString() } : {}));
    if (rows.length === 0) continue;
    const checker = chainChecker(tenantId);
    rows.forEach((row) => checker.check(row));
    const chain = checker.finish();
    failures += chain.broken.length;
    const asOfTime = asOf ? Date.parse(asOf) : undefined;
    const events = rows.map(eventView).filter((e) => asOfTime === undefined || Date.parse(e.occurredAt) <= asOfTime);
    // The state is folded from the stored data, as the service folds it; only what is shown is sealed or decrypted.
    const state = fold ? events.reduce((current, e) => fold.evolve(current, fold.decode ? fold.decode(e) : { type: e.type, data: e.data }), fold.initialState()) : undefined;
    const privacy = decrypt ? await personalData(run, connection) : undefined;
    let shown: { events: typeof events; state: unknown };
    try {
      const reveal = (value: unknown) => (privacy ? privacy.vault.decryptFields(tenantId, value) : Promise.resolve(sealPersonalFields(value)));
      shown = {
        events: withData ? await Promise.all(events.map(async (e) => ({ ...e, data: await reveal(e.data) }))) : events,
        state: fold ? await reveal(state) : undefined,
      };
    } finally {
      await privacy?.close();
    }
    text.push(`${connection.target.service}/${tenantId}/${streamId}: ${events.length} event(s)${knownAt ? ` known at ${knownAt}` : ''}${asOf ? ` occurred by ${asOf}` : ''}; chain ${chain.broken.length ? `BROKEN at version ${chain.broken[0].streamVersion}: ${chain.broken[0].reason}` : `verified through version ${rows.length}`}`);
    for (const e of shown.events) {
      text.push(`  v${e.streamVersion} ${e.recordedAt} ${e.type} occurred ${e.occurredAt} by ${e.actorId ?? '-'} (${e.role ?? '-'}, ${e.organisationId ?? '-'}) correlation ${e.correlationId ?? '-'} causation ${e.causationId ?? '-'}`);
      if (withData) text.push(`    ${JSON.stringify(e.data)}`);
    }
    if (fold) text.push(`  state: ${JSON.stringify(shown.state)}`);
    results.push({
      service: connection.target.service,
      tenantId,
      streamId,
      knownAt: knownAt ?? null,
      asOf: asOf ?? null,
      chain: { ok: chain.broken.length === 0, broken: chain.broken },
      events: withData ? shown.events : shown.events.map(({ data: _data, ...rest }) => rest),
      ...(fold ? { state: shown.state } : {}),
    });
  }
  if (results.length === 0) text.push(`no events for stream ${streamId}${knownAt ? ` known at ${knownAt}` : ''}`);
  return { exit: failures ? EXIT.integrity : EXIT.ok, text, json: { command: 'history', ok: failures === 0, results } };
}

// A stream of an integration log (`<topic>/<aggregate id>`): the messages a dashboard figure was folded from.
async function logHistory(run: Run, streamId: string): Promise<Report> {
  const knownAt = run.options.values['known-at'] as string | undefined;
  const asOf = run.options.values['as-of'] as string | undefined;
  if (knownAt) throw new UsageError('--known-at: an integration log keeps no recording time; use --as-of');
  const asOfTime = asOf ? Date.parse(asOf) : undefined;
  const withData = run.options.values.data === true;
  const text: string[] = [];
  const results: unknown[] = [];
  for (const connection of run.connections) {
    const log = connection.integrationLog;
    if (!log) continue;
    const [tenantId] = (await tenantsFor(run, connection, 'audit history')).tenants;
    const rows: Array<LogRow & { streamVersion: number }> = [];
    const chains = await inSnapshot(connection.client, () =>
      logChains(connection.client, log, tenantId, { onRow: (row, id, version) => (id === streamId ? rows.push({ ...row, streamVersion: version }) : undefined) }),
    );
    if (rows.length === 0) continue;
    const head = chains.heads.find((h) => h.streamId === streamId)!;
    const shown = rows.filter((row) => asOfTime === undefined || Date.parse(row.occurredAt) <= asOfTime);
    text.push(`${connection.target.service}${LOG_SUFFIX}/${tenantId}/${streamId}: ${shown.length} integration event(s)${asOf ? ` occurred by ${asOf}` : ''}; head version ${head.streamVersion} hash ${head.hash}`);
    for (const row of shown) {
      text.push(`  v${row.streamVersion} ${row.name} occurred ${row.occurredAt} message ${row.messageId} (log position ${row.seq})`);
      if (withData) text.push(`    ${JSON.stringify(row.payload)}`);
    }
    results.push({
      service: `${connection.target.service}${LOG_SUFFIX}`,
      tenantId,
      streamId,
      asOf: asOf ?? null,
      head,
      events: shown.map(({ payload, ...rest }) => (withData ? { ...rest, payload } : rest)),
    });
  }
  if (results.length === 0) text.push(`no integration events for stream ${streamId}`);
  return { exit: EXIT.ok, text, json: { command: 'history', ok: true, results } };
}

// The privacy vault on a pool of its own whose every transaction is read-only; no key is kept in memory after the command.
async function personalData(run: Run, connection: AuditConnection): Promise<{ vault: PrivacyVault; close: () => Promise<void> }> {
  const { masterKey } = await privacyConfigFromEnv(run.io.env).catch((error: Error) => {
    throw new RefusedError(`--decrypt: ${error.message}`);
  });
  const pool = createPool(connection.target.url, { max: 2, options: '-c default_transaction_read_only=on', application_name: 'tremplin-audit' });
  return { vault: createPrivacyVault(pool, { masterKey, keyCacheTtlMs: 0 }), close: () => pool.end() };
}

function eventView(row: ChainRow) {
  const [, streamVersion, eventId, type, schemaVersion, data, metadata, recordedAt] = row;
  const m = JSON.parse(metadata) as Record<string, string | undefined>;
  return {
    streamVersion,
    eventId,
    type,
    schemaVersion,
    recordedAt,
    occurredAt: m.occurredAt ?? recordedAt,
    actorId: m.actorId,
    role: m.role,
    organisationId: m.organisationId,
    correlationId: m.correlationId,
    causationId: m.causationId,
    data: JSON.parse(data) as unknown,
  };
}

async function cmdAccessLog(run: Run): Promise<Report> {
  const tenant = run.options.values.tenant as string[] | undefined;
  if (tenant?.length !== 1) throw new UsageError('access-log needs --tenant T');
  const text: string[] = [];
  const results: unknown[] = [];
  for (const connection of run.connections) {
    const [tenantId] = (await tenantsFor(run, connection, 'audit access-log')).tenants;
    const records = await readAccessLog(connection.client, tenantId, run.options.values.since as string | undefined);
    text.push(`${connection.target.service}/${tenantId}: ${records.length} access(es)`);
    for (const r of records) text.push(`  ${r.occurredAt} ${r.userId} (${r.role}, ${r.organisationId}) ${r.method} ${r.path} ${r.outcome} correlation ${r.correlationId}`);
    results.push({ service: connection.target.service, tenantId, records });
  }
  return { exit: EXIT.ok, text, json: { command: 'access-log', results } };
}

/** The read-model checks a service registered: its event-store projections, and any other rebuild (reporting's log). */
function readModelChecksOf(audit: ServiceAudit | undefined): ReadModelCheck[] {
  return [
    ...(audit?.projections ?? []).map((projection) => ({ name: projection.name, check: (pool: Parameters<ReadModelCheck['check']>[0], onProgress?: (events: number) => void) => checkReplayEqualsLive(pool, projection, { onProgress }) })),
    ...(audit?.readModelChecks ?? []),
  ];
}

/**
 * Replay equals live, for every service named: each read model rebuilt from the events inside a transaction that is
 * always rolled back, its digests compared with the live tables' tenant by tenant. Only the granted tenants' results
 * are named; another tenant's difference is counted.
 */
async function cmdReplayCheck(run: Run): Promise<Report> {
  const text: string[] = [];
  const results: unknown[] = [];
  let failures = 0;
  for (const connection of run.connections) {
    const service = connection.target.service;
    const checks = readModelChecksOf(run.services.get(service));
    if (checks.length === 0) {
      text.push(`${service}: no read model registered for the replay check (services/${service}/src/audit.ts names none)`);
      results.push({ service, checks: [] });
      continue;
    }
    const { tenants } = await tenantsFor(run, connection, 'audit replay-check');
    const granted = new Set(tenants);
    // Its own pool: the check writes in a transaction it rolls back, which the session's read-only default refuses.
    const pool = createPool(connection.target.url, { max: 2, application_name: 'tremplin-audit-replay' });
    try {
      for (const check of checks) {
        const meter = progress(run.io, `${service} ${check.name} replay`, 0);
        let result: ReplayCheck;
        try {
          result = await check.check(pool, (events) => meter.update(events));
        } catch (error) {
          throw new RefusedError(`${service} ${check.name}: the replay check could not run (it writes inside a transaction it rolls back, so it needs the service's role, not a read-only one): ${(error as Error).message}`);
        }
        meter.done(result.events);
        const tables = result.tables.map((table) => {
          const differing = table.tenantsDiffering.filter((t) => granted.has(t));
          return { table: table.table, liveRows: table.liveRows, replayedRows: table.replayedRows, equal: differing.length === 0, tenantsDiffering: differing, otherTenantsDiffering: table.tenantsDiffering.length - differing.length };
        });
        for (const table of tables) {
          const others = table.otherTenantsDiffering ? ` (and ${table.otherTenantsDiffering} tenant(s) not granted to you differ)` : '';
          if (table.equal) text.push(`${service} ${check.name} ${table.table}: replay equals live for ${granted.size} tenant(s)${others}`);
          else {
            failures += table.tenantsDiffering.length;
            text.push(`${service} ${check.name} ${table.table}: REPLAY DIFFERS FROM LIVE for tenant(s) ${table.tenantsDiffering.join(', ')}${others}`);
          }
        }
        results.push({ service, readModel: check.name, events: result.events, equal: tables.every((t) => t.equal), tables, millis: result.millis });
      }
    } finally {
      await pool.end();
    }
  }
  return { exit: failures ? EXIT.integrity : EXIT.ok, text, json: { command: 'replay-check', ok: failures === 0, results } };
}

const DATABASE_COMMANDS: Record<string, (run: Run) => Promise<Report>> = {
  'replay-check': cmdReplayCheck,
  tenants: cmdTenants,
  streams: cmdStreams,
  history: cmdHistory,
  verify: cmdVerify,
  checkpoint: cmdCheckpoint,
  consistency: cmdConsistency,
  'access-log': cmdAccessLog,
};

/** The auditor's CLI, callable in-process with argv (tests) or from audit.cli.ts. Returns the exit code. */
export async function main(argv: string[], io: CliIo, setup: { folds?: readonly AuditFold[]; services?: readonly ServiceAudit[] } = {}): Promise<number> {
  let options: Options | undefined;
  const print = (report: Report) => {
    if (options?.json) io.out(`${JSON.stringify(report.json, null, 2)}\n`);
    else io.out(`${report.text.join('\n')}\n`);
    return report.exit;
  };
  const connections: AuditConnection[] = [];
  try {
    options = parse(argv);
    if (options.command === 'help') {
      io.out(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (options.command === 'key') return print(await cmdKey(io));
    if (options.command === 'check-checkpoint') return print(await cmdCheckCheckpoint(options, io));
    if (options.command === 'prove') return print(await cmdProve(options, io));
    const command = DATABASE_COMMANDS[options.command];
    if (!command) throw new UsageError(`unknown command ${options.command}`);
    const targets = targetsOf(options);
    const auditor = await identify(options, io);
    const correlationId = randomUUID();
    const services = new Map((setup.services ?? []).map((audit) => [audit.service, audit]));
    for (const target of targets) {
      try {
        connections.push(await connectAudit(target, { integrationLog: services.get(target.service)?.integrationLog }));
      } catch (error) {
        throw new RefusedError(`${target.service}: cannot connect: ${(error as Error).message}`);
      }
    }
    for (const c of connections) if (c.canTamper) io.err(`warning: ${c.target.service}: the connected role could change or delete events; an audit needs only SELECT (a read-only role: docs/auditing.md)\n`);
    // The platform admin sees who audited what (the access log holds no business data), and nothing else.
    const adminReadingLog = auditor.role === 'platformAdmin' && options.command === 'access-log';
    if (auditor.role !== 'auditor' && !adminReadingLog) {
      for (const c of connections) await recordAuditorAction(c, auditor, { action: `audit ${options.command}`, outcome: 'denied-role', correlationId });
      throw new RefusedError(`role ${auditor.role} may not use the auditor's tools (route class audit.read is for auditors; a platform admin may read the access log)`);
    }
    io.err(`audit ${options.command} by ${auditor.userId} (${auditor.organisationId}), correlation id ${correlationId}\n`);
    const report = await command({ options, io, auditor, correlationId, connections, folds: setup.folds ?? [], services });
    report.json.correlationId = correlationId;
    return print(report);
  } catch (error) {
    const message = (error as Error).message;
    const exit = error instanceof UsageError ? EXIT.usage : EXIT.refused;
    // A script reading --json output gets a document in every case, not an empty stdout.
    if (options?.json) io.out(`${JSON.stringify({ ok: false, exit, error: message })}\n`);
    if (error instanceof UsageError) io.err(`${message}\n\n${USAGE}\n`);
    else if (error instanceof RefusedError || error instanceof AuditUnavailableError) io.err(`refused: ${message}\n`);
    else io.err(`could not run: ${message}\n`);
    return exit;
  } finally {
    await Promise.all(connections.map((c) => c.client.end().catch(() => undefined)));
  }
}
