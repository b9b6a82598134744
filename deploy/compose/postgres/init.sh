#!/bin/sh
# Runs once, when the PostgreSQL volume is first initialised (the image's /docker-entrypoint-initdb.d):
# the two Tremplin roles, one database per service owned by tremplin_owner, and Keycloak's database.
# Same grants as deploy/local/provision.ts and docs/operations.md "What you bring".
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  -v owner_password="$TREMPLIN_OWNER_PASSWORD" -v app_password="$TREMPLIN_APP_PASSWORD" \
  -v keycloak_password="$KEYCLOAK_DB_PASSWORD" <<'SQL'
CREATE ROLE tremplin_owner LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE tremplin_app LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD :'app_password';
CREATE ROLE keycloak LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'keycloak_password';
CREATE DATABASE keycloak OWNER keycloak;
SQL
for database in tremplin_intake tremplin_lending tremplin_guarantee_fund tremplin_accompaniment tremplin_reporting; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres -c "CREATE DATABASE $database OWNER tremplin_owner"
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$database" <<SQL
REVOKE ALL ON DATABASE $database FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE $database TO tremplin_app;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
ALTER SCHEMA public OWNER TO tremplin_owner;
SQL
done
