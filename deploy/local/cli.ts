import { startInfra } from './infra';

export const READY_PREFIX = 'TREMPLIN_INFRA_READY ';

/**
 * `npm run infra`: only the infrastructure (for running services by hand), until Ctrl-C or SIGTERM. `npm start`
 * runs it as a child in its own process group, so the terminal's Ctrl-C reaches the services first and the
 * servers are stopped only after the services have drained.
 */
async function main(): Promise<void> {
  const infra = await startInfra({ durable: true, log: (line) => console.log(line) });
  console.log(`DATABASE_URL=${infra.postgresAdminUrl}`);
  console.log(`KAFKA_BROKERS=${infra.kafkaBrokers.join(',')}`);
  console.log(`${READY_PREFIX}${JSON.stringify({ postgresAdminUrl: infra.postgresAdminUrl, kafkaBrokers: infra.kafkaBrokers })}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void infra.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`[infra] stop failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error) => {
    console.error(`[infra] ${(error as Error).message}`);
    process.exit(1);
  });
}
