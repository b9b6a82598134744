-- The stored answers of commands sent with an Idempotency-Key, one table per service database (this lib's
-- migration runs in each). A row is written in the transaction of the command it answers, so a key is recorded
-- if and only if its effect is; the same request replays the same status and body, refusals included.
CREATE SCHEMA IF NOT EXISTS commands;
GRANT USAGE ON SCHEMA commands TO tremplin_app;

CREATE TABLE commands.idempotency_keys (
  tenant_id    text        NOT NULL,
  key          text        NOT NULL,
  request_hash text        NOT NULL,
  -- 'done', or the DomainError kind of a refusal: a replayed refusal keeps its kind, status and code.
  outcome      text        NOT NULL CHECK (outcome IN ('done', 'rule', 'state', 'forbidden', 'notFound', 'conflict')),
  status_code  integer     NOT NULL,
  response     jsonb       NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key)
);
SELECT platform.enable_tenant_rls('commands.idempotency_keys');
GRANT SELECT, INSERT ON commands.idempotency_keys TO tremplin_app;
