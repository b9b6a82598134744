import { accompanimentContracts } from './accompaniment.contracts';
import { accompanimentRefundContracts } from './accompaniment-refund.contracts';
import { isTopicName, type Contract } from './contract';
import { guaranteeContracts } from './guarantee.contracts';
import { intakeContracts } from './intake.contracts';
import { lendingContracts } from './lending.contracts';
import { dlqSpecOf, TOPICS, type TopicSpec } from './topics';

export interface ContractRegistry {
  readonly topics: readonly TopicSpec[];
  readonly contracts: readonly Contract[];
  get(name: string): Contract | undefined;
  /** Every topic the platform must create: each contract topic and its dead-letter topic. */
  topicsToCreate(): TopicSpec[];
}

export function createRegistry(topics: readonly TopicSpec[], contracts: readonly Contract[]): ContractRegistry {
  const topicNames = new Set<string>();
  for (const spec of topics) {
    if (!isTopicName(spec.name)) throw new Error(`invalid topic name ${spec.name}`);
    if (topicNames.has(spec.name)) throw new Error(`topic ${spec.name} declared twice`);
    if (!Number.isInteger(spec.partitions) || spec.partitions < 1) throw new Error(`topic ${spec.name} needs at least one partition`);
    topicNames.add(spec.name);
  }
  const byName = new Map<string, Contract>();
  for (const contract of contracts) {
    if (byName.has(contract.name)) throw new Error(`contract ${contract.name} registered twice`);
    if (!topicNames.has(contract.topic)) throw new Error(`contract ${contract.name} uses undeclared topic ${contract.topic}`);
    byName.set(contract.name, contract);
  }
  return Object.freeze({
    topics: Object.freeze([...topics]),
    contracts: Object.freeze([...contracts]),
    get: (name: string) => byName.get(name),
    topicsToCreate: () => topics.flatMap((spec) => [spec, dlqSpecOf(spec)]),
  });
}

/**
 * The same contracts on renamed topics: lets integration tests and benchmarks share one broker without
 * reading each other's traffic.
 */
export function withTopicPrefix(registry: ContractRegistry, prefix: string): ContractRegistry {
  const rename = (name: string) => `${prefix}${name}`;
  return createRegistry(
    registry.topics.map((spec) => ({ ...spec, name: rename(spec.name) })),
    registry.contracts.map((contract) => Object.freeze({ ...contract, topic: rename(contract.topic) })),
  );
}

export const contractRegistry: ContractRegistry = createRegistry(TOPICS, [...intakeContracts, ...lendingContracts, ...guaranteeContracts, ...accompanimentContracts, ...accompanimentRefundContracts]);
