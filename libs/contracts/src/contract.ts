import type { z } from 'zod';

/** `<context>.<fact>.v<N>`, e.g. `lending.loan-disbursed.v1`. */
const CONTRACT_NAME = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)$/;
const TOPIC_NAME = /^[a-z][a-z0-9-]*(?:\.[a-z][a-z0-9-]*)+$/;

export type PayloadSchema = z.ZodObject;

export interface Contract<Schema extends PayloadSchema = PayloadSchema> {
  readonly name: string;
  readonly context: string;
  readonly fact: string;
  readonly version: number;
  readonly topic: string;
  readonly schema: Schema;
  /** The Kafka key: the aggregate id, so one aggregate's messages stay in one partition, in order. */
  readonly key: (payload: z.output<Schema>) => string;
}

export type PayloadOf<C> = C extends Contract<infer S> ? z.output<S> : never;

export class ContractDefinitionError extends Error {
  readonly code = 'CONTRACT_DEFINITION';
  constructor(message: string) {
    super(message);
    this.name = 'ContractDefinitionError';
  }
}

export function defineContract<Schema extends PayloadSchema>(definition: {
  name: string;
  topic: string;
  schema: Schema;
  key: (payload: z.output<Schema>) => string;
}): Contract<Schema> {
  const match = CONTRACT_NAME.exec(definition.name);
  if (!match) throw new ContractDefinitionError(`contract name ${definition.name} is not <context>.<fact>.v<N>`);
  if (!TOPIC_NAME.test(definition.topic)) throw new ContractDefinitionError(`topic ${definition.topic} of ${definition.name} is not a dotted lower-case name`);
  if (!('tenantId' in definition.schema.shape)) throw new ContractDefinitionError(`${definition.name} must carry tenantId`);
  return Object.freeze({
    name: definition.name,
    context: match[1]!,
    fact: match[2]!,
    version: Number(match[3]),
    topic: definition.topic,
    schema: definition.schema,
    key: definition.key,
  });
}

export function isTopicName(name: string): boolean {
  return TOPIC_NAME.test(name);
}
