export * from './infra';
export * from './provision';
export * from './ports';
export { startKafka, KAFKA_VERSION, type KafkaNode } from './kafka';
export { SERVICES, spawnService, waitHealthy, type ServiceName, type ServiceProcess } from './services';
