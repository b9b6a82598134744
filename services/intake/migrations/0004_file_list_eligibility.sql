-- The file list shows the last eligibility check: against which product version, and whether the file fits it.
ALTER TABLE intake.file_list ADD COLUMN eligible boolean, ADD COLUMN product_version integer;
