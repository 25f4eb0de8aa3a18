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

# ensure_service_database ROLE DATABASE [postgis]: DATABASE, owned by the
# login role ROLE (no superuser, no other rights), which alone may connect to
# it: each service reaches its own database, and only that, as its own role.
# PostGIS, whose extension only a superuser may create, is created here when
# asked, so the service's migrations (run as the role) find it. Tables left
# owned by the superuser by an earlier version are handed to the role.
ensure_service_database() {
  local role="$1" database="$2"
  if [ "$(psql -qtAc "SELECT 1 FROM pg_roles WHERE rolname = '$role'" postgres)" != "1" ]; then
    log "creating role $role"
    psql -qc "CREATE ROLE $role LOGIN" postgres
  fi
  if [ "$(psql -qtAc "SELECT 1 FROM pg_database WHERE datname = '$database'" postgres)" != "1" ]; then
    log "creating database $database"
    createdb --owner "$role" "$database"
  fi
  psql -qc "ALTER DATABASE $database OWNER TO $role" \
    -c "REVOKE ALL ON DATABASE $database FROM PUBLIC" postgres
  if [ "${3:-}" = postgis ]; then
    psql -qc "CREATE EXTENSION IF NOT EXISTS postgis" "$database"
  fi
  psql -q "$database" <<SQL
DO \$\$
DECLARE owned record;
BEGIN
  FOR owned IN
    SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
      AND pg_get_userbyid(c.relowner) <> '$role'
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER TABLE public.%I OWNER TO %I', owned.relname, '$role');
  END LOOP;
END
\$\$;
SQL
}

# The development Kafka broker: tansu, a Kafka-protocol broker from crates.io
# (Apache Kafka cannot be installed here; the services work unchanged with it).
TANSU_VERSION="0.6.0"
ensure_tansu() {
  export PATH="$HOME/.cargo/bin:$PATH"
  if ! tansu --version 2>/dev/null | grep -q "$TANSU_VERSION"; then
    log "installing tansu $TANSU_VERSION, the development Kafka broker (takes ~12 minutes, once)"
    cargo install tansu --version "$TANSU_VERSION" --locked --features dynostore,libsql
  fi
  TANSU_BIN="$(command -v tansu)"
  export TANSU_BIN
}

