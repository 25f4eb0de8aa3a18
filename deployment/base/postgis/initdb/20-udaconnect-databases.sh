#!/bin/sh
# Runs once, when the data directory is first initialised (after the
# image's own 10_postgis.sh). One database per owning service, owned by a
# login role of its own that no other database lets in: each service
# reaches its own data, and only that. PostGIS is created here, as only a
# superuser may; the schemas come from `udaconnect migrate`, run as each
# role. The roles' passwords come from the Secret udaconnect-db.
set -e
for service in persons locations events; do
  case "$service" in
    persons) password="$PERSONS_DB_PASSWORD" ;;
    locations) password="$LOCATIONS_DB_PASSWORD" ;;
    events) password="$EVENTS_DB_PASSWORD" ;;
  esac
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v role="udaconnect_$service" -v password="$password" <<'SQL'
CREATE ROLE :"role" LOGIN PASSWORD :'password';
CREATE DATABASE :"role" OWNER :"role";
REVOKE ALL ON DATABASE :"role" FROM PUBLIC;
SQL
done
for database in udaconnect_locations udaconnect_events; do
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$database" \
    -c "CREATE EXTENSION IF NOT EXISTS postgis"
done
