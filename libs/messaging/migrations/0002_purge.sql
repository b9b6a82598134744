-- Purge jobs (libs/messaging/src/purge.ts): sent outbox rows and old inbox rows are deleted after their retention.
-- The inbox is read by message id only, so its age needs an index of its own to be purged without a scan.
CREATE INDEX inbox_processed_at ON messaging.inbox (processed_at);
GRANT DELETE ON messaging.inbox TO tremplin_app;
