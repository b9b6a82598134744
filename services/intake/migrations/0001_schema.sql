-- The intake service keeps its read models in its own schema, owned by the migration role.
CREATE SCHEMA IF NOT EXISTS intake;
GRANT USAGE ON SCHEMA intake TO tremplin_app;
