-- Idempotency keys now live in the commands lib's own table (commands.idempotency_keys, one per service
-- database). Answers already stored are carried over so a client's retry after the upgrade still replays;
-- their refusals were all recorded as business rules before this change.
ALTER TABLE lending.idempotency_keys DISABLE ROW LEVEL SECURITY;
ALTER TABLE commands.idempotency_keys NO FORCE ROW LEVEL SECURITY;
INSERT INTO commands.idempotency_keys (tenant_id, key, request_hash, outcome, status_code, response, created_at)
SELECT tenant_id, key, request_hash,
       CASE WHEN status_code < 400 THEN 'done' WHEN status_code = 403 THEN 'forbidden' WHEN status_code = 404 THEN 'notFound' WHEN status_code = 409 THEN 'state' ELSE 'rule' END,
       status_code, response, created_at
  FROM lending.idempotency_keys
ON CONFLICT DO NOTHING;
ALTER TABLE commands.idempotency_keys FORCE ROW LEVEL SECURITY;
DROP TABLE lending.idempotency_keys;
