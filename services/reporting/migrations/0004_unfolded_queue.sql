-- The consumer only keeps each message in the log (one statement) and queues its position here; a single folder
-- folds the queue into the facts in batches (one read of the touched loans, one write). Positions only: no tenant
-- data, so no row-level security. A loan's messages are committed one after the other (one Kafka partition), so
-- taking the smallest visible positions first never folds a loan's later fact before its earlier one.
CREATE TABLE reporting.unfolded (
  seq bigint PRIMARY KEY
);
GRANT SELECT, INSERT, DELETE ON reporting.unfolded TO tremplin_app;
