import { parseArgs } from 'node:util';
import { createKafkaTransport, replayDeadLetters } from '@tremplin/messaging';
import { backup, BackupRefusedError, restore, verifyDatabase, withDatabaseName, type DatabaseTarget, type VerifyReport } from './backup';

export const OPS_EXIT = { ok: 0, failed: 1, usage: 2, refused: 3 } as const;
export const OPS_SERVICES = ['intake', 'lending', 'guarantee-fund', 'accompaniment', 'reporting'] as const;

const USAGE = `usage: npm run ops -- <command> [options]

commands
  backup DIR   (--base-url URL [--services a,b] | --db SERVICE=URL …)
               one pg_dump archive per service database into the new folder DIR, with manifest.json
               (sha256 of each archive; each table's rows and digest, the catalogue and the event count, all
               taken in the archive's snapshot)
  restore DIR  --target-url URL [--rename SERVICE=DATABASE …] [--services a,b]
               checks every archive against the manifest (a missing or altered one: refused, nothing done),
               restores into fresh databases (tremplin_<service> or the backed-up names unless renamed), then verifies them
  verify       (--base-url URL [--services a,b] | --db SERVICE=URL …)
               every hash chain of every tenant, and each projection replayed from its events against the read model
  replay-dead-letters --topic TOPIC.dlq [--group CONSUMER_GROUP] [--reason REASON …] [--dry-run] [--brokers host:port,…]
               sends dead letters back to their source topic (original key, value and headers); the replayer's
               own consumer group remembers what it sent, so a second run sends only newer ones.
               Brokers: --brokers or KAFKA_BROKERS

URLs: a superuser or BYPASSRLS maintenance role (row-level security would hide rows); restore needs a superuser.
--base-url names the server: the databases are tremplin_<service> (all five services by default).
output: one line per database on stderr; --json prints the result as one JSON document on stdout
exit: 0 all good, 1 a verification failed, 2 usage error, 3 refused (a backup missing, altered, or a target that is not fresh)`;

class UsageError extends Error {}

export interface OpsIo {
  readonly env?: Record<string, string | undefined>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

function targetsOf(values: Record<string, unknown>): DatabaseTarget[] {
  const targets: DatabaseTarget[] = [];
  for (const item of (values.db as string[] | undefined) ?? []) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`--db takes SERVICE=URL, got ${item}`);
    targets.push({ service: item.slice(0, eq), url: item.slice(eq + 1) });
  }
  const base = values['base-url'] as string | undefined;
  if (base) {
    for (const service of servicesOf(values) ?? OPS_SERVICES) targets.push({ service, url: withDatabaseName(urlOf(base, '--base-url'), `tremplin_${service.replace(/-/g, '_')}`) });
  }
  if (targets.length === 0) throw new UsageError('name the databases: --base-url URL [--services …] or --db SERVICE=URL (repeatable)');
  const seen = new Set<string>();
  for (const target of targets) {
    if (!/^[a-z][a-z0-9-]*$/.test(target.service)) throw new UsageError(`not a service name: ${target.service}`);
    if (seen.has(target.service)) throw new UsageError(`service ${target.service} is named twice`);
    seen.add(target.service);
    urlOf(target.url, `the URL of ${target.service}`);
  }
  return targets;
}

function servicesOf(values: Record<string, unknown>): string[] | undefined {
  const text = values.services as string | undefined;
  if (text === undefined) return undefined;
  const services = text.split(',').filter(Boolean);
  for (const service of services) if (!(OPS_SERVICES as readonly string[]).includes(service)) throw new UsageError(`unknown service ${service} (one of ${OPS_SERVICES.join(', ')})`);
  return services;
}

function urlOf(text: string, what: string): string {
  try {
    const url = new URL(text);
    if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error('not postgres');
    return text;
  } catch {
    throw new UsageError(`${what} is not a postgres:// URL`);
  }
}

