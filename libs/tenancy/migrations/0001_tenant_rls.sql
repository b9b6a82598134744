-- Row-level security for read-model tables keyed by tenant. Services call this from their own migrations:
--   SELECT platform.enable_tenant_rls('lending.loan_summary');
-- FORCE makes the policy apply to the table owner too; the service role owns nothing and has no BYPASSRLS.
-- app.tenant_id is set transaction-locally by @tremplin/pg withTransaction; once a local setting ends,
-- current_setting(..., true) returns '' rather than NULL, so '' must mean "no tenant" (NULL never matches).
CREATE SCHEMA IF NOT EXISTS platform;

CREATE OR REPLACE FUNCTION platform.enable_tenant_rls(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  column_type text;
  tenant_expr text;
BEGIN
  SELECT format_type(a.atttypid, a.atttypmod) INTO column_type
  FROM pg_attribute a
  WHERE a.attrelid = target AND a.attname = 'tenant_id' AND NOT a.attisdropped;
  IF column_type IS NULL THEN
    RAISE EXCEPTION 'table % has no tenant_id column', target;
  END IF;
  -- Cast the setting to the column's type so an index on tenant_id stays usable.
  tenant_expr := format($e$nullif(current_setting('app.tenant_id', true), '')::%s$e$, column_type);
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %s', target);
  EXECUTE format('CREATE POLICY tenant_isolation ON %s FOR ALL USING (tenant_id = %s) WITH CHECK (tenant_id = %s)',
                 target, tenant_expr, tenant_expr);
END
$fn$;

REVOKE ALL ON FUNCTION platform.enable_tenant_rls(regclass) FROM PUBLIC;
