-- Key hierarchy for crypto-shredding: master key (configuration, never stored here) wraps one key per tenant,
-- which wraps one data key per person. Erasing a person deletes their data key: every field encrypted with it
-- becomes unreadable, while the events (ciphertext) and their hash chain stay untouched.
-- Needs platform.enable_tenant_rls (tenancy migrations) to have run first.
CREATE SCHEMA IF NOT EXISTS privacy;

CREATE TABLE privacy.tenant_keys (
  tenant_id text PRIMARY KEY,
  key_id uuid NOT NULL UNIQUE,
  -- Which master key wrapped it: a wrong PRIVACY_MASTER_KEY is reported as such, not as corrupt data.
  master_key_fingerprint text NOT NULL,
  wrapped_key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE privacy.person_keys (
  key_id uuid PRIMARY KEY,
  tenant_id text NOT NULL,
  person_id text NOT NULL,
  tenant_key_id uuid NOT NULL,
  wrapped_key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, person_id)
);

-- The erasure as a fact: ids and time only, no personal data. Also stops a key being re-created for the person.
CREATE TABLE privacy.erasures (
  tenant_id text NOT NULL,
  person_id text NOT NULL,
  key_id uuid,
  erased_at timestamptz NOT NULL DEFAULT now(),
  erased_by text,
  correlation_id text,
  PRIMARY KEY (tenant_id, person_id)
);

GRANT USAGE ON SCHEMA privacy TO tremplin_app;
GRANT SELECT, INSERT ON privacy.tenant_keys TO tremplin_app;
GRANT SELECT, INSERT, DELETE ON privacy.person_keys TO tremplin_app;
GRANT SELECT, INSERT ON privacy.erasures TO tremplin_app;

SELECT platform.enable_tenant_rls('privacy.tenant_keys');
SELECT platform.enable_tenant_rls('privacy.person_keys');
SELECT platform.enable_tenant_rls('privacy.erasures');
