import { join } from 'node:path';

/** Structurally a MigrationSource of @tremplin/pg (which itself depends on this lib). */
export const tenancyMigrations: { readonly name: string; readonly directory: string } = {
  name: 'tenancy',
  directory: join(__dirname, '..', 'migrations'),
};

export interface Queryable {
  query<R extends object = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<{ rows: R[] }>;
}

export interface TenantRlsProblem {
  readonly relation: string;
  readonly problem: string;
}

export interface TenantRlsReport {
  /** Every relation with a tenant_id column that was checked (schema.name). */
  readonly checked: readonly string[];
  readonly problems: readonly TenantRlsProblem[];
}

export class TenantRlsError extends Error {
  readonly code = 'TENANT_RLS_MISSING';
  constructor(readonly problems: readonly TenantRlsProblem[]) {
    super(`tenant isolation is missing: ${problems.map((p) => `${p.relation} ${p.problem}`).join('; ')}`);
  }
}

interface CatalogueRow {
  relation: string;
  kind: string;
  rls_enabled: boolean;
  rls_forced: boolean;
  has_policy: boolean;
  security_invoker: boolean;
}

const CATALOGUE_SQL = `
  SELECT format('%I.%I', n.nspname, c.relname) AS relation,
         c.relkind::text AS kind,
         c.relrowsecurity AS rls_enabled,
         c.relforcerowsecurity AS rls_forced,
         EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid) AS has_policy,
         EXISTS (SELECT 1 FROM unnest(coalesce(c.reloptions, '{}'::text[])) o
                 WHERE lower(o) IN ('security_invoker=true', 'security_invoker=on', 'security_invoker=1', 'security_invoker=yes')) AS security_invoker
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id' AND NOT a.attisdropped
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND n.nspname NOT LIKE 'pg\\_toast%'
    AND n.nspname NOT LIKE 'pg\\_temp\\_%'
  ORDER BY 1`;

/**
 * Catalogue check every service runs in its own tests: each table (partitions included) with a tenant_id column,
 * in every non-system schema, has row-level security enabled and forced with at least one policy; each view
 * with a tenant_id column runs with the caller's rights (security_invoker), so RLS of its tables applies.
 * `exempt` names relations deliberately read across tenants (e.g. the event store read by the relay).
 */
export async function checkTenantRls(client: Queryable, options: { exempt?: readonly string[] } = {}): Promise<TenantRlsReport> {
  const exempt = new Set(options.exempt ?? []);
  const rows = (await client.query<CatalogueRow>(CATALOGUE_SQL)).rows.filter((row) => !exempt.has(row.relation));
  const problems: TenantRlsProblem[] = [];
  for (const row of rows) {
    if (row.kind === 'v') {
      if (!row.security_invoker) problems.push({ relation: row.relation, problem: 'is a view without security_invoker' });
      continue;
    }
    if (row.kind === 'm' || row.kind === 'f') {
      problems.push({ relation: row.relation, problem: 'cannot carry row-level security (materialized view or foreign table)' });
      continue;
    }
    if (!row.rls_enabled) problems.push({ relation: row.relation, problem: 'has row-level security disabled' });
    if (!row.rls_forced) problems.push({ relation: row.relation, problem: 'does not force row-level security' });
    if (!row.has_policy) problems.push({ relation: row.relation, problem: 'has no policy' });
  }
  return { checked: rows.map((row) => row.relation), problems };
}

export async function assertTenantRls(client: Queryable, options: { exempt?: readonly string[] } = {}): Promise<TenantRlsReport> {
  const report = await checkTenantRls(client, options);
  if (report.problems.length) throw new TenantRlsError(report.problems);
  return report;
}

export interface ConnectionRoleReport {
  readonly role: string;
  readonly superuser: boolean;
  readonly bypassRls: boolean;
  /** Relations (outside system schemas) owned by the connected role: RLS would not apply to them unless forced. */
  readonly ownedRelations: readonly string[];
}

/** What a service is connected as: it must be neither superuser, nor BYPASSRLS, nor owner of anything. */
export async function inspectConnectionRole(client: Queryable): Promise<ConnectionRoleReport> {
  const [role] = (
    await client.query<{ role: string; superuser: boolean; bypass_rls: boolean }>(
      `SELECT rolname AS role, rolsuper AS superuser, rolbypassrls AS bypass_rls FROM pg_roles WHERE rolname = current_user`,
    )
  ).rows;
  const owned = await client.query<{ relation: string }>(
    `SELECT format('%I.%I', n.nspname, c.relname) AS relation
     FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)
       AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_%'
     ORDER BY 1`,
  );
  return { role: role.role, superuser: role.superuser, bypassRls: role.bypass_rls, ownedRelations: owned.rows.map((r) => r.relation) };
}
