import { startInfra, type Infra } from './infra';

// Jest calls the global setup of every integration project in one parent process: the first call starts the
// servers, the others reuse them, and the last teardown stops them. Workers inherit the environment set here.
const state = globalThis as unknown as { __tremplinInfra?: { infra: Promise<Infra>; users: number } };

export default async function globalSetup(): Promise<void> {
  if (!state.__tremplinInfra) {
    state.__tremplinInfra = { infra: startInfra({ durable: false, log: (line) => process.stderr.write(`${line}\n`) }), users: 0 };
  }
  state.__tremplinInfra.users += 1;
  const infra = await state.__tremplinInfra.infra;
  process.env.TREMPLIN_PG_ADMIN_URL = infra.postgresAdminUrl;
  process.env.KAFKA_BROKERS = infra.kafkaBrokers.join(',');
}
