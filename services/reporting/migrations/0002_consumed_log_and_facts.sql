-- Reporting keeps every contract it consumes (the log, replayable without the other services) and per-loan,
-- per-application and per-envelope facts folded from it. Pseudonymous ids and business facts only.
--
-- Row-level security: a reporting read spans the tenants of the viewer's scope (a federation, the Caisse des
-- Dépôts), so the policy admits the tenants listed in app.tenant_ids as well as the single app.tenant_id the
-- inbox consumer sets per message. Both are transaction-local; '' means none.
CREATE OR REPLACE FUNCTION reporting.enable_scope_rls(target regclass) RETURNS void
LANGUAGE plpgsql AS $fn$
DECLARE
  scope_expr text := $e$(tenant_id = nullif(current_setting('app.tenant_id', true), '')
    OR tenant_id = ANY (string_to_array(nullif(current_setting('app.tenant_ids', true), ''), ',')))$e$;
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', target);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', target);
  EXECUTE format('DROP POLICY IF EXISTS tenant_scope ON %s', target);
  EXECUTE format('CREATE POLICY tenant_scope ON %s FOR ALL USING %s WITH CHECK %s', target, scope_expr, scope_expr);
END
$fn$;
REVOKE ALL ON FUNCTION reporting.enable_scope_rls(regclass) FROM PUBLIC;

-- Every contract consumed, in the order this service committed it. One loan's messages share a Kafka
-- partition and are handled one after the other, so replaying by seq folds each loan in its original order.
CREATE TABLE reporting.consumed_event (
  seq          bigserial PRIMARY KEY,
  message_id   uuid NOT NULL UNIQUE,
  tenant_id    text NOT NULL,
  name         text NOT NULL,
  occurred_at  timestamptz NOT NULL,
  payload      jsonb NOT NULL
);
CREATE INDEX consumed_event_tenant ON reporting.consumed_event (tenant_id, seq);

-- The tenants seen (ids only): a rebuild reads the log across all of them.
CREATE TABLE reporting.known_tenant (
  tenant_id text PRIMARY KEY
);

CREATE TABLE reporting.application_fact (
  tenant_id              text NOT NULL,
  application_id         text NOT NULL,
  product                text NOT NULL,
  purpose_category       text NOT NULL,
  requested_cents        bigint NOT NULL,
  requested_term_months  int NOT NULL,
  transmitted_at         timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, application_id)
);

CREATE TABLE reporting.loan_fact (
  tenant_id                   text NOT NULL,
  loan_id                     text NOT NULL,
  application_id              text,
  product                     text,
  purpose_category            text,
  status                      text NOT NULL,
  received_at                 timestamptz,
  requested_cents             bigint,
  approved_at                 timestamptz,
  approved_cents              bigint,
  term_months                 int,
  refused_at                  timestamptz,
  refusal_category            text,
  disbursed_at                timestamptz,
  disbursed_cents             bigint,
  outstanding_cents           bigint NOT NULL DEFAULT 0,
  missed_instalments          int NOT NULL DEFAULT 0,
  incident_warnings           int NOT NULL DEFAULT 0,
  reschedulings               int NOT NULL DEFAULT 0,
  defaulted_at                timestamptz,
  defaulted_outstanding_cents bigint,
  recovered_cents             bigint NOT NULL DEFAULT 0,
  repaid_at                   timestamptz,
  written_off_cents           bigint NOT NULL DEFAULT 0,
  updated_at                  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, loan_id)
);
CREATE INDEX loan_fact_disbursed ON reporting.loan_fact (tenant_id, disbursed_at);

-- One row per dated fact about a loan that figures count by period (missed instalment, warning, rescheduling,
-- default, recovery, …): keyed by the message so a replay writes the same rows.
CREATE TABLE reporting.loan_activity (
  message_id   uuid PRIMARY KEY,
  tenant_id    text NOT NULL,
  loan_id      text NOT NULL,
  product      text,
  kind         text NOT NULL,
  occurred_on  date NOT NULL,
  cents        bigint NOT NULL DEFAULT 0
);
CREATE INDEX loan_activity_tenant_day ON reporting.loan_activity (tenant_id, occurred_on);

CREATE TABLE reporting.envelope_fact (
  tenant_id        text NOT NULL,
  guarantor_id     text NOT NULL,
  capacity_cents   bigint NOT NULL,
  reserved_cents   bigint NOT NULL,
  headroom_cents   bigint NOT NULL,
  decision_date    date NOT NULL,
  voted_at         timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, guarantor_id)
);

SELECT reporting.enable_scope_rls('reporting.consumed_event');
SELECT reporting.enable_scope_rls('reporting.application_fact');
SELECT reporting.enable_scope_rls('reporting.loan_fact');
SELECT reporting.enable_scope_rls('reporting.loan_activity');
SELECT reporting.enable_scope_rls('reporting.envelope_fact');

GRANT SELECT, INSERT, UPDATE, DELETE ON reporting.consumed_event, reporting.known_tenant, reporting.application_fact,
  reporting.loan_fact, reporting.loan_activity, reporting.envelope_fact TO tremplin_app;
GRANT USAGE ON SEQUENCE reporting.consumed_event_seq_seq TO tremplin_app;