# start_broker PORT STORAGE_URL: starts tansu on 127.0.0.1:PORT from an empty
# working directory (it reads a .env from there) and waits until it answers.
# It runs in a session of its own, so a terminal's Ctrl-C reaches the services
# first and the caller stops the broker last (stop_broker), after the
# consumers have committed.
start_broker() {
  local port="$1" storage="$2" url
  url="tcp://127.0.0.1:$port"
  BROKER_ADDRESS="127.0.0.1:$port"
  BROKER_DIR="$(mktemp -d)"
  log "starting the Kafka broker on 127.0.0.1:$port ($storage; log: $BROKER_DIR/broker.log)"
  # setsid may fork, so the broker reports its own pid through a file.
  (cd "$BROKER_DIR" && exec setsid sh -c 'echo $$ >broker.pid; exec "$@"' sh \
    "$TANSU_BIN" broker --listener-url "$url" --advertised-listener-url "$url" \
    --storage-engine "$storage") >"$BROKER_DIR/broker.log" 2>&1 &
  BROKER_PID=""
  for _ in $(seq 1 100); do
    [ -n "$BROKER_PID" ] || BROKER_PID="$(cat "$BROKER_DIR/broker.pid" 2>/dev/null || true)"
    if [ -n "$BROKER_PID" ] && (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      return 0
    fi
    if [ -n "$BROKER_PID" ] && ! kill -0 "$BROKER_PID" 2>/dev/null; then
      break
    fi
    sleep 0.1
  done
  cat "$BROKER_DIR/broker.log" >&2
  die "the Kafka broker did not start on port $port"
}

stop_broker() {
  if [ -n "${BROKER_PID:-}" ]; then
    kill "$BROKER_PID" 2>/dev/null || true
    # Not our child (setsid), so poll instead of wait.
    for _ in $(seq 1 100); do
      kill -0 "$BROKER_PID" 2>/dev/null || break
      sleep 0.1
    done
    BROKER_PID=""
  fi
}

# A TCP port nobody listens on right now, for the broker (the services bind
# port 0 themselves and report what they bound).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# A Python environment of the project's own, outside the clone, with the
# document and manifest validators (kubernetes-validate, openapi-spec-validator).
PYTHON_TOOLS="${PYTHON_TOOLS:-$HOME/.cache/udaconnect/python-tools}"
ensure_python_tools() {
  if [ ! -x "$PYTHON_TOOLS/bin/kubernetes-validate" ] || [ ! -x "$PYTHON_TOOLS/bin/openapi-spec-validator" ] ||
    [ ! -x "$PYTHON_TOOLS/bin/st" ]; then
    python3 -m venv --help >/dev/null 2>&1 && python3 -c "import ensurepip" 2>/dev/null ||
      apt_install python3-venv
    log "installing kubernetes-validate, openapi-spec-validator and schemathesis into $PYTHON_TOOLS"
    python3 -m venv "$PYTHON_TOOLS"
    "$PYTHON_TOOLS/bin/pip" install -q kubernetes-validate openapi-spec-validator "schemathesis>=4,<5"
  fi
}

# kubectl renders kustomize overlays offline.
ensure_kubectl() {
  command -v kubectl >/dev/null || apt_install kubectl ||
    die "kubectl is missing (https://kubernetes.io/docs/tasks/tools/)"
}

# promtool checks and unit-tests the Prometheus alert rules in
# deployment/monitoring. It ships in Debian's `prometheus` package, the
# server with it; recommends are skipped so no node exporter comes along.
# (On a machine whose init system starts services on install, the package
# starts a Prometheus server too: on containers policy-rc.d prevents that.)
ensure_promtool() {
  command -v promtool >/dev/null || apt_install --no-install-recommends prometheus ||
    die "promtool is missing (Debian's prometheus package)"
}

# Node.js and npm, for the tools of the browser and API tests.
ensure_node() {
  command -v npm >/dev/null || apt_install nodejs npm
}

# bound_address FILE NAME: the address a service wrote to its --addresses-file
# under NAME (`api`, `web`, `persons`, …).
bound_address() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# random_token: 64 hexadecimal digits from the kernel's random source, for
# the organizer's token of a stack that was given none.
random_token() {
  head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'
}

# start_test_stack: the whole stack (`udaconnect all`, debug build, every
# listener on port 0) against fresh databases holding the starter data and
# an in-memory broker of its own, for the tests that drive it from outside
# like a user (newman, the browser). Sets STACK_API_URL and STACK_WEB_URL
# from the addresses the stack reports it bound (the page is served when
# web/dist is built), and STACK_ORGANIZER_TOKEN, the organizer's token it
# was given. stop_test_stack stops it and drops the databases. The retention
# is long enough to keep the starter data (of 2020).
# Needs ensure_postgres and ensure_tansu first.
start_test_stack() {
  local bin="$CARGO_TARGET_DIR/debug/udaconnect" addresses
  command -v curl >/dev/null || apt_install curl
  cargo build --locked -q -p udaconnect
  STACK_DATABASES="udc_test_stack_persons_$$ udc_test_stack_locations_$$ udc_test_stack_events_$$"
  # As ./scripts/run does: each service as its own role, in its own database.
  ensure_service_database udaconnect_persons "udc_test_stack_persons_$$"
  ensure_service_database udaconnect_locations "udc_test_stack_locations_$$" postgis
  ensure_service_database udaconnect_events "udc_test_stack_events_$$" postgis
  # tansu cannot be handed a listener, so its port is the one chosen here.
  start_broker "$(free_port)" "memory://tansu/"
  STACK_LOG="$(mktemp --suffix=.log)"
  STACK_ORGANIZER_TOKEN="$(random_token)"
  addresses="$(mktemp -u --suffix=.json)"
  env ORGANIZER_TOKEN="$STACK_ORGANIZER_TOKEN" SERVICE_TOKEN="$(random_token)" \
    PERSONS_DATABASE_URL="postgres://udaconnect_persons@$PGHOST:$PGPORT/udc_test_stack_persons_$$" \
    LOCATIONS_DATABASE_URL="postgres://udaconnect_locations@$PGHOST:$PGPORT/udc_test_stack_locations_$$" \
    EVENTS_DATABASE_URL="postgres://udaconnect_events@$PGHOST:$PGPORT/udc_test_stack_events_$$" \
    KAFKA_BOOTSTRAP_SERVERS="$BROKER_ADDRESS" ADDRESSES_FILE="$addresses" \
    DATA_RETENTION=36500d \
    API_LISTEN=127.0.0.1:0 WEB_LISTEN=127.0.0.1:0 \
    PERSONS_LISTEN=127.0.0.1:0 PERSONS_ADMIN_LISTEN=127.0.0.1:0 \
    LOCATIONS_LISTEN=127.0.0.1:0 LOCATIONS_ADMIN_LISTEN=127.0.0.1:0 \
    INGEST_LISTEN=127.0.0.1:0 INGEST_ADMIN_LISTEN=127.0.0.1:0 \
    EVENTS_LISTEN=127.0.0.1:0 EVENTS_ADMIN_LISTEN=127.0.0.1:0 \
    CONSUMER_ADMIN_LISTEN=127.0.0.1:0 ATTENDANCE_ADMIN_LISTEN=127.0.0.1:0 \
    "$bin" all --seed "$ROOT/data/starter" >>"$STACK_LOG" 2>&1 &
  STACK_PID=$!
  for _ in $(seq 1 150); do
    if ! kill -0 "$STACK_PID" 2>/dev/null; then
      cat "$STACK_LOG" >&2
      die "the test stack stopped during startup"
    fi
    if [ -f "$addresses" ]; then
      STACK_API_URL="http://$(bound_address "$addresses" api)"
      STACK_WEB_URL="http://$(bound_address "$addresses" web)"
      rm -f "$addresses"
      break
    fi
    sleep 0.2
  done
  [ -n "${STACK_API_URL:-}" ] || { cat "$STACK_LOG" >&2; die "the test stack did not bind within 30 s"; }
  for _ in $(seq 1 150); do
    curl -fsS "$STACK_API_URL/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  cat "$STACK_LOG" >&2
  die "the test stack did not become ready within 30 s"
}

stop_test_stack() {
  if [ -n "${STACK_PID:-}" ]; then
    kill -TERM "$STACK_PID" 2>/dev/null || true
    wait "$STACK_PID" 2>/dev/null || true
    STACK_PID=""
  fi
  stop_broker
  for name in ${STACK_DATABASES:-}; do dropdb --if-exists --force "$name"; done
  STACK_DATABASES=""
}
