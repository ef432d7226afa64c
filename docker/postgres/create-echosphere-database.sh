#!/bin/sh
# Runs once, when the PostgreSQL container initialises an empty data volume: creates the ordinary user EchoSphere
# connects as and the database it owns. Not a superuser, not BYPASSRLS, so row-level security applies to it;
# CREATEROLE because the migrations create EchoSphere's two tenant roles (docs/postgresql.md).
set -eu
psql --set=ON_ERROR_STOP=1 --username="$POSTGRES_USER" --dbname="${POSTGRES_DB:-$POSTGRES_USER}" \
  --set=user="${ECHOSPHERE_DB_USER:-echosphere}" \
  --set=database="${ECHOSPHERE_DB_NAME:-echosphere}" \
  --set=password="$ECHOSPHERE_DB_PASSWORD" <<'SQL'
CREATE ROLE :"user" LOGIN CREATEROLE NOSUPERUSER NOBYPASSRLS PASSWORD :'password';
CREATE DATABASE :"database" OWNER :"user";
SQL
