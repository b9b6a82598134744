import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { correlationIdFrom, isSafeId, type Principal, type RequestContext } from '@tremplin/tenancy';
import { ACCESS_METADATA, PUBLIC_ACCESS } from './access.decorator';
import { isAllowed, isRouteClass, routeClassDefinition, type RouteClass } from './access-matrix';
import type { AuditAccess, AuditAccessRecorder } from './audit-access';
import { AuthError, toHttpException } from './errors';
import type { TokenVerifier } from './verifier';

export const TOKEN_VERIFIER = Symbol('TOKEN_VERIFIER');
export const AUDIT_ACCESS_RECORDER = Symbol('AUDIT_ACCESS_RECORDER');
export const CORRELATION_ID_HEADER = 'x-correlation-id';
export const TENANT_ID_HEADER = 'x-tenant-id';

/** The parts of an Express request the guard reads, and what it leaves for the interceptor and handlers. */
export interface AuthenticatedRequest {
  method: string;
  originalUrl?: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  params?: Record<string, string>;
  tremplin?: { context: RequestContext; principal?: Principal; routeClass?: RouteClass };
}

interface HeaderWriter {
  setHeader(name: string, value: string): void;
}

/**
 * Authenticates the bearer token, applies the access matrix to the route's class, checks the tenant named by
 * the route or header is one of the principal's (404 otherwise: no hint that it exists), records auditors'
 * accesses, and leaves the request context for RequestContextInterceptor. Routes without @Access are refused.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(AUDIT_ACCESS_RECORDER) private readonly recorder: AuditAccessRecorder,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const request = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const correlationId = correlationIdFrom(single(request.headers[CORRELATION_ID_HEADER]));
    ctx.switchToHttp().getResponse<HeaderWriter>().setHeader(CORRELATION_ID_HEADER, correlationId);
    request.tremplin = { context: { correlationId } };
    try {
      const declared = this.reflector.getAllAndOverride<string | undefined>(ACCESS_METADATA, [ctx.getHandler(), ctx.getClass()]);
      if (declared === PUBLIC_ACCESS) return true;
      if (!isRouteClass(declared)) throw new AuthError('ACCESS_NOT_DECLARED', 'this route declares no access class');
      const principal = await this.verifier.verify(bearerToken(request));
      const tenantId = this.tenantOf(request, declared);
      const outcome = !isAllowed(principal.role, declared) ? 'denied-role' : tenantId && !principal.tenantIds.includes(tenantId) ? 'denied-tenant' : 'allowed';
      if (principal.role === 'auditor') await this.recordAuditorAccess(request, principal, declared, tenantId, outcome, correlationId);
      if (outcome === 'denied-role') throw new AuthError('FORBIDDEN_ROLE', `role "${principal.role}" may not use ${declared} routes`);
      // Same answer as for a resource that does not exist: a tenant outside the principal's scope is not revealed.
      if (outcome === 'denied-tenant') throw new AuthError('NOT_FOUND', 'not found');
      request.tremplin = {
        principal,
        routeClass: declared,
        context: {
          ...(tenantId ? { tenantId } : {}),
          correlationId,
          actor: { userId: principal.userId, role: principal.role, organisationId: principal.organisationId },
          principal,
        },
      };
      return true;
    } catch (error) {
      if (error instanceof AuthError) throw toHttpException(error);
      throw error;
    }
  }

  private tenantOf(request: AuthenticatedRequest, routeClass: RouteClass): string | undefined {
    const scope = routeClassDefinition(routeClass).scope;
    if (scope === 'platform') return undefined;
    const fromRoute = request.params?.tenantId;
    const fromHeader = single(request.headers[TENANT_ID_HEADER]);
    if (fromRoute !== undefined && fromHeader !== undefined && fromRoute !== fromHeader) {
      throw new AuthError('TENANT_MISMATCH', 'the X-Tenant-Id header names another tenant than the route', TENANT_ID_HEADER);
    }
    const tenantId = fromRoute ?? fromHeader;
    if (tenantId === undefined) {
      if (scope === 'tenant') throw new AuthError('TENANT_REQUIRED', 'this route needs a tenant: /tenants/:tenantId/… or the X-Tenant-Id header', TENANT_ID_HEADER);
      return undefined;
    }
    if (!isSafeId(tenantId)) throw new AuthError('NOT_FOUND', 'not found');
    return tenantId;
  }

  private async recordAuditorAccess(
    request: AuthenticatedRequest,
    principal: Principal,
    routeClass: RouteClass,
    tenantId: string | undefined,
    outcome: AuditAccess['outcome'],
    correlationId: string,
  ): Promise<void> {
    try {
      await this.recorder.record({
        occurredAt: new Date().toISOString(),
        ...(tenantId ? { tenantId } : {}),
        userId: principal.userId,
        organisationId: principal.organisationId,
        role: principal.role,
        routeClass,
        method: request.method,
        path: (request.originalUrl ?? request.url).split('?')[0],
        outcome,
        correlationId,
      });
    } catch {
      throw new AuthError('AUDIT_UNAVAILABLE', 'auditor accesses must be recorded and the access log is unavailable; try again later');
    }
  }
}

function bearerToken(request: AuthenticatedRequest): string {
  const header = single(request.headers.authorization);
  if (!header) throw new AuthError('UNAUTHENTICATED', 'a bearer token is required (Authorization: Bearer <token>)', 'authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw new AuthError('UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"', 'authorization');
  return match[1];
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