/** `npm run ops -- …`; resolves to the exit code. */
export async function opsMain(argv: readonly string[], io: OpsIo): Promise<number> {
  const log = (line: string) => io.err(`${line}\n`);
  const env = io.env ?? {};
  let json = false;
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        options: {
          db: { type: 'string', multiple: true },
          'base-url': { type: 'string' },
          services: { type: 'string' },
          'target-url': { type: 'string' },
          rename: { type: 'string', multiple: true },
          topic: { type: 'string' },
          group: { type: 'string' },
          reason: { type: 'string', multiple: true },
          'dry-run': { type: 'boolean' },
          brokers: { type: 'string' },
          json: { type: 'boolean' },
          help: { type: 'boolean' },
        },
      });
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const { values, positionals } = parsed;
    json = values.json === true;
    const [command = 'help', ...rest] = positionals;
    if (values.help || command === 'help') {
      io.out(`${USAGE}\n`);
      return OPS_EXIT.ok;
    }
    const summary = (reports: VerifyReport[]) => {
      const ok = reports.every((r) => r.ok);
      if (json) io.out(`${JSON.stringify({ command, ok, databases: reports })}\n`);
      return ok ? OPS_EXIT.ok : OPS_EXIT.failed;
    };
    if (command === 'backup') {
      const [dir, extra] = rest;
      if (!dir || extra) throw new UsageError('backup takes one folder: npm run ops -- backup DIR …');
      const manifest = await backup(dir, targetsOf(values), log);
      log(`backup written to ${dir} (${manifest.databases.length} database(s), ${manifest.pgDump})`);
      if (json) io.out(`${JSON.stringify({ command, ok: true, dir, databases: manifest.databases.map(({ catalog: _catalog, ...entry }) => entry) })}\n`);
      return OPS_EXIT.ok;
    }
    if (command === 'restore') {
      const [dir, extra] = rest;
      if (!dir || extra) throw new UsageError('restore takes one folder: npm run ops -- restore DIR --target-url URL');
      const target = values['target-url'];
      if (!target) throw new UsageError('restore needs --target-url URL (a superuser of the target server)');
      const rename: Record<string, string> = {};
      for (const item of values.rename ?? []) {
        const eq = item.indexOf('=');
        if (eq <= 0) throw new UsageError(`--rename takes SERVICE=DATABASE, got ${item}`);
        rename[item.slice(0, eq)] = item.slice(eq + 1);
      }
      return summary(await restore(dir, { targetUrl: urlOf(target, '--target-url'), rename, services: servicesOf(values), log }));
    }
    if (command === 'verify') {
      if (rest.length) throw new UsageError(`unexpected argument: ${rest[0]}`);
      const reports: VerifyReport[] = [];
      for (const target of targetsOf(values)) reports.push(await verifyDatabase(target, { log }));
      return summary(reports);
    }
    if (command === 'replay-dead-letters') {
      if (rest.length) throw new UsageError(`unexpected argument: ${rest[0]}`);
      const topic = values.topic;
      if (!topic || !topic.endsWith('.dlq')) throw new UsageError('replay-dead-letters needs --topic <topic>.dlq');
      const brokers = (values.brokers ?? env.KAFKA_BROKERS ?? '').split(',').filter(Boolean);
      if (brokers.length === 0) throw new UsageError('name the Kafka brokers: --brokers host:port,… or KAFKA_BROKERS');
      const transport = createKafkaTransport({ brokers, clientId: 'tremplin-ops' });
      try {
        const result = await replayDeadLetters(transport, { dlqTopic: topic, consumerGroup: values.group, reasons: values.reason, dryRun: values['dry-run'] === true });
        log(`${topic}: ${result.read} dead letter(s) read, ${result.replayed} ${values['dry-run'] ? 'would be replayed' : 'replayed'} (${Object.entries(result.bySourceTopic).map(([t, n]) => `${n} to ${t}`).join(', ') || 'none'}), ${result.skipped} left (other group or reason); replayer group ${result.replayGroup}`);
        if (json) io.out(`${JSON.stringify({ command, ok: true, dryRun: values['dry-run'] === true, ...result })}\n`);
      } finally {
        await transport.close();
      }
      return OPS_EXIT.ok;
    }
    throw new UsageError(`unknown command ${command}`);
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof UsageError) {
      io.err(`${message}\n\n${USAGE}\n`);
      return OPS_EXIT.usage;
    }
    io.err(`${error instanceof BackupRefusedError ? 'refused' : 'failed'}: ${message}\n`);
    if (json) io.out(`${JSON.stringify({ ok: false, error: message })}\n`);
    return error instanceof BackupRefusedError ? OPS_EXIT.refused : OPS_EXIT.failed;
  }
}
