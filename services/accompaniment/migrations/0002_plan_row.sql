-- One row per loan's accompaniment plan, folded from the plan streams by accompaniment.plan-rows; rebuildable from
-- zero. The open escalation and the check-ins still due are JSON (ids, codes, dates): the referent's worklist reads
-- them in one query. No personal data: notes stay encrypted in the events.
CREATE TABLE accompaniment.plan_row (
  tenant_id           text        NOT NULL,
  loan_id             text        NOT NULL,
  product             text        NOT NULL,
  intensity           text        NOT NULL,
  referent_id         text,
  escalation          jsonb,
  pending_check_ins   jsonb       NOT NULL DEFAULT '[]'::jsonb,
  escalations_closed  integer     NOT NULL DEFAULT 0 CHECK (escalations_closed >= 0),
  last_contact_at     timestamptz,
  stream_version      integer     NOT NULL,
  updated_at          timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, loan_id)
);
CREATE INDEX plan_row_by_referent ON accompaniment.plan_row (tenant_id, referent_id);
SELECT platform.enable_tenant_rls('accompaniment.plan_row');
GRANT SELECT, INSERT, UPDATE, DELETE ON accompaniment.plan_row TO tremplin_app;
