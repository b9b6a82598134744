import { HttpException } from '@nestjs/common';

export type AuthErrorCode =
  | 'UNAUTHENTICATED'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_INVALID'
  | 'FORBIDDEN_ROLE'
  | 'ACCESS_NOT_DECLARED'
  | 'NOT_FOUND'
  | 'TENANT_REQUIRED'
  | 'TENANT_MISMATCH'
  | 'AUTH_UNAVAILABLE'
  | 'AUDIT_UNAVAILABLE';

const STATUS: Record<AuthErrorCode, number> = {
  UNAUTHENTICATED: 401,
  TOKEN_EXPIRED: 401,
  TOKEN_INVALID: 401,
  FORBIDDEN_ROLE: 403,
  ACCESS_NOT_DECLARED: 403,
  NOT_FOUND: 404,
  TENANT_REQUIRED: 400,
  TENANT_MISMATCH: 400,
  AUTH_UNAVAILABLE: 503,
  AUDIT_UNAVAILABLE: 503,
};

/** Framework-free failure of authentication or authorisation; the guard turns it into the platform's error body. */
export class AuthError extends Error {
  readonly status: number;
  constructor(
    readonly code: AuthErrorCode,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.status = STATUS[code];
  }
}

/** The platform's HTTP error body: { statusCode, code, message, field? } (service-kit's ApiError renders the same). */
export function toHttpException(error: AuthError): HttpException {
  return new HttpException(
    { statusCode: error.status, code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
    error.status,
  );
}
