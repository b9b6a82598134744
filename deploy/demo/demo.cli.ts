import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { authConfigFromEnv, loadOrCreateDevSigningKey, signDevToken } from '@tremplin/auth';
import { DEMO_SERVICES, demoUsuryCapTables, runDemo, type DemoPlatform, type DemoProgress, type DemoService } from '@tremplin/testing';
import { startInfraProcess } from '../local/infra-process';
import { provisionDatabase } from '../local/provision';
import { LOCAL_SERVICES_FILE, portFor, spawnService, waitHealthy, type ServiceProcess } from '../local/services';

const USAGE = `usage: npm run demo [-- --use-running] [--concurrency <n>]
Starts the platform with a movable clock (CLOCK_CONTROL=on) on demo databases, drives through the HTTP APIs a year
like Tarbes 2016 (92 files, 30 loans averaging 1,825 €, 5 loans repaid with 301.60 € of interest, 1 missed
instalment) and one like Laval 2015 (70 files, 24 loans, one restructuring loan unpaid and called in) over the
next calendar year, then prints the dashboard's URL with a token and keeps the platform running until Ctrl-C.
--use-running drives the platform npm start runs (${LOCAL_SERVICES_FILE}); it must have been started with
CLOCK_CONTROL=on and USURY_CAP_TABLES covering the demo's year, and its figures then add to what it already holds.`;

const repo = join(__dirname, '..', '..');
const SERVICE_LOG = join(repo, '.tremplin', 'demo-services.log');

