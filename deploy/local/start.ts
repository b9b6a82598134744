import { startInfra } from './infra';
import { provisionDatabase } from './provision';
import { portFor, SERVICES, spawnService, waitHealthy, type ServiceProcess } from './services';

/**
 * `npm start`: infrastructure up (embedded PostgreSQL and a local Kafka unless DATABASE_URL / KAFKA_BROKERS name
 * existing ones), one database per service, migrations (run by each service as the owner role at start), all
 * five services, their URLs printed. Ctrl-C stops everything and leaves no process behind.
 */
async function main(): Promise<void> {
  const log = (line: string) => console.log(line);
  const infra = await startInfra({ durable: true, log });
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
      const service = spawnService(
        name,
        port,
        { DATABASE_URL: database.appUrl, MIGRATION_DATABASE_URL: database.ownerUrl, KAFKA_BROKERS: infra.kafkaBrokers.join(',') },
        (line) => console.log(`[${name}] ${line}`),
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
}

main().catch((error) => {
  console.error(`[start] ${(error as Error).message}`);
  process.exit(1);
});
