-- Claims paid consume an envelope beside what granted guarantees reserve: headroom = capacity − reserved − consumed,
-- never below zero (the decider refuses what would make it so; the table says it too).
ALTER TABLE guarantee_fund.envelope ADD COLUMN consumed_cents bigint NOT NULL DEFAULT 0 CHECK (consumed_cents >= 0);
-- 0002's headroom check was left to PostgreSQL to name: found by what it says.
DO $$
DECLARE
  headroom_check text;
BEGIN
  SELECT conname INTO STRICT headroom_check FROM pg_constraint
   WHERE conrelid = 'guarantee_fund.envelope'::regclass AND contype = 'c' AND pg_get_constraintdef(oid) LIKE '%headroom_cents = %';
  EXECUTE format('ALTER TABLE guarantee_fund.envelope DROP CONSTRAINT %I', headroom_check);
END $$;
ALTER TABLE guarantee_fund.envelope ADD CONSTRAINT envelope_headroom_check CHECK (headroom_cents >= 0 AND headroom_cents = capacity_cents - reserved_cents - consumed_cents);

-- One row per loan's guarantee, folded from the guarantee streams by the guarantee.guarantees subscriber;
-- rebuildable from zero. exposure_history holds each date the exposure changed, so exposure at any date is read
-- without replaying the streams. Ids and amounts only: no personal data.
CREATE TABLE guarantee_fund.guarantee (
  tenant_id          text        NOT NULL,
  loan_id            text        NOT NULL,
  status             text        NOT NULL,
  product            text        NOT NULL,
  bank_partner_id    text        NOT NULL,
  principal_cents    bigint      NOT NULL CHECK (principal_cents > 0),
  guarantor_id       text,
  guarantor_kind     text,
  manager_id         text,
  share_bps          integer,
  guaranteed_cents   bigint      NOT NULL DEFAULT 0 CHECK (guaranteed_cents >= 0),
  exposure_cents     bigint      NOT NULL DEFAULT 0 CHECK (exposure_cents >= 0),
  refusal_reason     text,
  claim_cents        bigint,
  called_at          timestamptz,
  claim_paid_on      date,
  claim_paid_by      text,
  recovered_cents    bigint      NOT NULL DEFAULT 0 CHECK (recovered_cents >= 0),
  loss_cents         bigint,
  exposure_history   jsonb       NOT NULL DEFAULT '[]'::jsonb,
  requested_at       timestamptz NOT NULL,
  stream_version     integer     NOT NULL,
  updated_at         timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, loan_id),
  -- Recoveries never above what the guarantor paid.
  CHECK (claim_cents IS NULL OR recovered_cents <= claim_cents)
);
CREATE INDEX guarantee_by_guarantor ON guarantee_fund.guarantee (tenant_id, guarantor_id, product);
SELECT platform.enable_tenant_rls('guarantee_fund.guarantee');
GRANT SELECT, INSERT, UPDATE, DELETE ON guarantee_fund.guarantee TO tremplin_app;
