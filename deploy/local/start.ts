import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { startInfraProcess } from './infra-process';
import { provisionDatabase } from './provision';
import { LOCAL_SERVICES_FILE, portFor, SERVICES, spawnService, waitHealthy, type ServiceName, type ServiceProcess } from './services';
import { logFormatFor, serviceLogFormatter } from './service-logs';

// The usury caps the project ships stop at the last notice it knows (2026-Q1). So that a local platform can issue
// offers today, `npm start` carries that notice forward to the end of 2026 — for development only: a real
// deployment sets USURY_CAP_TABLES from each quarter's Banque de France notice.
const DEV_USURY_CARRY_FORWARD = JSON.stringify(
  ['2026-04-01/2026-06-30', '2026-07-01/2026-09-30', '2026-10-01/2026-12-31'].map((quarter) => {
    const [effectiveFrom, effectiveUntil] = quarter.split('/');
    return { effectiveFrom, effectiveUntil, caps: { upTo3000: 2356, from3000To6000: 1587, over6000: 867 } };
  }),
);

function serviceEnv(name: ServiceName, log: (line: string) => void): Record<string, string> {
  if (name !== 'lending' || process.env.USURY_CAP_TABLES) return {};
  log('[start] lending: usury caps of 2026-Q1 carried forward to 2026-12-31 for local use (set USURY_CAP_TABLES for real notices)');
  return { USURY_CAP_TABLES: DEV_USURY_CARRY_FORWARD };
}

/**
 * `npm start`: infrastructure up (embedded PostgreSQL and a local Kafka unless DATABASE_URL / KAFKA_BROKERS name
 * existing ones), one database per service, migrations (run by each service as the owner role at start), all
 * five services, their URLs printed. Ctrl-C stops everything and leaves no process behind.
 */
async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const logFormat = logFormatFor(process.stdout);
  const infra = await startInfraProcess(log);
  const running: ServiceProcess[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    log('[start] stopping services…');
    await Promise.all(running.map((s) => s.stop()));
    await infra.stop();
    log('[start] everything stopped');
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  try {
    const { checkBrokerAnswers } = await import('./topics');
    await checkBrokerAnswers(infra.kafkaBrokers, log);
    for (const name of SERVICES) {
      const database = await provisionDatabase(infra.postgresAdminUrl, `tremplin_${name.replace(/-/g, '_')}`);
      const port = await portFor(name);
      const formatLine = serviceLogFormatter(name, logFormat);
      const service = spawnService(
        name,
        port,
        { DATABASE_URL: database.appUrl, MIGRATION_DATABASE_URL: database.ownerUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(','), ...serviceEnv(name, log) },
        (line) => console.log(formatLine(line)),
      );
      running.push(service);
      service.child.once('exit', (code) => {
        if (!stopping) {
          log(`[start] ${name} exited unexpectedly (code ${code}); stopping everything`);
          void stopAll(1);
        }
      });
    }
    await Promise.all(running.map((s) => waitHealthy(s)));
  } catch (error) {
    log(`[start] failed: ${(error as Error).message}`);
    await stopAll(1);
    return;
  }
  const width = Math.max(...running.map((s) => s.name.length));
  log('');
  log('Tremplin is running (Ctrl-C to stop):');
  for (const s of running) log(`  ${s.name.padEnd(width)}  ${s.url}   health ${s.url}/health   API ${s.url}/docs   metrics ${s.url}/metrics`);
  log(`  PostgreSQL ${new URL(infra.postgresAdminUrl).host}   Kafka ${infra.kafkaBrokers.join(',')}`);
  log('  A development token: npm run token -- --role socialWorker --tenant ccas-tarbes');
  await mkdir(dirname(LOCAL_SERVICES_FILE), { recursive: true });
  await writeFile(LOCAL_SERVICES_FILE, `${JSON.stringify(running.map((s) => ({ name: s.name, url: s.url })), null, 2)}\n`);
  if (process.env.CLOCK_CONTROL === 'on') log('  Movable clock (CLOCK_CONTROL=on): npm run clock -- 2026-06-10T09:00:00Z');
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  process.exit(1);
});
