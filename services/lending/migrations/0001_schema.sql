-- The lending service keeps its read models in its own schema, owned by the migration role.
CREATE SCHEMA IF NOT EXISTS lending;
GRANT USAGE ON SCHEMA lending TO tremplin_app;
