-- The folder no longer needs a queue of positions to fold (ADR 0013): appends hold a lock until they commit, so the
-- log's positions follow commit order, and "everything after the last folded position" is exactly what waits. The
-- consumer stops inserting one queue row per message and the folder stops deleting them (and vacuum stops cleaning
-- them up); the folder advances this position in the transaction that writes the facts it folded.
ALTER TABLE reporting.fold_progress ADD COLUMN folded_up_to bigint NOT NULL DEFAULT 0;

-- Everything below the smallest queued position was folded; with an empty queue, the whole log was. The log's rows
-- are under row-level security (forced, the owner included): every known tenant is opened for this transaction.
SELECT set_config('app.tenant_ids', coalesce((SELECT string_agg(tenant_id, ',') FROM reporting.known_tenant), ''), true);
UPDATE reporting.fold_progress
   SET folded_up_to = coalesce((SELECT min(seq) - 1 FROM reporting.unfolded), (SELECT max(seq) FROM reporting.consumed_event), 0);

DROP TABLE reporting.unfolded;
