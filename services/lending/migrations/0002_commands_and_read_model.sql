-- Idempotency keys of HTTP commands and the loan_summary read model. Both are tenant data: row-level security
-- keyed by app.tenant_id (platform.enable_tenant_rls, from the tenancy migrations) keeps a missing filter
-- from leaking another CCAS's rows.

-- One row per (tenant, Idempotency-Key), written in the transaction of the command it answers, so a key is
-- recorded if and only if its effect is. The response is replayed verbatim for the same request.
CREATE TABLE lending.idempotency_keys (
  tenant_id    text        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  status_code  integer     NOT NULL,
  response     jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
SELECT platform.enable_tenant_rls('lending.idempotency_keys');
GRANT SELECT, INSERT ON lending.idempotency_keys TO tremplin_app;

-- One row per loan, folded from the loan streams by the lending.loan-summary subscriber; rebuildable from zero.
-- `state` is the folded decider state: arrears and days past due depend on the day they are read, so they
-- are computed from it when read.
CREATE TABLE lending.loan_summary (
  tenant_id                   text        NOT NULL,
  loan_id                     text        NOT NULL,
  application_id              text        NOT NULL,
  bank_partner_id             text        NOT NULL,
  product                     text        NOT NULL,
  status                      text        NOT NULL,
  amount_cents                bigint      NOT NULL,
  term_months                 integer     NOT NULL,
  outstanding_principal_cents bigint      NOT NULL,
  interest_paid_cents         bigint      NOT NULL,
  incident_warning            boolean     NOT NULL,
  next_due_date               date,
  end_date                    date,
  stream_version              integer     NOT NULL,
  last_event_at               timestamptz NOT NULL,
  state                       jsonb       NOT NULL,
  PRIMARY KEY (tenant_id, loan_id)
);
CREATE INDEX loan_summary_status ON lending.loan_summary (tenant_id, status);
SELECT platform.enable_tenant_rls('lending.loan_summary');
GRANT SELECT, INSERT, UPDATE, DELETE ON lending.loan_summary TO tremplin_app;
