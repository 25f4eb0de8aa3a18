# Shared by scripts/run and scripts/test: everything they need, installed and
# started on a fresh Debian machine, and nothing started twice.
# shellcheck shell=bash

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Builds are cached outside the clone so a fresh clone does not rebuild the world.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/udaconnect/target}"
export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"

log() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

APT_UPDATED=""
apt_install() {
  if [ -z "$APT_UPDATED" ]; then
    as_root apt-get update -qq
    APT_UPDATED=1
  fi
  log "installing $*"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

pg_major() {
  ls /etc/postgresql 2>/dev/null | sort -n | tail -n 1
}

# PostgreSQL with PostGIS, running and answering on $PGHOST:$PGPORT.
ensure_postgres() {
  command -v cargo >/dev/null || die "cargo is not installed (https://rustup.rs)"
  if [ -z "$(pg_major)" ]; then
    apt_install postgresql
  fi
  local major
  major="$(pg_major)"
  if ! ls "/usr/share/postgresql/$major/extension/postgis.control" >/dev/null 2>&1; then
    apt_install "postgresql-$major-postgis-3"
  fi
  if ! pg_isready -q; then
    log "starting PostgreSQL $major"
    as_root pg_ctlcluster --skip-systemctl-redirect "$major" main start || true
    for _ in $(seq 1 30); do pg_isready -q && break; sleep 1; done
    pg_isready -q || die "PostgreSQL does not answer on $PGHOST:$PGPORT"
  fi
  psql -qtAc "SELECT 1" postgres >/dev/null 2>&1 ||
    die "cannot connect as $PGUSER to $PGHOST:$PGPORT (the scripts expect trust or PGPASSWORD)"
}

# Creates database "$1" unless it exists.
ensure_database() {
  if [ "$(psql -qtAc "SELECT 1 FROM pg_database WHERE datname = '$1'" postgres)" != "1" ]; then
    log "creating database $1"
    createdb "$1"
  fi
}
