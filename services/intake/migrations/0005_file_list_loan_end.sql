-- When the loan a file led to ended (repaid or written off): the granted file's archive clock starts then.
ALTER TABLE intake.file_list ADD COLUMN loan_ended_at timestamptz;
