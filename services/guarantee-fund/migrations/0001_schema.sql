-- The guarantee-fund service keeps its read models in its own schema, owned by the migration role.
CREATE SCHEMA IF NOT EXISTS guarantee_fund;
GRANT USAGE ON SCHEMA guarantee_fund TO tremplin_app;
