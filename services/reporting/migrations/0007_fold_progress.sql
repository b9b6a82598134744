-- A kept figures answer is valid while the facts it was computed from are unchanged. The facts change only when they
-- are written (a folded batch, a rebuild), so that write counts itself here, in its own transaction: the count is
-- the facts' version. (The log's sequence and the queue's length were used before: the sequence moves before its
-- row commits, so an answer computed then could be kept under the version the fold later restored, and served
-- stale until the next message.)
CREATE TABLE reporting.fold_progress (
  only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
  writes   bigint NOT NULL
);
INSERT INTO reporting.fold_progress (writes) VALUES (0);
GRANT SELECT, UPDATE ON reporting.fold_progress TO tremplin_app;
