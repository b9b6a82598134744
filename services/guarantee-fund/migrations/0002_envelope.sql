-- The envelope read model: one row per guarantor's envelope in a CCAS, folded from the envelope streams by the
-- guarantee.envelope-headroom subscriber; rebuildable from zero. Tenant data: row-level security keyed by
-- app.tenant_id (platform.enable_tenant_rls, from the tenancy migrations) keeps a missing filter from leaking
-- another CCAS's envelopes.
CREATE TABLE guarantee_fund.envelope (
  tenant_id               text        NOT NULL,
  guarantor_id            text        NOT NULL,
  capacity_cents          bigint      NOT NULL CHECK (capacity_cents > 0),
  reserved_cents          bigint      NOT NULL CHECK (reserved_cents >= 0),
  -- Headroom can never go below zero: the decider refuses what would make it so, the table says it too.
  headroom_cents          bigint      NOT NULL CHECK (headroom_cents >= 0 AND headroom_cents = capacity_cents - reserved_cents),
  last_decision_reference text        NOT NULL,
  last_decision_date      date        NOT NULL,
  stream_version          integer     NOT NULL,
  updated_at              timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, guarantor_id)
);
SELECT platform.enable_tenant_rls('guarantee_fund.envelope');
GRANT SELECT, INSERT, UPDATE, DELETE ON guarantee_fund.envelope TO tremplin_app;
