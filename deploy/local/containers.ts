import type { Infra } from './infra';

/**
 * TEST_INFRA=containers: PostgreSQL and Kafka in Docker through testcontainers. Only for machines with a Docker
 * engine; the default path (embedded servers) never loads this module. Not exercised on the project's CI machine.
 */
export async function startContainers(log: (line: string) => void): Promise<Infra> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const postgres = await new GenericContainer('postgres:18')
    .withEnvironment({ POSTGRES_PASSWORD: 'tremplin-local-admin' })
    .withCommand(['postgres', '-c', 'idle_in_transaction_session_timeout=60s', '-c', 'max_connections=400'])
    .withExposedPorts(5432)
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .start();
  log(`[infra] PostgreSQL container started on ${postgres.getHost()}:${postgres.getMappedPort(5432)}`);
  const kafkaPort = 9092;
  const kafka = await new GenericContainer('apache/kafka:3.9.1')
    .withExposedPorts({ container: kafkaPort, host: kafkaPort })
    .withEnvironment({
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: `PLAINTEXT://:${kafkaPort},CONTROLLER://:9093`,
      KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://localhost:${kafkaPort}`,
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'false',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
    })
    .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
    .start();
  log(`[infra] Kafka container started on localhost:${kafkaPort}`);
  return {
    postgresAdminUrl: `postgres://postgres:tremplin-local-admin@${postgres.getHost()}:${postgres.getMappedPort(5432)}/postgres`,
    kafkaBrokers: [`localhost:${kafkaPort}`],
    started: ['postgres', 'kafka'],
    async stop() {
      await kafka.stop();
      await postgres.stop();
    },
  };
}
