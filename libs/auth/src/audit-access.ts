import { join } from 'node:path';
import { withTransaction, type MigrationSource, type Pool } from '@tremplin/pg';
import type { RouteClass } from './access-matrix';

export interface AuditAccess {
  readonly occurredAt: string;
  readonly tenantId?: string;
  readonly userId: string;
  readonly organisationId: string;
  readonly role: string;
  readonly routeClass: RouteClass;
  readonly method: string;
  /** Path without the query string (a search may carry personal data). */
  readonly path: string;
  readonly outcome: 'allowed' | 'denied-role' | 'denied-tenant';
  readonly correlationId: string;
}

/** Port: every request by an auditor is recorded before it is answered; a failure to record refuses the request. */
export interface AuditAccessRecorder {
  record(access: AuditAccess): Promise<void>;
}

/** Creates audit.access_log (insert and read only for the service role, tenant-scoped by RLS). Run after tenancyMigrations. */
export const authMigrations: MigrationSource = { name: 'auth', directory: join(__dirname, '..', 'migrations') };

export function postgresAuditAccessRecorder(pool: Pool): AuditAccessRecorder {
  return {
    async record(access) {
      await withTransaction(
        pool,
        (client) =>
          client.query(
            `INSERT INTO audit.access_log
               (tenant_id, occurred_at, user_id, organisation_id, role, route_class, method, path, outcome, correlation_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
            [
              access.tenantId ?? null,
              access.occurredAt,
              access.userId,
              access.organisationId,
              access.role,
              access.routeClass,
              access.method,
              access.path,
              access.outcome,
              access.correlationId,
            ],
          ),
        { tenantId: access.tenantId ?? '' },
      );
    },
  };
}
