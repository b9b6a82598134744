import { AsyncLocalStorage } from 'node:async_hooks';

export const ORGANISATION_KINDS = ['ccas', 'federation', 'bank', 'guarantor', 'auditor', 'platform'] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** The verified identity behind a request (built by @tremplin/auth from token claims). */
export interface Principal {
  readonly userId: string;
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly role: string;
  readonly tenantIds: readonly string[];
}

/** Who is acting, for whom, and why: carried from the HTTP request or Kafka message into every write. */
export interface RequestContext {
  readonly tenantId?: string;
  readonly correlationId: string;
  readonly causationId?: string;
  readonly actor?: { readonly userId: string; readonly role: string; readonly organisationId: string };
  /** Present on HTTP paths; absent when a Kafka message or a platform job is being handled. */
  readonly principal?: Principal;
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
