export interface TopicSpec {
  readonly name: string;
  readonly partitions: number;
  readonly retentionMs: number;
  readonly cleanupPolicy: 'delete' | 'compact';
}

const DAY_MS = 24 * 60 * 60 * 1000;
// Six partitions per aggregate family: a handful of consumers per service can share the load locally,
// and raising partitions later only reshuffles keys for messages not yet written.
const LOCAL_PARTITIONS = 6;
const RETENTION_MS = 30 * DAY_MS;
// Dead letters wait for a human: kept longer than the traffic they came from.
const DLQ_RETENTION_MS = 90 * DAY_MS;

export const DLQ_SUFFIX = '.dlq';

export function dlqTopicOf(topic: string): string {
  return `${topic}${DLQ_SUFFIX}`;
}

export function topic(name: string, overrides: Partial<Omit<TopicSpec, 'name'>> = {}): TopicSpec {
  return Object.freeze({ name, partitions: LOCAL_PARTITIONS, retentionMs: RETENTION_MS, cleanupPolicy: 'delete' as const, ...overrides });
}

export function dlqSpecOf(spec: TopicSpec): TopicSpec {
  return Object.freeze({ ...spec, name: dlqTopicOf(spec.name), retentionMs: Math.max(spec.retentionMs, DLQ_RETENTION_MS), cleanupPolicy: 'delete' as const });
}

/** One topic per aggregate family: the aggregate id is the key, so its facts stay in one partition. */
export const TOPICS: readonly TopicSpec[] = Object.freeze([
  topic('intake.application'),
  topic('lending.loan'),
  topic('guarantee.guarantee'),
  topic('accompaniment.plan'),
]);
