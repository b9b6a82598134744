import { currentContext, runInContext, type RequestContext } from './context';
import { correlationIdFrom, isSafeId } from './correlation';

export const TENANT_HEADER = 'tenant-id';
export const CORRELATION_HEADER = 'correlation-id';
export const CAUSATION_HEADER = 'causation-id';

/** The shape of kafkajs message headers, without depending on kafkajs. */
export type MessageHeaders = Record<string, Buffer | string | ReadonlyArray<Buffer | string> | undefined>;

/**
 * Headers for an outgoing message. The causation of a published message is what is being handled now: the
 * consumed message's id (or the command id) when given, else the current causation.
 */
export function contextToMessageHeaders(
  context: RequestContext | undefined = currentContext(),
  options: { causationId?: string } = {},
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (context?.tenantId) headers[TENANT_HEADER] = context.tenantId;
  if (context?.correlationId) headers[CORRELATION_HEADER] = context.correlationId;
  const causationId = options.causationId ?? context?.causationId;
  if (causationId) headers[CAUSATION_HEADER] = causationId;
  return headers;
}

/**
 * The context in which a consumed message is handled: its tenant and correlation id, and as causation the id of
 * the message itself when known (it caused whatever the handler writes), else the causation it carried.
 */
export function contextFromMessageHeaders(headers: MessageHeaders | undefined, options: { messageId?: string } = {}): RequestContext {
  const tenantId = headerValue(headers, TENANT_HEADER);
  const causationId = options.messageId ?? headerValue(headers, CAUSATION_HEADER);
  return {
    ...(tenantId && isSafeId(tenantId) ? { tenantId } : {}),
    correlationId: correlationIdFrom(headerValue(headers, CORRELATION_HEADER)),
    ...(causationId && isSafeId(causationId) ? { causationId } : {}),
  };
}

/** Runs a consumer's handler so that every withTransaction inside it sets app.tenant_id from the message. */
export function runInMessageContext<T>(headers: MessageHeaders | undefined, fn: () => T, options: { messageId?: string } = {}): T {
  return runInContext(contextFromMessageHeaders(headers, options), fn);
}

function headerValue(headers: MessageHeaders | undefined, name: string): string | undefined {
  const raw = headers?.[name];
  const first = Array.isArray(raw) ? raw[0] : raw;
  if (first === undefined) return undefined;
  return typeof first === 'string' ? first : first.toString('utf8');
}
