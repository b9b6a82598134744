
export interface Infra {
  /** Superuser URL of the server: databases and roles are provisioned from it. */
  readonly postgresAdminUrl: string;
  readonly kafkaBrokers: string[];
  /** What was started here (and is stopped by stop()), for the log. */
  readonly started: Array<'postgres' | 'kafka'>;
  stop(): Promise<void>;
}

export interface StartInfraOptions {
  log?: (line: string) => void;
  durable?: boolean;
  /** false: no Kafka (a benchmark or tool that needs only PostgreSQL). */
  kafka?: boolean;
}

/**
 * Brings up what the platform needs: an existing server named by DATABASE_URL / KAFKA_BROKERS is used as is;
 * TEST_INFRA=containers uses testcontainers (needs a Docker engine); otherwise embedded PostgreSQL and a local
 * single-node Kafka are started on free ports.
 */
export async function startInfra(options: StartInfraOptions = {}): Promise<Infra> {
  const log = options.log ?? ((line: string) => console.log(line));
  if (process.env.TEST_INFRA === 'containers') {
    const { startContainers } = await import('./containers');
    return startContainers(log);
  }
  const stops: Array<() => Promise<void>> = [];
  const started: Infra['started'] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => log(`[infra] stop failed: ${String(error)}`));
  };
  try {
    const postgresAdminUrl = await (async () => {
      if (process.env.DATABASE_URL) {
        log('[infra] PostgreSQL: using DATABASE_URL');
        return process.env.DATABASE_URL;
      }
      const t0 = Date.now();
      const { startPostgres } = await import('./postgres');
      const pg = await startPostgres({ durable: options.durable, log: () => undefined });
      stops.push(async () => {
        await pg.stop();
        log('[infra] PostgreSQL stopped');
      });
      started.push('postgres');
      log(`[infra] PostgreSQL (embedded) started on 127.0.0.1:${pg.port} in ${Date.now() - t0} ms`);
      return pg.adminUrl;
    })();
    const kafkaBrokers = await (async () => {
      if (options.kafka === false) return [];
      if (process.env.KAFKA_BROKERS) {
        log('[infra] Kafka: using KAFKA_BROKERS');
        return process.env.KAFKA_BROKERS.split(',').map((b) => b.trim()).filter(Boolean);
      }
      const t0 = Date.now();
      const { startKafka } = await import('./kafka');
      const kafka = await startKafka({ log });
      stops.push(async () => {
        await kafka.stop();
        log('[infra] Kafka broker stopped');
      });
      started.push('kafka');
      log(`[infra] Kafka broker (KRaft) started on ${kafka.brokers.join(',')} in ${Date.now() - t0} ms`);
      return kafka.brokers;
    })();
    return { postgresAdminUrl, kafkaBrokers, started, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
