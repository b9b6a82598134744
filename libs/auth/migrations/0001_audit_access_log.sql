-- Every request made by an auditor, allowed or not, recorded before it is answered.
-- Needs platform.enable_tenant_rls (tenancy migrations) to have run first.
CREATE SCHEMA IF NOT EXISTS audit;

CREATE TABLE audit.access_log (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id text,
  occurred_at timestamptz NOT NULL,
  user_id text NOT NULL,
  organisation_id text NOT NULL,
  role text NOT NULL,
  route_class text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  outcome text NOT NULL CHECK (outcome IN ('allowed', 'denied-role', 'denied-tenant')),
  correlation_id text NOT NULL
);
CREATE INDEX access_log_tenant_time ON audit.access_log (tenant_id, occurred_at);

GRANT USAGE ON SCHEMA audit TO tremplin_app;
-- Append-only for the service: no UPDATE, no DELETE.
GRANT SELECT, INSERT ON audit.access_log TO tremplin_app;

SELECT platform.enable_tenant_rls('audit.access_log');
-- Accesses outside any tenant (aggregates over several tenants) are recorded with no tenant; nobody reads them
-- through the service; operators read them with an administrative role (RLS is forced even on the owner).
CREATE POLICY access_without_tenant ON audit.access_log FOR INSERT
  WITH CHECK (tenant_id IS NULL AND nullif(current_setting('app.tenant_id', true), '') IS NULL);
