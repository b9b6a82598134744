import { ArgumentsHost, Catch, HttpException, HttpStatus, Logger, type ExceptionFilter } from '@nestjs/common';
import type { Response } from 'express';

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
  return { statusCode: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'internal error' };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    if (!(exception instanceof HttpException)) this.logger.error({ err: exception }, 'unhandled error');
    response.status(body.statusCode).json(body);
  }
}
