-- Erasure must be refused while one of the person's files is in progress. Their files were found in the file list, a
-- read model a moment behind the commands: a file opened just before the request could be missing, and the person
-- erased with a file in progress (the intake test saw it on a loaded machine). They are now found in the event store,
-- by the opening event of each file; this index keeps that a lookup.
CREATE INDEX IF NOT EXISTS events_files_of_beneficiary ON es.events (tenant_id, (data->>'beneficiaryId')) WHERE type = 'ApplicationOpened';
