-- Interest refunds: one row per loan known to the refund streams, folded by accompaniment.refund-list; the CCAS's
-- refund policy (its versions and yearly optional-aid budgets) folded by accompaniment.refund-policy. Rebuildable
-- from zero. No personal data: the bank details stay sealed in the events (only whether they were given shows).
CREATE TABLE accompaniment.refund_list (
  tenant_id               text        NOT NULL,
  loan_id                 text        NOT NULL,
  status                  text        NOT NULL CHECK (status IN ('following', 'notOwed', 'owed', 'proposed', 'declined', 'approved', 'paid')),
  interest_noted_cents    bigint      NOT NULL CHECK (interest_noted_cents >= 0),
  late_instalments        integer     NOT NULL CHECK (late_instalments >= 0),
  reschedulings           integer     NOT NULL CHECK (reschedulings >= 0),
  amount_cents            bigint      CHECK (amount_cents > 0),
  not_owed_reason         text,
  policy_version          integer,
  rule                    text,
  late                    boolean,
  repaid_at               timestamptz,
  bank_details_recorded   boolean     NOT NULL DEFAULT false,
  proposed_by             text,
  proposed_at             timestamptz,
  decided_by              text,
  decided_at              timestamptz,
  decision_reference      text,
  decline_reason          text,
  paid_on                 date,
  payment_reference       text,
  stream_version          integer     NOT NULL,
  updated_at              timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, loan_id)
);
CREATE INDEX refund_list_by_status ON accompaniment.refund_list (tenant_id, status);
SELECT platform.enable_tenant_rls('accompaniment.refund_list');
GRANT SELECT, INSERT, UPDATE, DELETE ON accompaniment.refund_list TO tremplin_app;

CREATE TABLE accompaniment.refund_policy (
  tenant_id       text        NOT NULL PRIMARY KEY,
  versions        jsonb       NOT NULL,
  budgets         jsonb       NOT NULL,
  stream_version  integer     NOT NULL,
  updated_at      timestamptz NOT NULL
);
SELECT platform.enable_tenant_rls('accompaniment.refund_policy');
GRANT SELECT, INSERT, UPDATE, DELETE ON accompaniment.refund_policy TO tremplin_app;
