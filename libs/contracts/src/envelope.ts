import { z } from 'zod';
import type { Contract, PayloadSchema } from './contract';
import { id, instant } from './fields';
import type { ContractRegistry } from './registry';

/** What travels on Kafka: one integration event with the ids needed to trace and deduplicate it. */
export interface Envelope<Payload = unknown> {
  /** Idempotency key: consumers record it in their inbox. */
  readonly messageId: string;
  readonly name: string;
  readonly tenantId: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly payload: Payload;
}

export const envelopeSchema = z
  .object({
    messageId: z.uuid(),
    name: z.string().min(1).max(200),
    tenantId: id(),
    occurredAt: instant(),
    correlationId: z.string().min(1).max(200),
    causationId: z.string().min(1).max(200).optional(),
    // An object whose fields its contract's schema checks next: a record schema here copied every payload once more.
    payload: z.custom<Record<string, unknown>>((value) => typeof value === 'object' && value !== null && !Array.isArray(value), 'expected an object'),
  })
  .strict();

export interface EnvelopeMetadata {
  readonly messageId: string;
  readonly occurredAt: string;
  readonly correlationId: string;
  readonly causationId?: string;
}

export type ContractViolationReason = 'MALFORMED_MESSAGE' | 'UNKNOWN_CONTRACT' | 'INVALID_PAYLOAD' | 'TENANT_MISMATCH';

export class ContractViolationError extends Error {
  readonly code = 'CONTRACT_VIOLATION';
  constructor(
    readonly reason: ContractViolationReason,
    readonly contract: string | undefined,
    readonly detail: string,
  ) {
    super(`${reason}${contract ? ` (${contract})` : ''}: ${detail}`);
    this.name = 'ContractViolationError';
  }
}

/** Validates the payload against its contract; the tenant of the envelope is the payload's. */
export function createEnvelope<S extends PayloadSchema>(contract: Contract<S>, payload: z.input<S>, metadata: EnvelopeMetadata): Envelope<z.output<S>> {
  const parsed = contract.schema.safeParse(payload);
  if (!parsed.success) throw new ContractViolationError('INVALID_PAYLOAD', contract.name, describeIssues(parsed.error));
  const data = parsed.data as z.output<S> & { tenantId: string };
  const envelope: Envelope<z.output<S>> = {
    messageId: metadata.messageId,
    name: contract.name,
    tenantId: data.tenantId,
    occurredAt: metadata.occurredAt,
    correlationId: metadata.correlationId,
    ...(metadata.causationId ? { causationId: metadata.causationId } : {}),
    payload: data,
  };
  const checked = envelopeSchema.safeParse(envelope);
  if (!checked.success) throw new ContractViolationError('MALFORMED_MESSAGE', contract.name, describeIssues(checked.error));
  return envelope;
}

export type DecodedMessage =
  | { readonly ok: true; readonly contract: Contract; readonly envelope: Envelope<Record<string, unknown>> }
  | { readonly ok: false; readonly error: ContractViolationError };

/** Decodes a message body (JSON text) against the registry; never throws. */
export function decodeMessage(registry: ContractRegistry, body: string | Buffer | null): DecodedMessage {
  const fail = (reason: ContractViolationReason, contract: string | undefined, detail: string): DecodedMessage => ({
    ok: false,
    error: new ContractViolationError(reason, contract, detail),
  });
  let raw: unknown;
  try {
    raw = JSON.parse(body === null ? '' : body.toString());
  } catch (error) {
    return fail('MALFORMED_MESSAGE', undefined, `not JSON: ${(error as Error).message}`);
  }
  const envelope = envelopeSchema.safeParse(raw);
  if (!envelope.success) {
    const name = typeof (raw as { name?: unknown })?.name === 'string' ? (raw as { name: string }).name : undefined;
    return fail('MALFORMED_MESSAGE', name, describeIssues(envelope.error));
  }
  const contract = registry.get(envelope.data.name);
  if (!contract) return fail('UNKNOWN_CONTRACT', envelope.data.name, `no contract named ${envelope.data.name} is registered`);
  const payload = contract.schema.safeParse(envelope.data.payload);
  if (!payload.success) return fail('INVALID_PAYLOAD', contract.name, describeIssues(payload.error));
  const data = payload.data as Record<string, unknown>;
  if (data.tenantId !== envelope.data.tenantId) return fail('TENANT_MISMATCH', contract.name, 'envelope and payload name different tenants');
  return { ok: true, contract, envelope: { ...envelope.data, payload: data } };
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
