import { Client } from 'pg';
import type { IntegrationLogSource } from './integration-log';

/** One service's database as the auditor names it: `lending=postgres://…`. */
export interface AuditTarget {
  readonly service: string;
  readonly url: string;
}

export interface Auditor {
  readonly userId: string;
  readonly organisationId: string;
  readonly role: string;
  readonly tenantIds: readonly string[];
}

export interface AuditorAction {
  readonly tenantId?: string;
  /** The command and its non-personal arguments, e.g. `audit verify`. */
  readonly action: string;
  readonly outcome: 'allowed' | 'denied-role' | 'denied-tenant';
  readonly correlationId: string;
}

export class AuditUnavailableError extends Error {
  readonly code = 'AUDIT_UNAVAILABLE';
}

export interface AuditConnection {
  readonly target: AuditTarget;
  readonly client: Client;
  /** false when the database has no event store (a service that keeps no streams yet). */
  readonly hasEventStore: boolean;
  /** The connected role could change or delete events: worth saying, since an audit should not need it. */
  readonly canTamper: boolean;
  /** The log of integration events this database keeps (reporting's), when its service declares one and it exists. */
  readonly integrationLog?: IntegrationLogSource;
}

/**
 * Every transaction of the session is read-only by default; the one exception is the auditor's own access record,
 * written in its own explicit READ WRITE transaction before any data is read.
 */
export async function connectAudit(target: AuditTarget, declared: { integrationLog?: IntegrationLogSource } = {}): Promise<AuditConnection> {
  const client = new Client({ connectionString: target.url, application_name: 'tremplin-audit' });
  await client.connect();
  try {
    await client.query('SET default_transaction_read_only = on');
    const log = declared.integrationLog?.table ?? null;
    const probe = await client.query<{ es: boolean; tamper: boolean; log: boolean }>(
      `SELECT to_regclass('es.events') IS NOT NULL AS es,
              coalesce(to_regclass('es.events') IS NOT NULL AND (has_table_privilege('es.events', 'UPDATE') OR has_table_privilege('es.events', 'DELETE')), false)
              OR coalesce(to_regclass($1) IS NOT NULL AND (has_table_privilege($1, 'UPDATE') OR has_table_privilege($1, 'DELETE')), false) AS tamper,
              $1::text IS NOT NULL AND to_regclass($1) IS NOT NULL AS log`,
      [log],
    );
    const { es, tamper } = probe.rows[0];
    return { target, client, hasEventStore: es, canTamper: tamper, ...(probe.rows[0].log && declared.integrationLog ? { integrationLog: declared.integrationLog } : {}) };
  } catch (error) {
    await client.end();
    throw error;
  }
}

/** One snapshot for a whole check: REPEATABLE READ READ ONLY, so every page sees the same committed state. */
export async function inSnapshot<T>(client: Client, work: (snapshotTime: string) => Promise<T>): Promise<T> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    // While worker threads read in this snapshot, this session waits idle in its transaction, for longer than the
    // servers' idle_in_transaction_session_timeout on a big tenant. A read-only transaction has no xid, so it does not
    // hold back the global log's horizon (ADR 0002); it only delays vacuum while it lasts.
    await client.query('SET LOCAL idle_in_transaction_session_timeout = 0');
    const now = await client.query<{ t: string }>(`SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS t`);
    const result = await work(now.rows[0].t);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/**
 * Records the action in audit.access_log of the database read (the table the services write an auditor's HTTP
 * requests to; libs/auth). Fails closed: an action that cannot be recorded is not carried out.
 */
export async function recordAuditorAction(connection: AuditConnection, auditor: Auditor, action: AuditorAction): Promise<void> {
  const { client } = connection;
  try {
    await client.query('BEGIN READ WRITE');
    await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [action.tenantId ?? '']);
    await client.query(
      `INSERT INTO audit.access_log (tenant_id, occurred_at, user_id, organisation_id, role, route_class, method, path, outcome, correlation_id)
       VALUES ($1, now(), $2, $3, $4, 'audit.read', 'CLI', $5, $6, $7)`,
      [action.tenantId ?? null, auditor.userId, auditor.organisationId, auditor.role, action.action, action.outcome, action.correlationId],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw new AuditUnavailableError(`${connection.target.service}: the auditor's action could not be recorded, so it is not carried out (${(error as Error).message})`);
  }
}

export interface AccessRecord {
  readonly occurredAt: string;
  readonly tenantId: string | null;
  readonly userId: string;
  readonly organisationId: string;
  readonly role: string;
  readonly method: string;
  readonly path: string;
  readonly outcome: string;
  readonly correlationId: string;
}

/** A tenant's access log, as the auditor (or a platform admin through an administrative role) reads it. */
export async function readAccessLog(client: Client, tenantId: string, since?: string): Promise<AccessRecord[]> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(`SELECT set_config('app.tenant_id', $1, true)`, [tenantId]);
    const result = await client.query<AccessRecord>(
      `SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS "occurredAt", tenant_id AS "tenantId", user_id AS "userId",
              organisation_id AS "organisationId", role, method, path, outcome, correlation_id AS "correlationId"
         FROM audit.access_log WHERE tenant_id = $1 AND ($2::timestamptz IS NULL OR occurred_at >= $2::timestamptz)
         ORDER BY occurred_at, id`,
      [tenantId, since ?? null],
    );
    await client.query('COMMIT');
    return result.rows;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
