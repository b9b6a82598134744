-- The social worker's list of files: one row per file (dossier) of a CCAS, folded from the application streams by
-- the intake.file-list subscriber; rebuildable from zero. Ids, codes and figures only: names, projects and notes stay
-- sealed in the events, so erasing a person needs nothing here. Row-level security keyed by app.tenant_id.
CREATE TABLE intake.file_list (
  tenant_id                       text        NOT NULL,
  application_id                  text        NOT NULL,
  beneficiary_id                  text        NOT NULL,
  product                         text        NOT NULL,
  purpose_category                text        NOT NULL,
  requested_amount_cents          bigint      NOT NULL CHECK (requested_amount_cents > 0),
  requested_term_months           integer     NOT NULL,
  status                          text        NOT NULL,
  opened_by                       text        NOT NULL,
  appointments_held               integer     NOT NULL DEFAULT 0,
  reste_a_vivre_after_per_unit_cents bigint,
  reste_a_vivre_below_minimum     boolean,
  accompaniment_level             text,
  commission_decision             text,
  outcome                         text,
  reason_code                     text,
  reason_category                 text,
  loan_id                         text,
  opened_at                       timestamptz NOT NULL,
  closed_at                       timestamptz,
  stream_version                  integer     NOT NULL,
  updated_at                      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, application_id)
);
CREATE INDEX file_list_beneficiary ON intake.file_list (tenant_id, beneficiary_id);
SELECT platform.enable_tenant_rls('intake.file_list');
GRANT SELECT, INSERT, UPDATE, DELETE ON intake.file_list TO tremplin_app;
