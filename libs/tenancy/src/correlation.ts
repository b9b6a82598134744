import { randomUUID } from 'node:crypto';

// Ids arrive from outside (HTTP headers, Kafka headers): accept only what is safe to log and to store.
const SAFE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function newCorrelationId(): string {
  return randomUUID();
}

export function isSafeId(value: unknown): value is string {
  return typeof value === 'string' && SAFE_ID.test(value);
}

/** The caller's correlation id when it is well formed, a fresh one otherwise. */
export function correlationIdFrom(value: unknown): string {
  return isSafeId(value) ? value : newCorrelationId();
}
