import { startInfra } from './infra';

/** `npm run infra`: only the infrastructure, for running services by hand; Ctrl-C stops it. */
async function main(): Promise<void> {
  const infra = await startInfra({ durable: true });
  console.log(`DATABASE_URL=${infra.postgresAdminUrl}`);
  console.log(`KAFKA_BROKERS=${infra.kafkaBrokers.join(',')}`);
  const stop = () => void infra.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error) => {
  console.error(`[infra] ${(error as Error).message}`);
  process.exit(1);
});
