-- The people of a CCAS as the retention job needs them: ids and dates only (never a name), folded from the
-- beneficiary streams by the intake.person-list subscriber; rebuildable. Row-level security keyed by app.tenant_id.
CREATE TABLE intake.person_list (
  tenant_id        text        NOT NULL,
  beneficiary_id   text        NOT NULL,
  registered_at    timestamptz NOT NULL,
  last_activity_at timestamptz NOT NULL,
  erased_at        timestamptz,
  erasure_reason   text,
  stream_version   integer     NOT NULL,
  PRIMARY KEY (tenant_id, beneficiary_id)
);
SELECT platform.enable_tenant_rls('intake.person_list');
GRANT SELECT, INSERT, UPDATE, DELETE ON intake.person_list TO tremplin_app;
