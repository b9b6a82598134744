import { randomUUID } from 'node:crypto';
import type { Envelope } from '@tremplin/contracts';
import { contextFromHeaders, deriveMessageId, HEADERS, headersOf } from './headers';

const envelope: Envelope = {
  messageId: randomUUID(),
  name: 'lending.loan-repaid.v1',
  tenantId: 'tenant-laval',
  occurredAt: '2026-05-01T09:00:00.000Z',
  correlationId: 'corr-7',
  causationId: 'event-41',
  payload: { tenantId: 'tenant-laval' },
};

describe('Kafka headers of an integration event', () => {
  it('carry tenant, correlation, causation and message id', () => {
    expect(headersOf(envelope)).toEqual({
      [HEADERS.messageId]: envelope.messageId,
      [HEADERS.contract]: 'lending.loan-repaid.v1',
      [HEADERS.tenantId]: 'tenant-laval',
      [HEADERS.correlationId]: 'corr-7',
      [HEADERS.causationId]: 'event-41',
      [HEADERS.occurredAt]: '2026-05-01T09:00:00.000Z',
    });
  });

  it('give the handler its context back, the consumed message becoming the cause', () => {
    expect(contextFromHeaders(headersOf(envelope), envelope)).toEqual({ tenantId: 'tenant-laval', correlationId: 'corr-7', causationId: envelope.messageId });
  });

  it('are refused when they name another tenant than the envelope', () => {
    expect(contextFromHeaders({ ...headersOf(envelope), [HEADERS.tenantId]: 'tenant-tarbes' }, envelope)).toEqual({ mismatch: expect.stringMatching(/tenant-tarbes/) });
  });
});

describe('the message id derived from a domain event', () => {
  it('is the same each time the same event is mapped, and differs per contract', () => {
    const eventId = randomUUID();
    expect(deriveMessageId(eventId, 'lending.loan-repaid.v1')).toBe(deriveMessageId(eventId, 'lending.loan-repaid.v1'));
    expect(deriveMessageId(eventId, 'lending.loan-repaid.v1')).not.toBe(deriveMessageId(eventId, 'lending.loan-repaid.v2'));
  });

  it('is a version-5 layout UUID, so it fits a uuid column and the envelope schema', () => {
    expect(deriveMessageId('event-1', 'x.y.v1')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
