import { createHash } from 'node:crypto';
import { HEADERS, type Envelope } from '@tremplin/contracts';
import type { RequestContext } from '@tremplin/tenancy';

// The header names are part of the published language, so they live with the contracts.
export { HEADERS, headersOf } from '@tremplin/contracts';

/**
 * The context a handler runs in: tenant and correlation travel on; the consumed message is the cause of
 * whatever the handler does, so it becomes the causation id (its own cause stays in the envelope).
 */
export function contextFromHeaders(headers: Readonly<Record<string, string>>, envelope: Envelope): RequestContext | { mismatch: string } {
  const tenantId = headers[HEADERS.tenantId] ?? envelope.tenantId;
  if (tenantId !== envelope.tenantId) return { mismatch: `header tenant ${tenantId} differs from the envelope's` };
  const messageId = headers[HEADERS.messageId] ?? envelope.messageId;
  if (messageId !== envelope.messageId) return { mismatch: `header message id ${messageId} differs from the envelope's` };
  return { tenantId, correlationId: headers[HEADERS.correlationId] ?? envelope.correlationId, causationId: messageId };
}

/**
 * A stable message id for the integration event a domain event causes (UUID v5 layout over SHA-1): mapping
 * the same event again yields the same id, so re-running an append cannot enqueue a second copy.
 */
export function deriveMessageId(eventId: string, contractName: string): string {
  const bytes = createHash('sha1').update(`tremplin.outbox\u0000${contractName}\u0000${eventId}`).digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
