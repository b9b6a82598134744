import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';
import { httpStatusOf, IdempotencyError } from '@tremplin/commands';
import { DomainError, VersionConflictError } from '@tremplin/event-sourcing';
import { isPoolWaitTimeout, PoolBusyError } from '@tremplin/pg';

export interface FieldError {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** The one error body of the platform: a stable code a client can switch on, and the field at fault. */
export interface ErrorBody {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  readonly field?: string;
  readonly errors?: readonly FieldError[];
}

export class ApiError extends HttpException {
  constructor(status: number, code: string, message: string, field?: string, errors?: readonly FieldError[]) {
    const body: ErrorBody = { statusCode: status, code, message, ...(field ? { field } : {}), ...(errors?.length ? { errors } : {}) };
    super(body, status);
  }
}

const DEFAULT_CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE',
  429: 'TOO_MANY_REQUESTS',
};

/** Seconds a client should wait before retrying a 503. */
export const RETRY_AFTER_SECONDS = 1;

// body-parser's error types (it reads the body before any route runs): a client's mistake, never a 500.
const UNREADABLE_BODY: Record<string, { status: number; code: string; message: string; field?: string }> = {
  'entity.too.large': { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'the request body is over the size limit' },
  'entity.parse.failed': { status: 400, code: 'MALFORMED_JSON', message: 'the request body is not valid JSON', field: '(body)' },
  'encoding.unsupported': { status: 400, code: 'BODY_UNREADABLE', message: 'the Content-Encoding of the body is not supported', field: 'Content-Encoding' },
  'charset.unsupported': { status: 400, code: 'BODY_UNREADABLE', message: 'the charset of the body is not supported', field: 'Content-Type' },
  'request.size.invalid': { status: 400, code: 'BODY_UNREADABLE', message: 'the body does not match its Content-Length', field: 'Content-Length' },
  'request.aborted': { status: 400, code: 'BODY_UNREADABLE', message: 'the request was aborted while its body was read' },
  'entity.verify.failed': { status: 400, code: 'BODY_UNREADABLE', message: 'the request body could not be read' },
  'stream.encoding.set': { status: 400, code: 'BODY_UNREADABLE', message: 'the request body could not be read' },
};

/**
 * A failure to read the request body (body-parser's http-errors: too large, bad encoding, corrupt gzip, invalid
 * JSON) as the platform's error, without the parser's message, which may quote the body.
 */
export function bodyErrorOf(error: unknown): ApiError | undefined {
  const { type, status, expose } = (error ?? {}) as { type?: string; status?: number; expose?: boolean };
  const known = UNREADABLE_BODY[type ?? ''];
  if (known) return new ApiError(known.status, known.code, known.message, known.field);
  if (expose && typeof status === 'number' && status >= 400 && status < 500) {
    return status === 413 ? new ApiError(413, 'PAYLOAD_TOO_LARGE', 'the request body is over the size limit') : new ApiError(400, 'BODY_UNREADABLE', 'the request body could not be read');
  }
  return undefined;
}

export function toErrorBody(exception: unknown): ErrorBody {
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    const response = exception.getResponse();
    if (typeof response === 'object' && response !== null && 'code' in response) {
      return { ...(response as ErrorBody), statusCode: status };
    }
    const message = typeof response === 'string' ? response : String((response as { message?: unknown }).message ?? exception.message);
    return { statusCode: status, code: DEFAULT_CODES[status] ?? `HTTP_${status}`, message };
  }
  if (exception instanceof DomainError) {
    const status = httpStatusOf(exception.kind);
    return { statusCode: status, code: exception.code, message: exception.message, ...(exception.field ? { field: exception.field } : {}) };
  }
  if (exception instanceof IdempotencyError) {
    return { statusCode: exception.code === 'IDEMPOTENCY_IN_PROGRESS' ? 409 : 422, code: exception.code, message: exception.message, field: 'idempotency-key' };
  }
  if (exception instanceof VersionConflictError) {
    return { statusCode: 409, code: 'VERSION_CONFLICT', message: 'the resource changed while this request was handled; retry' };
  }
  if (exception instanceof PoolBusyError || isPoolWaitTimeout(exception) || (exception as { code?: string })?.code === '55P03') {
    return { statusCode: 503, code: 'DATABASE_BUSY', message: 'the service is saturated; retry shortly' };
  }
  const bodyError = bodyErrorOf(exception);
  if (bodyError) return toErrorBody(bodyError);
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal error' };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    // Only the unexpected is logged as an error (with its stack); a client's mistake or a saturated pool is not.
    if (body.statusCode >= 500 && body.code === 'INTERNAL_ERROR') this.logger.error({ err: exception }, 'unhandled error');
    else if (body.statusCode === 503) this.logger.warn({ code: body.code }, body.message);
    if (body.statusCode === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.statusCode).json(body);
  }
}
