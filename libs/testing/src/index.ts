export * from './database';
// Fault tests that stop and start a broker need a private one, apart from the run's shared broker.
export { startKafka, type KafkaNode } from '@tremplin/local-infra';
export * from './service-harness';
export * from './chromium';
export * from './platform-processes';
export * from './kafka-observer';
export * from './calendar';
export * from './journey';
export * from './audit-runner';
export * from './demo-plan';
export * from './demo';