/** A single line redrawn in place on a terminal, a line per phase otherwise. */
function progressLine(out: NodeJS.WriteStream): (progress: DemoProgress) => void {
  let lastPhase = '';
  return (p) => {
    const share = Math.min(1, p.done / Math.max(1, p.total));
    if (out.isTTY) {
      const width = 30;
      const filled = Math.round(share * width);
      out.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}%  ${p.day}  ${p.phase.padEnd(36).slice(0, 36)}`);
      if (p.phase === 'done') out.write('\n');
    } else if (p.phase !== lastPhase && p.phase !== 'clock') {
      out.write(`${String(Math.round(share * 100)).padStart(3)}%  ${p.day}  ${p.phase}\n`);
    }
    lastPhase = p.phase;
  };
}

async function fetchPlatform(urls: Record<DemoService, string>, auth: ReturnType<typeof authConfigFromEnv>, keysDir: string): Promise<DemoPlatform> {
  const key = await loadOrCreateDevSigningKey(keysDir);
  return {
    // Twelve hours: the dashboard's token must outlive the demo; verified against real time, not the moved clocks.
    token: (principal) => signDevToken(key, { ...principal, ttlSeconds: 12 * 3600 }, { issuer: auth.issuer, audience: auth.audience }),
    async call(service, method, path, options = {}) {
      const response = await fetch(`${urls[service]}${path}`, {
        method,
        headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), 'content-type': 'application/json', ...(options.key ? { 'idempotency-key': options.key } : {}) },
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
        signal: AbortSignal.timeout(60_000),
      });
      const text = await response.text();
      return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
    },
  };
}

async function runningUrls(): Promise<Record<DemoService, string>> {
  const written = JSON.parse(await readFile(LOCAL_SERVICES_FILE, 'utf8')) as Array<{ name: DemoService; url: string }>;
  const urls = Object.fromEntries(written.map((service) => [service.name, service.url])) as Record<DemoService, string>;
  for (const name of DEMO_SERVICES) if (!urls[name]) throw new Error(`${LOCAL_SERVICES_FILE} does not list ${name}`);
  return urls;
}

/** The platform on fresh demo databases (dropped and made again at each run), its services' output in a log file. */
async function startDemoPlatform(year: number, runId: string, log: (line: string) => void): Promise<{ urls: Record<DemoService, string>; stop: () => Promise<void> }> {
  const infra = await startInfraProcess(log);
  const running: ServiceProcess[] = [];
  const stop = async () => {
    await Promise.all(running.map((service) => service.stop()));
    await infra.stop();
  };
  try {
    await mkdir(dirname(SERVICE_LOG), { recursive: true });
    await writeFile(SERVICE_LOG, '');
    const admin = new Client({ connectionString: infra.postgresAdminUrl });
    await admin.connect();
    try {
      for (const name of DEMO_SERVICES) await admin.query(`DROP DATABASE IF EXISTS tremplin_demo_${name.replace(/-/g, '_')} WITH (FORCE)`);
    } finally {
      await admin.end();
    }
    for (const name of DEMO_SERVICES) {
      const database = await provisionDatabase(infra.postgresAdminUrl, `tremplin_demo_${name.replace(/-/g, '_')}`);
      const env = {
        DATABASE_URL: database.appUrl,
        MIGRATION_DATABASE_URL: database.ownerUrl,
        KAFKA_BROKERS: infra.kafkaBrokers.join(','),
        // Topics of its own (services create them at start), so a demo never reads what an earlier run left on the broker.
        KAFKA_TOPIC_PREFIX: `${runId}.`,
        CLOCK_CONTROL: 'on',
        // Illustrative caps (2026-Q1's) carried over the demo's quarters: a real deployment takes each notice.
        ...(name === 'lending' ? { USURY_CAP_TABLES: demoUsuryCapTables(new Date(), year + 1) } : {}),
      };
      running.push(spawnService(name, await portFor(name), env, (line) => void appendFile(SERVICE_LOG, `[${name}] ${line}\n`)));
    }
    await Promise.all(running.map((service) => waitHealthy(service, 180_000)));
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return { urls: Object.fromEntries(running.map((service) => [service.name, service.url])) as Record<DemoService, string>, stop };
}

export async function demoCli(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { 'use-running': { type: 'boolean' }, concurrency: { type: 'string' }, help: { type: 'boolean' } } }));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const concurrency = values.concurrency === undefined ? 6 : Number(values.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32) {
    process.stderr.write(`--concurrency: a whole number from 1 to 32\n${USAGE}\n`);
    return 2;
  }
  const auth = authConfigFromEnv(env);
  if (auth.keys.kind !== 'dev-keys') {
    process.stderr.write('AUTH_JWKS_URL is set: the demo mints development tokens and runs only on a local platform\n');
    return 2;
  }
  const keysDir = auth.keys.dir;
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const year = new Date().getUTCFullYear() + 1;
  const runId = `demo${Date.now().toString(36)}`;
  let stop = async () => undefined as void;
  let urls: Record<DemoService, string>;
  if (values['use-running']) {
    urls = await runningUrls();
    log(`[demo] driving the running platform (${urls.reporting})`);
  } else {
    log('[demo] starting PostgreSQL, Kafka and the five services (demo databases, movable clock)…');
    ({ urls, stop } = await startDemoPlatform(year, runId, log));
    log(`[demo] services running; their output goes to ${SERVICE_LOG}`);
  }
  const stopOnSignal = () => void stop().then(() => process.exit(0));
  process.on('SIGINT', stopOnSignal);
  process.on('SIGTERM', stopOnSignal);
  try {
    const started = Date.now();
    log(`[demo] ${year} as Tarbes 2016 and Laval 2015, the clocks moving a month at a time:`);
    const result = await runDemo(await fetchPlatform(urls, auth, keysDir), { year, concurrency, runId, onProgress: progressLine(process.stdout) });
    const t = result.figures['ccas-tarbes'];
    const l = result.figures['ccas-laval'];
    const euros = (cents: number | null | undefined) => (cents == null ? '—' : `${(cents / 100).toLocaleString('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} €`);
    log('');
    log(`[demo] the year took ${Math.round((Date.now() - started) / 1000)} s. Reporting's figures for ${year}, computed from the events:`);
    log(`  Tarbes: ${t.applicationsTransmitted} files transmitted, ${t.loansGranted} loans granted, mean ${euros(t.amountMeanCents)}, ${t.missedInstalments} missed instalment(s), ${t.defaults} default(s)`);
    log(`          ${t.interestRefunds ?? '—'} interest refunds paid, ${euros(t.interestRefundedCents)} (lending collected ${euros(result.refundedLoansInterestPaidCents)} of interest on the ${result.refundedLoanIds.length} loans repaid)`);
    log(`  Laval:  ${l.applicationsTransmitted} files transmitted, ${l.loansGranted} loans granted, ${l.missedInstalments} missed instalment(s), ${l.defaults} default(s)`);
    log('');
    log(`Dashboard (Tarbes' director): ${urls.reporting}/reporting/dashboard#token=${result.dashboardTokens['ccas-tarbes']}&period=${year}`);
    log(`Dashboard (Laval's director):  ${urls.reporting}/reporting/dashboard#token=${result.dashboardTokens['ccas-laval']}&period=${year}`);
    if (!values['use-running']) log('The platform keeps running (Ctrl-C to stop it).');
    return 0;
  } catch (error) {
    process.stderr.write(`\n[demo] failed: ${(error as Error).message}\n`);
    await stop();
    return 1;
  }
}

if (require.main === module) {
  demoCli(process.argv.slice(2), process.env).then((code) => {
    if (code !== 0) process.exit(code);
  });
}
