-- The reporting service keeps its read models in its own schema, owned by the migration role.
CREATE SCHEMA IF NOT EXISTS reporting;
GRANT USAGE ON SCHEMA reporting TO tremplin_app;
