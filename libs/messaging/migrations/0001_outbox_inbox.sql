-- Transactional outbox and idempotent-consumer inbox (docs/decisions/0003-outbox-inbox.md).
CREATE SCHEMA IF NOT EXISTS messaging;
GRANT USAGE ON SCHEMA messaging TO tremplin_app;

CREATE TABLE messaging.outbox (
  id             bigserial PRIMARY KEY,
  message_id     uuid        NOT NULL UNIQUE,
  name           text        NOT NULL,
  topic          text        NOT NULL,
  key            text        NOT NULL,
  headers        jsonb       NOT NULL DEFAULT '{}'::jsonb,
  payload        jsonb       NOT NULL,
  tenant_id      text        NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
  -- The writer's transaction: the relay reads only below pg_snapshot_xmin, so a row committed late is never
  -- overtaken by a younger one (the event store's rule for its subscribers).
  transaction_id xid8        NOT NULL DEFAULT pg_current_xact_id(),
  -- A key always falls in the same lane; relays own lanes, so one key is published by one relay at a time.
  lane           integer     GENERATED ALWAYS AS ((hashtext(key) & 2147483647) % 64) STORED,
  sent_at        timestamptz,
  attempts       integer     NOT NULL DEFAULT 0,
  last_error     text
);

CREATE INDEX outbox_unsent ON messaging.outbox (transaction_id, id) WHERE sent_at IS NULL;
CREATE INDEX outbox_sent ON messaging.outbox (sent_at) WHERE sent_at IS NOT NULL;

GRANT SELECT, INSERT, DELETE ON messaging.outbox TO tremplin_app;
GRANT UPDATE (sent_at, attempts, last_error) ON messaging.outbox TO tremplin_app;
GRANT USAGE ON SEQUENCE messaging.outbox_id_seq TO tremplin_app;

CREATE TABLE messaging.inbox (
  consumer     text        NOT NULL,
  message_id   uuid        NOT NULL,
  name         text        NOT NULL,
  topic        text        NOT NULL,
  partition    integer     NOT NULL,
  "offset"     bigint      NOT NULL,
  processed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  PRIMARY KEY (consumer, message_id)
);

GRANT SELECT, INSERT ON messaging.inbox TO tremplin_app;
