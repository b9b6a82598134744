import { z } from 'zod';
import type { Response } from 'express';
import type { Principal } from '@tremplin/tenancy';
import { ApiError } from '@tremplin/service-kit';
import { commandIdOf, IdempotencyError, requestHash, type Idempotency, type Outcome } from './command-execution';
import type { Actor } from './actor';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
const KEY = /^[A-Za-z0-9._:-]{1,200}$/;

export interface CommandRequest {
  readonly commandId: string;
  readonly actor: Actor;
  readonly idempotency?: Idempotency;
}

/**
 * The command id and idempotency of one HTTP command. A key is unique within the tenant: the request it
 * answers is the route (loan included) and the body, so reusing it anywhere else is refused.
 */
export function commandRequest(tenantId: string, route: string, body: unknown, principal: Principal | undefined, key: string | undefined): CommandRequest {
  if (!principal) throw new ApiError(401, 'UNAUTHENTICATED', 'a bearer token is required');
  if (key !== undefined && !KEY.test(key)) {
    throw new ApiError(400, 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1–200 characters of letters, digits, ".", "_", ":" or "-"', IDEMPOTENCY_HEADER);
  }
  return {
    commandId: commandIdOf(tenantId, key),
    actor: { userId: principal.userId, role: principal.role },
    ...(key ? { idempotency: { key, requestHash: requestHash(route, body) } } : {}),
  };
}

/** Outcome → HTTP: the stored status and body (replayed verbatim), refusals as the platform's error body. */
export async function answer(res: Response, run: () => Promise<Outcome>): Promise<Record<string, unknown>> {
  let outcome: Outcome;
  try {
    outcome = await run();
  } catch (error) {
    if (error instanceof IdempotencyError) throw new ApiError(error.code === 'IDEMPOTENCY_IN_PROGRESS' ? 409 : 422, error.code, error.message, IDEMPOTENCY_HEADER);
    throw error;
  }
  if (outcome.kind === 'refused') {
    const body = outcome.response.body as { code: string; message: string; field?: string };
    throw new ApiError(outcome.response.statusCode, body.code, body.message, body.field);
  }
  if (outcome.replayed) res.setHeader('idempotent-replayed', 'true');
  res.status(outcome.response.statusCode);
  return outcome.response.body;
}

/** `?asOf=` as a date (end of that day, UTC) or an instant; the figures are computed on that day. */
export function parseAsOf(asOf: string | undefined, field: string): { instant?: string; day?: string } {
  if (asOf === undefined || asOf === '') return {};
  if (/^\d{4}-\d{2}-\d{2}$/.test(asOf) && z.iso.date().safeParse(asOf).success) return { instant: `${asOf}T23:59:59.999Z`, day: asOf };
  const parsed = z.iso.datetime({ offset: true }).safeParse(asOf);
  if (!parsed.success) throw new ApiError(400, 'VALIDATION_FAILED', `${field} must be a date (YYYY-MM-DD) or an ISO instant`, field);
  const instant = new Date(asOf).toISOString();
  return { instant, day: instant.slice(0, 10) };
}

/** OpenAPI body documentation from the same zod schema that validates it. */
export function openApiBody(schema: z.ZodType): { schema: Record<string, unknown> } {
  return { schema: z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown> };
}
