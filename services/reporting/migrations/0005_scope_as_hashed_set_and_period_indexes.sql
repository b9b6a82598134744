-- Figures of a year for the Caisse des Dépôts (300 CCAS) took seconds: every row was compared with each tenant of
-- the scope in turn (an array membership test is linear), and the loans of all ten years were scanned for one.
-- `IN (SELECT unnest(…))` is planned as a hashed sub-plan, evaluated once per statement; the date indexes let a
-- period read only its own loans and files.
CREATE OR REPLACE FUNCTION reporting.enable_scope_rls(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  scope_expr text := $e$(tenant_id = (SELECT nullif(current_setting('app.tenant_id', true), ''))
    OR tenant_id IN (SELECT unnest(string_to_array(nullif(current_setting('app.tenant_ids', true), ''), ','))))$e$;
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

CREATE INDEX loan_fact_approved ON reporting.loan_fact (approved_at);
CREATE INDEX loan_fact_refused ON reporting.loan_fact (refused_at);
CREATE INDEX loan_fact_disbursed_at ON reporting.loan_fact (disbursed_at);
CREATE INDEX application_fact_transmitted ON reporting.application_fact (transmitted_at);
CREATE INDEX loan_activity_day ON reporting.loan_activity (occurred_on);
