import { AsyncLocalStorage } from 'node:async_hooks';

/** Who is acting, for whom, and why: carried from the HTTP request or Kafka message into every write. */
export interface RequestContext {
  readonly tenantId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor?: { readonly userId: string; readonly role: string; readonly organisationId: string };
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentContext(): RequestContext | undefined {
  return storage.getStore();
}

export class MissingTenantError extends Error {
  readonly code = 'TENANT_REQUIRED';
  constructor() {
    super('no tenant in the current context');
  }
}

export function requireTenant(): string {
  const tenantId = storage.getStore()?.tenantId;
  if (!tenantId) throw new MissingTenantError();
  return tenantId;
}
