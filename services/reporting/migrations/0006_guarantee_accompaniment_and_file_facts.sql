-- Figures whose contracts now exist: the guarantee fund's side of each loan (exposure, claim, the fund's recoveries,
-- loss) and interest refunds as loan columns; a file's opening and commission (the start of the processing time),
-- each escalation with its first CCAS contact, and each end-of-loan evaluation as their own facts. Codes, cents and
-- instants only. The log already holds these contracts: a rebuild gives their history.
ALTER TABLE reporting.loan_fact
  ADD COLUMN guaranteed_cents           bigint NOT NULL DEFAULT 0,
  ADD COLUMN guarantee_exposure_cents   bigint NOT NULL DEFAULT 0,
  ADD COLUMN guarantee_claim_cents      bigint NOT NULL DEFAULT 0,
  ADD COLUMN guarantee_claim_paid_cents bigint NOT NULL DEFAULT 0,
  ADD COLUMN guarantor_recovered_cents  bigint NOT NULL DEFAULT 0,
  ADD COLUMN guarantee_loss_cents       bigint NOT NULL DEFAULT 0,
  ADD COLUMN interest_refunded_cents    bigint NOT NULL DEFAULT 0;

CREATE TABLE reporting.file_fact (
  tenant_id              text NOT NULL,
  application_id         text NOT NULL,
  opened_at              timestamptz,
  commission_decided_at  timestamptz,
  commission_decision    text,
  PRIMARY KEY (tenant_id, application_id)
);

CREATE TABLE reporting.escalation_fact (
  tenant_id              text NOT NULL,
  escalation_id          text NOT NULL,
  loan_id                text NOT NULL,
  trigger                text NOT NULL,
  opened_at              timestamptz,
  missed_due_date        date,
  deadline_date          date,
  deadline_working_days  int,
  contacted_at           timestamptz,
  delay_minutes          bigint,
  delay_working_days     int,
  late                   boolean,
  closed_at              timestamptz,
  outcome                text,
  PRIMARY KEY (tenant_id, escalation_id)
);
CREATE INDEX escalation_fact_opened ON reporting.escalation_fact (opened_at);

CREATE TABLE reporting.evaluation_fact (
  tenant_id        text NOT NULL,
  loan_id          text NOT NULL,
  held_on          date NOT NULL,
  employment       text NOT NULL,
  mobility         text NOT NULL,
  housing          text NOT NULL,
  health           text NOT NULL,
  budget           text NOT NULL,
  social_ties      text NOT NULL,
  satisfaction     text NOT NULL,
  without_support  text NOT NULL,
  new_project      boolean NOT NULL,
  recorded_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, loan_id)
);
CREATE INDEX evaluation_fact_held ON reporting.evaluation_fact (held_on);

SELECT reporting.enable_scope_rls('reporting.file_fact');
SELECT reporting.enable_scope_rls('reporting.escalation_fact');
SELECT reporting.enable_scope_rls('reporting.evaluation_fact');

GRANT SELECT, INSERT, UPDATE, DELETE ON reporting.file_fact, reporting.escalation_fact, reporting.evaluation_fact TO tremplin_app;
