-- A budget is personal data: its figures now leave the handler only sealed under the person's key, so the file list
-- keeps whether the reste à vivre is below the CCAS minimum, not the amount (read it, opened, in the file's history).
-- Values already copied here from files assessed before are dropped with the column.
ALTER TABLE intake.file_list DROP COLUMN IF EXISTS reste_a_vivre_after_per_unit_cents;
