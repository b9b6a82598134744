-- A rebuild's fresh tables (ADR 0011) now keep the live tables' storage options (CREATE TABLE … LIKE copies none), so
-- an option such as a fillfactor survives a rebuild; and once swapped in they are analyzed in the rebuild's
-- transaction, so queries right after a rebuild are planned with column statistics rather than without any until
-- autovacuum comes by.
CREATE OR REPLACE FUNCTION reporting.rebuild_tables_begin() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
DECLARE
  t text;
  options text[];
BEGIN
  FOREACH t IN ARRAY ARRAY['application_fact', 'loan_fact', 'loan_activity', 'envelope_fact', 'file_fact', 'escalation_fact', 'evaluation_fact'] LOOP
    EXECUTE format('DROP TABLE IF EXISTS reporting.%I', t || '_rebuilt');
    EXECUTE format('CREATE TABLE reporting.%I (LIKE reporting.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', t || '_rebuilt', t);
    SELECT reloptions INTO options FROM pg_class WHERE oid = format('reporting.%I', t)::regclass;
    IF options IS NOT NULL THEN
      EXECUTE format('ALTER TABLE reporting.%I SET (%s)', t || '_rebuilt', array_to_string(options, ', '));
    END IF;
    PERFORM reporting.enable_scope_rls(format('reporting.%I', t || '_rebuilt')::regclass);
    EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON reporting.%I TO tremplin_app', t || '_rebuilt');
  END LOOP;
END
$fn$;

-- The service role owns nothing and may not analyze the tables: this runs as the owner, on the seven fact tables only.
CREATE OR REPLACE FUNCTION reporting.rebuild_tables_analyze() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['application_fact', 'loan_fact', 'loan_activity', 'envelope_fact', 'file_fact', 'escalation_fact', 'evaluation_fact'] LOOP
    EXECUTE format('ANALYZE reporting.%I', t);
  END LOOP;
END
$fn$;

REVOKE ALL ON FUNCTION reporting.rebuild_tables_begin(), reporting.rebuild_tables_analyze() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reporting.rebuild_tables_begin(), reporting.rebuild_tables_analyze() TO tremplin_app;

-- A loan's fact is rewritten by most messages about it (a payment, a missed instalment…), which change none of its
-- indexed columns: with room left on its page the new version stays there and no index gets a new entry (a HOT
-- update). Packed full, every such update added an entry to each of the table's six indexes.
ALTER TABLE reporting.loan_fact SET (fillfactor = 80);
