import type { EventMetadata } from '@tremplin/event-sourcing';
import { currentContext, type RequestContext } from './context';
import { newCorrelationId } from './correlation';

export type ContextMetadata = EventMetadata;

/**
 * Event (or command) metadata from the current context. The clock is the caller's: occurredAt is passed in.
 * Outside any context a fresh correlation id is used, so a platform job still yields traceable events.
 */
export function metadataFromContext(
  occurredAt: string,
  extra: { commandId?: string; causationId?: string } = {},
  context: RequestContext | undefined = currentContext(),
): ContextMetadata {
  const causationId = extra.causationId ?? context?.causationId;
  return {
    correlationId: context?.correlationId ?? newCorrelationId(),
    ...(causationId ? { causationId } : {}),
    ...(extra.commandId ? { commandId: extra.commandId } : {}),
    ...(context?.actor
      ? { actorId: context.actor.userId, role: context.actor.role, organisationId: context.actor.organisationId }
      : {}),
    occurredAt,
  };
}
