import { applyDecorators, createParamDecorator, Get, HttpCode, Injectable, Post, SetMetadata, UseInterceptors, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Controller, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiHeader, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { from, mergeMap, type Observable } from 'rxjs';
import { z } from 'zod';
import { Access, AuthGuard, RequestContextInterceptor, type AuthenticatedRequest, type RouteClass } from '@tremplin/auth';
import { commandIdOf, requestHash, type Idempotency, type Outcome } from '@tremplin/commands';
import type { Actor, RecordedEvent } from '@tremplin/event-sourcing';
import { metadataFromContext, type Principal } from '@tremplin/tenancy';
import { ApiError } from './errors';
import { parseWith } from './validation';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
const KEY = /^[A-Za-z0-9._:-]{1,200}$/;
const BODY_SCHEMA = 'tremplin:command-body';
const QUERY_SCHEMA = 'tremplin:query-schema';
const PARAMS_SCHEMA = 'tremplin:params-schema';

/** Everything a command route needs from its request, validated: one parameter instead of six decorators. */
export interface CommandInput<Body> {
  readonly tenantId: string;
  readonly params: Readonly<Record<string, string>>;
  readonly body: Body;
  readonly principal: Principal;
  readonly actor: Actor;
  /** Derived from the Idempotency-Key when there is one: the same key makes the same event ids. */
  readonly commandId: string;
  readonly idempotency?: Idempotency;
}

/**
 * What every HTTP command's CommandSpec takes from its input: the tenant, the command id, the Idempotency-Key
 * claim and the event metadata of the request at `now` (the clock is the handler's).
 */
export function fromInput(input: CommandInput<unknown>, now: string) {
  return {
    tenantId: input.tenantId,
    commandId: input.commandId,
    metadata: metadataFromContext(now),
    ...(input.idempotency ? { idempotency: input.idempotency } : {}),
  };
}

/** The events a command recorded, as command answers list them. */
export function recordedEvents(recorded: readonly RecordedEvent[]): Array<{ eventId: string; type: string; streamVersion: number }> {
  return recorded.map((event) => ({ eventId: event.eventId, type: event.type, streamVersion: event.streamVersion }));
}

const errorBody = {
  type: 'object',
  required: ['statusCode', 'code', 'message'],
  properties: {
    statusCode: { type: 'integer' },
    code: { type: 'string', description: 'stable, UPPER_SNAKE: what a client switches on' },
    message: { type: 'string' },
    field: { type: 'string', description: 'the field, parameter or header at fault' },
    errors: { type: 'array', items: { type: 'object', properties: { field: { type: 'string' }, rule: { type: 'string' }, message: { type: 'string' } } } },
  },
};

const READ_ERRORS: Record<number, string> = {
  400: 'invalid parameters (VALIDATION_FAILED names each field)',
  401: 'no valid bearer token',
  403: 'the role may not use this route',
  404: 'no such resource in a tenant of the caller (another tenant’s look the same)',
  503: 'the database is saturated or unreachable: retry after the Retry-After delay',
};
const COMMAND_ERRORS: Record<number, string> = {
  ...READ_ERRORS,
  400: 'invalid body or a broken business rule (stable code and field)',
  409: 'the resource is not in a state that allows this, or the same Idempotency-Key is still running',
  413: 'body over the size limit',
  422: 'the Idempotency-Key was used for a different request',
};

const errorResponses = (errors: Record<number, string>) => Object.entries(errors).map(([status, description]) => ApiResponse({ status: Number(status), description, schema: errorBody }));

/** An authenticated, tenant-scoped API controller: guard, request context, OpenAPI tag and path parameters. */
export function ApiController(path: string, tag: string): ClassDecorator {
  return applyDecorators(
    Controller(path),
    ApiTags(tag),
    ApiBearerAuth(),
    UseGuards(AuthGuard),
    UseInterceptors(RequestContextInterceptor),
    ...pathParams(path).map((name) => ApiParam({ name, type: String, required: true })),
  );
}

export interface CommandRouteOptions {
  readonly path: string;
  readonly body: z.ZodType;
  readonly access: RouteClass;
  readonly summary: string;
  readonly status?: 200 | 201;
  /** Path parameters other than tenantId, validated before the handler runs (`:loanId` → `{ loanId: … }`). */
  readonly params?: z.ZodObject;
}

/** POST route of a command: body schema, access class, Idempotency-Key, the outcome answered by OutcomeInterceptor. */
export function CommandRoute(options: CommandRouteOptions): MethodDecorator {
  return applyDecorators(
    Post(options.path),
    HttpCode(options.status ?? 200),
    Access(options.access),
    SetMetadata(BODY_SCHEMA, options.body),
    ...paramsValidation(options.params),
    UseInterceptors(OutcomeInterceptor),
    ApiOperation({ summary: options.summary }),
    ApiBody(openApiSchema(options.body)),
    ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Same key + same body → the same response (header idempotent-replayed: true); another body → 422; while the first is running → 409.' }),
    ...pathParamDocs(options.path, options.params),
    ...errorResponses(COMMAND_ERRORS),
  );
}

export interface QueryRouteOptions {
  readonly path?: string;
  readonly access: RouteClass;
  readonly summary: string;
  /** Query parameters, validated like bodies (`?status=bogus` is a 400 naming `status`). */
  readonly query?: z.ZodObject;
  /** Path parameters other than tenantId, validated before the handler runs. */
  readonly params?: z.ZodObject;
}

export function QueryRoute(options: QueryRouteOptions): MethodDecorator {
  const query = options.query;
  return applyDecorators(
    Get(options.path ?? ''),
    Access(options.access),
    ...(query ? [SetMetadata(QUERY_SCHEMA, query)] : []),
    ...paramsValidation(options.params),
    ApiOperation({ summary: options.summary }),
    ...pathParamDocs(options.path ?? '', options.params),
    ...(query ? Object.entries(query.shape).map(([name, schema]) => ApiQuery({ name, required: !(schema as z.ZodType).safeParse(undefined).success, schema: z.toJSONSchema(schema as z.ZodType, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown> })) : []),
    ...errorResponses(READ_ERRORS),
  );
}

/** The validated command input of a @CommandRoute handler. */
export const Command = createParamDecorator((_data: unknown, ctx: ExecutionContext): CommandInput<unknown> => {
  const request = ctx.switchToHttp().getRequest<AuthenticatedRequest & { body?: unknown; route?: { path?: string } }>();
  const schema = Reflect.getMetadata(BODY_SCHEMA, ctx.getHandler()) as z.ZodType | undefined;
  if (!schema) throw new Error('@Command() is for @CommandRoute handlers');
  const principal = request.tremplin?.principal;
  if (!principal) throw new ApiError(401, 'UNAUTHENTICATED', 'a bearer token is required');
  const params = { ...(request.params ?? {}) };
  const tenantId = params.tenantId ?? '';
  const body = parseWith(schema, request.body, 'VALIDATION_FAILED');
  const header = request.headers[IDEMPOTENCY_HEADER];
  const key = Array.isArray(header) ? header[0] : header;
  if (key !== undefined && !KEY.test(key)) {
    throw new ApiError(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1–200 characters of letters, digits, ".", "_", ":" or "-"', IDEMPOTENCY_HEADER);
  }
  // The request a key answers is the route template, its parameters and the body: reused anywhere else → 422.
  const route = `${request.method} ${request.route?.path ?? request.url} ${JSON.stringify(params)}`;
  return {
    tenantId,
    params,
    body,
    principal,
    actor: { userId: principal.userId, role: principal.role },
    commandId: commandIdOf(tenantId, key),
    ...(key ? { idempotency: { key, requestHash: requestHash(route, body) } } : {}),
  };
});

/** The validated query parameters of a @QueryRoute handler. */
export const ValidQuery = createParamDecorator((_data: unknown, ctx: ExecutionContext): unknown => {
  const schema = Reflect.getMetadata(QUERY_SCHEMA, ctx.getHandler()) as z.ZodType | undefined;
  if (!schema) throw new Error('@ValidQuery() needs a @QueryRoute with a query schema');
  return parseWith(schema, ctx.switchToHttp().getRequest<{ query?: unknown }>().query ?? {}, 'VALIDATION_FAILED');
});

/** A command's Outcome → HTTP: the stored status and body (replays marked by a header), refusals as errors. */
@Injectable()
export class OutcomeInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler<Outcome>): Observable<unknown> {
    const response = ctx.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      mergeMap((outcome) =>
        from(
          (async () => {
            if (outcome.replayed) response.setHeader(REPLAYED_HEADER, 'true');
            if (outcome.kind === 'refused') {
              const body = outcome.response.body as { code: string; message: string; field?: string };
              throw new ApiError(outcome.response.statusCode, body.code, body.message, body.field);
            }
            response.status(outcome.response.statusCode);
            return outcome.response.body;
          })(),
        ),
      ),
    );
  }
}

