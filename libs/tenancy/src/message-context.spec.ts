import { currentContext, requireTenant, runInContext } from './context';
import { contextFromMessageHeaders, contextToMessageHeaders, runInMessageContext } from './message-context';
import { metadataFromContext } from './metadata';

const actor = { userId: 'u-1', role: 'socialWorker', organisationId: 'org-1' };

describe('context through Kafka headers', () => {
  it('writes tenant, correlation and causation headers from the current context', () => {
    const headers = runInContext({ tenantId: 'ccas-tarbes', correlationId: 'corr-1', causationId: 'cmd-1', actor }, () => contextToMessageHeaders());
    expect(headers).toEqual({ 'tenant-id': 'ccas-tarbes', 'correlation-id': 'corr-1', 'causation-id': 'cmd-1' });
  });

  it('restores the context of a consumed message, the message itself being the causation', () => {
    const seen = runInMessageContext(
      { 'tenant-id': Buffer.from('ccas-laval'), 'correlation-id': 'corr-9', 'causation-id': 'earlier' },
      () => ({ context: currentContext(), tenant: requireTenant() }),
      { messageId: 'msg-7' },
    );
    expect(seen).toEqual({ context: { tenantId: 'ccas-laval', correlationId: 'corr-9', causationId: 'msg-7' }, tenant: 'ccas-laval' });
  });

  it('keeps the carried causation when the message id is unknown, and reads array headers', () => {
    expect(contextFromMessageHeaders({ 'tenant-id': ['ccas-pau'], 'correlation-id': 'c', 'causation-id': 'cause' })).toEqual({
      tenantId: 'ccas-pau',
      correlationId: 'c',
      causationId: 'cause',
    });
  });

  it('generates a correlation id and sets no tenant when headers are missing or unsafe', () => {
    const context = contextFromMessageHeaders({ 'tenant-id': "x'; drop", 'correlation-id': 'a b' });
    expect(context.tenantId).toBeUndefined();
    expect(context.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(() => runInContext(context, requireTenant)).toThrow(expect.objectContaining({ code: 'TENANT_REQUIRED' }));
  });
});

describe('metadata from the context', () => {
  it('carries correlation, causation and actor into event metadata with the time passed in', () => {
    const metadata = runInContext({ tenantId: 't', correlationId: 'corr', causationId: 'msg-1', actor }, () =>
      metadataFromContext('2026-01-05T10:00:00.000Z', { commandId: 'cmd-2' }),
    );
    expect(metadata).toEqual({ correlationId: 'corr', causationId: 'msg-1', commandId: 'cmd-2', actorId: 'u-1', role: 'socialWorker', organisationId: 'org-1', occurredAt: '2026-01-05T10:00:00.000Z' });
  });

  it('still yields a correlation id outside any context', () => {
    expect(metadataFromContext('2026-01-05T10:00:00.000Z')).toEqual({ correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/), occurredAt: '2026-01-05T10:00:00.000Z' });
  });
});
