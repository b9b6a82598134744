-- A period's loans are those approved, refused or disbursed in it: an OR of three ranges no index serves, so the year
-- of a few CCAS (what a kept figures answer reads again once their facts move) read every loan those CCAS ever had
-- (15,631 rows for 1,557 in the benchmark). A loan with one of those instants in [from, to) has the latest of them
-- at or after `from`: indexed per CCAS, that bounds the read to the loans decided or disbursed since the period began.
CREATE INDEX loan_fact_latest_instant ON reporting.loan_fact (tenant_id, (greatest(approved_at, refused_at, disbursed_at)));
