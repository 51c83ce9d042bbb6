#!/usr/bin/env bash
# Private PostgreSQL, Redis and ClamAV instances for this checkout, under ./var/.
#
#   scripts/services.sh start|stop|status [postgres|redis|clamav ...]
#
# Each service gets its own port (SPE_PG_PORT, SPE_REDIS_PORT, SPE_CLAMD_PORT)
# and never touches a system-wide instance. Idempotent: starting a running
# service, or stopping a stopped one, does nothing. Works as root (servers that
# refuse root run as an unprivileged system user) and as a user with sudo.
# See docs/operations.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="${SPE_VAR_DIR:-$ROOT/var}"
PG_PORT="${SPE_PG_PORT:-55432}"
REDIS_PORT="${SPE_REDIS_PORT:-56379}"
PG_BIN="${SPE_PG_BIN:-}"
SERVICE_USER="${SPE_SERVICE_USER:-spe}"

say() { printf '%s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

pg_bin() {
  if [ -z "$PG_BIN" ]; then
    PG_BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)"
  fi
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL server not found; run scripts/bootstrap.sh"
}

# When running as root, PostgreSQL must run as an unprivileged user. Make sure
# one exists and can reach the data directory; if the checkout sits where that
# user cannot traverse (e.g. under /root), keep the data in a private directory
# under /var/tmp and link to it from ./var.
ensure_service_user() {
  if ! id "$SERVICE_USER" >/dev/null 2>&1; then
    as_root useradd --system --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  fi
}

run_as_service_user() {
  if [ "$(id -u)" -eq 0 ]; then
    # From /, which the service user can always enter (the checkout may be under /root).
    (cd / && runuser -u "$SERVICE_USER" -- "$@")
  else
    "$@"
  fi
}

pg_data_dir() {
  local link="$VAR/postgres"
  if [ "$(id -u)" -ne 0 ]; then echo "$link"; return; fi
  if [ -L "$link" ]; then readlink -f "$link"; return; fi
  if [ -d "$link" ]; then echo "$link"; return; fi
  mkdir -p "$VAR"
  if runuser -u "$SERVICE_USER" -- test -x "$VAR"; then
    mkdir -p "$link"; echo "$link"
  else
    local private
    private="/var/tmp/spe-postgres-$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"
    mkdir -p "$private"
    ln -s "$private" "$link"
    echo "$private"
  fi
}

pg_running() {
  pg_bin
  local data; data="$(pg_data_dir)"
  [ -f "$data/PG_VERSION" ] && run_as_service_user "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1
}

start_postgres() {
  pg_bin
  [ "$(id -u)" -eq 0 ] && ensure_service_user
  local data; data="$(pg_data_dir)"
  [ "$(id -u)" -eq 0 ] && chown "$SERVICE_USER" "$data" && chmod 700 "$data"
  if [ ! -f "$data/PG_VERSION" ]; then
    say "postgres: initialising $data"
    run_as_service_user "$PG_BIN/initdb" -D "$data" -U spe --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$data'
max_connections = 200
shared_buffers = 128MB
fsync = on
EOF
  fi
  if pg_running; then say "postgres: running on 127.0.0.1:$PG_PORT"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$PG_PORT") 2>/dev/null; then
    die "postgres: port $PG_PORT is in use by another program; set SPE_PG_PORT"
  fi
  run_as_service_user "$PG_BIN/pg_ctl" -D "$data" -l "$data/server.log" -o "-p $PG_PORT" -w -t 60 start >/dev/null \
    || die "postgres: failed to start; see $data/server.log"
  for _ in $(seq 1 50); do
    if "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U spe -d postgres -Atc "select 1" >/dev/null 2>&1; then break; fi
    sleep 0.2
  done
  if ! "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U spe -d postgres -Atc \
      "select 1 from pg_database where datname='spe'" | grep -q 1; then
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U spe spe
  fi
  say "postgres: started on 127.0.0.1:$PG_PORT"
}

stop_postgres() {
  if pg_running; then
    run_as_service_user "$PG_BIN/pg_ctl" -D "$(pg_data_dir)" -m fast -w stop >/dev/null
    say "postgres: stopped"
  fi
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" "$@"; }

redis_running() { [ -f "$VAR/redis/redis.pid" ] && kill -0 "$(cat "$VAR/redis/redis.pid")" 2>/dev/null; }

start_redis() {
  command -v redis-server >/dev/null || die "redis-server not found; run scripts/bootstrap.sh"
  mkdir -p "$VAR/redis"
  if redis_running; then say "redis: running on 127.0.0.1:$REDIS_PORT"; return; fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$REDIS_PORT") 2>/dev/null; then
    die "redis: port $REDIS_PORT is in use by another program; set SPE_REDIS_PORT"
  fi
  redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --dir "$VAR/redis" --daemonize yes \
    --pidfile "$VAR/redis/redis.pid" --logfile "$VAR/redis/redis.log" \
    --appendonly yes --appendfsync everysec --save "" --protected-mode yes >/dev/null
  for _ in $(seq 1 300); do  # 30 s: replaying a large append-only file on a busy machine takes a while
    if redis_cli ping 2>/dev/null | grep -q PONG; then say "redis: started on 127.0.0.1:$REDIS_PORT"; return; fi
    sleep 0.1
  done
  tail -n 20 "$VAR/redis/redis.log" >&2 2>/dev/null || true
  die "redis: failed to start; see $VAR/redis/redis.log"
}

stop_redis() {
  if redis_running; then
    local pid; pid="$(cat "$VAR/redis/redis.pid")"
    kill "$pid"
    for _ in $(seq 1 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then say "redis: still stopping after 30 s (pid $pid)"; else say "redis: stopped"; fi
  fi
}

status() {
  if pg_running; then say "postgres: running (127.0.0.1:$PG_PORT)"; else say "postgres: stopped"; fi
  if redis_running; then say "redis: running (127.0.0.1:$REDIS_PORT)"; else say "redis: stopped"; fi
  "$ROOT/scripts/clamav.sh" status || true
}

main() {
  local action="${1:-status}"; shift || true
  local services=("$@")
  [ ${#services[@]} -gt 0 ] || services=(postgres redis clamav)
  mkdir -p "$VAR"
  for svc in "${services[@]}"; do
    case "$action:$svc" in
      start:postgres) start_postgres ;;
      start:redis) start_redis ;;
      start:clamav) "$ROOT/scripts/clamav.sh" start && "$ROOT/scripts/clamav.sh" wait ;;
      stop:postgres) stop_postgres ;;
      stop:redis) stop_redis ;;
      stop:clamav) "$ROOT/scripts/clamav.sh" stop ;;
      status:*) status; return ;;
      *) die "usage: $0 start|stop|status [postgres|redis|clamav ...]" ;;
    esac
  done
}

main "$@"
