-- The scope policy parsed app.tenant_ids for every row it checked: with a Caisse des Dépôts scope of 300 CCAS
-- a year's figures spent most of their time there. A scalar sub-select is evaluated once per statement (an
-- InitPlan), so the list is read once and the row check is a plain array membership test.
CREATE OR REPLACE FUNCTION reporting.enable_scope_rls(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  scope_expr text := $e$(tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), ''))
    OR tenant_id = ANY ((SELECT string_to_array(nullif(current_setting('app.tenant_ids', true), ''), ','))::text[]))$e$;
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('DROP POLICY IF EXISTS tenant_scope ON %s', target);
  EXECUTE format('CREATE POLICY tenant_scope ON %s FOR ALL USING %s WITH CHECK %s', target, scope_expr, scope_expr);
END
$fn$;

SELECT reporting.enable_scope_rls('reporting.consumed_event');
SELECT reporting.enable_scope_rls('reporting.application_fact');
SELECT reporting.enable_scope_rls('reporting.loan_fact');
SELECT reporting.enable_scope_rls('reporting.loan_activity');
SELECT reporting.enable_scope_rls('reporting.envelope_fact');
