-- The accompaniment service keeps its read models in its own schema, owned by the migration role.
CREATE SCHEMA IF NOT EXISTS accompaniment;
GRANT USAGE ON SCHEMA accompaniment TO tremplin_app;