/** OpenAPI schema from the same zod schema that validates. */
export function openApiSchema(schema: z.ZodType): { schema: Record<string, unknown> } {
  return { schema: z.toJSONSchema(schema, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown> };
}

/**
 * Path parameters checked like bodies, after the guard (a stranger still gets 401/403/404 first) and before the
 * handler: a malformed id answers 400 VALIDATION_FAILED naming the parameter, and nothing runs.
 */
@Injectable()
export class PathParamsInterceptor implements NestInterceptor {
  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const schema = Reflect.getMetadata(PARAMS_SCHEMA, ctx.getHandler()) as z.ZodObject | undefined;
    if (schema) {
      const request = ctx.switchToHttp().getRequest<{ params?: Record<string, string> }>();
      const { tenantId, ...rest } = request.params ?? {};
      const parsed = parseWith(schema, rest, 'VALIDATION_FAILED') as Record<string, string>;
      request.params = { ...(tenantId !== undefined ? { tenantId } : {}), ...parsed };
    }
    return next.handle();
  }
}

function paramsValidation(schema: z.ZodObject | undefined): Array<ClassDecorator & MethodDecorator> {
  return schema ? [SetMetadata(PARAMS_SCHEMA, schema), UseInterceptors(PathParamsInterceptor)] : [];
}

function pathParamDocs(path: string, schema: z.ZodObject | undefined): MethodDecorator[] {
  return pathParams(path).map((name) => {
    const field = schema?.shape[name] as z.ZodType | undefined;
    return field
      ? ApiParam({ name, required: true, schema: z.toJSONSchema(field, { unrepresentable: 'any', io: 'input' }) as Record<string, unknown> })
      : ApiParam({ name, type: String, required: true });
  });
}

function pathParams(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]);
}
