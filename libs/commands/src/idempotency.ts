import { createHash, randomUUID } from 'node:crypto';
import { canonicalJson, deterministicEventId, DomainError, type DomainErrorKind } from '@tremplin/event-sourcing';
import type { PoolClient } from '@tremplin/pg';

export interface StoredResponse {
  readonly statusCode: number;
  readonly body: Record<string, unknown>;
}

export interface Idempotency {
  readonly key: string;
  /** sha256 of the route and the validated body: the same key with another request is refused. */
  readonly requestHash: string;
}

export class IdempotencyError extends Error {
  constructor(
    readonly code: 'IDEMPOTENCY_KEY_REUSED' | 'IDEMPOTENCY_IN_PROGRESS',
    message: string,
  ) {
    super(message);
    this.name = 'IdempotencyError';
  }
}

export function requestHash(route: string, body: unknown): string {
  // Through JSON first: absent optional fields (undefined) and present-but-undefined ones hash the same.
  return createHash('sha256').update(`${route}\n${canonicalJson(JSON.parse(JSON.stringify(body ?? null)))}`).digest('hex');
}

/** Same key within a tenant → same command id → same event ids. */
export function commandIdOf(tenantId: string, idempotencyKey: string | undefined): string {
  return idempotencyKey ? deterministicEventId(`${tenantId}\u001f${idempotencyKey}`, 0) : randomUUID();
}

export type StoredAnswer = { readonly outcome: 'done'; readonly response: StoredResponse } | { readonly outcome: 'refused'; readonly error: DomainError; readonly response: StoredResponse };

/** Returns the stored answer of a key already used, or claims the key for this transaction. */
export async function claimKey(tx: PoolClient, tenantId: string, idempotency: Idempotency): Promise<StoredAnswer | undefined> {
  // A try-lock, not a wait: a duplicate sent while the first is still running is told so at once.
  const lock = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtextextended($1, 11)) AS ok`, [`${tenantId}\u001f${idempotency.key}`]);
  if (!lock.rows[0].ok) throw new IdempotencyError('IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still being processed; retry later');
  const stored = await tx.query<{ request_hash: string; outcome: 'done' | DomainErrorKind; status_code: number; response: Record<string, unknown> }>(
    'SELECT request_hash, outcome, status_code, response FROM commands.idempotency_keys WHERE tenant_id = $1 AND key = $2',
    [tenantId, idempotency.key],
  );
  const row = stored.rows[0];
  if (!row) return undefined;
  if (row.request_hash !== idempotency.requestHash) throw new IdempotencyError('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for a different request');
  const response = { statusCode: row.status_code, body: row.response };
  if (row.outcome === 'done') return { outcome: 'done', response };
  const body = row.response as { code: string; message: string; field?: string };
  return { outcome: 'refused', error: new DomainError(row.outcome, body.code, body.message, body.field), response };
}

export async function saveKey(tx: PoolClient, tenantId: string, idempotency: Idempotency, outcome: 'done' | DomainErrorKind, response: StoredResponse): Promise<void> {
  await tx.query('INSERT INTO commands.idempotency_keys (tenant_id, key, request_hash, outcome, status_code, response) VALUES ($1, $2, $3, $4, $5, $6)', [
    tenantId,
    idempotency.key,
    idempotency.requestHash,
    outcome,
    response.statusCode,
    JSON.stringify(response.body),
  ]);
}
