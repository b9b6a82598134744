import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startInfra } from '@tremplin/local-infra';

/**
 * `npm run bench -- <name>` runs bench/<name>.bench.ts against real servers: the embedded PostgreSQL (durable
 * settings, as in production) and a local Kafka, unless DATABASE_URL / KAFKA_BROKERS name existing ones.
 * A benchmark exports `run(context)`, prints its table and ends with its one summary line.
 */
export interface BenchContext {
  readonly postgresAdminUrl: string;
  readonly kafkaBrokers: string[];
  readonly log: (line: string) => void;
}

async function main(): Promise<void> {
  const name = process.argv[2];
  const available = readdirSync(__dirname).filter((f) => f.endsWith('.bench.ts')).map((f) => f.replace('.bench.ts', ''));
  const file = join(__dirname, `${name}.bench.ts`);
  if (!name || !existsSync(file)) {
    console.error(`usage: npm run bench -- <name>; available: ${available.join(', ') || 'none'}`);
    process.exit(2);
  }
  const bench = (await import(file)) as { run(context: BenchContext): Promise<void>; needsKafka?: boolean };
  const infra = await startInfra({ durable: true, kafka: bench.needsKafka !== false, log: (line) => console.error(line) });
  const stop = async () => {
    await infra.stop();
  };
  process.once('SIGINT', () => void stop().then(() => process.exit(130)));
  try {
    await bench.run({ postgresAdminUrl: infra.postgresAdminUrl, kafkaBrokers: infra.kafkaBrokers, log: (line) => console.log(line) });
  } finally {
    await stop();
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
