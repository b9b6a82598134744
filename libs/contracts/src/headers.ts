import type { Envelope } from './envelope';

/** Kafka headers every integration message carries (tenant, correlation and causation travel with it). */
export const HEADERS = {
  messageId: 'message-id',
  contract: 'contract',
  tenantId: 'tenant-id',
  correlationId: 'correlation-id',
  causationId: 'causation-id',
  occurredAt: 'occurred-at',
} as const;

export function headersOf(envelope: Envelope): Record<string, string> {
  return {
    [HEADERS.messageId]: envelope.messageId,
    [HEADERS.contract]: envelope.name,
    [HEADERS.tenantId]: envelope.tenantId,
    [HEADERS.correlationId]: envelope.correlationId,
    ...(envelope.causationId ? { [HEADERS.causationId]: envelope.causationId } : {}),
    [HEADERS.occurredAt]: envelope.occurredAt,
  };
}
