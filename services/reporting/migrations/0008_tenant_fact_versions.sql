-- Kept figures answers per CCAS: a year over 300 CCAS was recomputed whole whenever any fact moved (2.4–2.7 s), though
-- a folded batch touches a handful of CCAS. Each write of facts now also counts itself per tenant it touched (a rebuild
-- counts for every tenant), in the same transaction: a CCAS's count is the version of its facts, and only the CCAS
-- whose count moved are read again. Tenant ids and counts only: no row-level security, as for the tenant list.
ALTER TABLE reporting.known_tenant ADD COLUMN writes bigint NOT NULL DEFAULT 0;
