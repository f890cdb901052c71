#!/usr/bin/env bash
# Starts and stops a real PostgreSQL server for Baton's tests, from Debian's packages.
#
#   tools/postgres/postgres.sh start    install postgresql if missing, init a fresh cluster, start it
#   tools/postgres/postgres.sh stop     stop it (fast shutdown) and remove its data
#   tools/postgres/postgres.sh crash    kill it as a power cut would (pg_ctl stop -m immediate: no
#                                       checkpoint, clients cut off), keeping its data folder
#   tools/postgres/postgres.sh resume   start the same cluster again after a crash; it recovers from
#                                       its write-ahead log, so everything committed is still there
#   tools/postgres/postgres.sh status   exit 0 when running
#   tools/postgres/postgres.sh url      print the connection URL tests use
#
# The cluster is throwaway: a new data folder per start, owned by the `postgres` OS user (initdb
# refuses to run as root), listening on 127.0.0.1:${BATON_PG_PORT:-55432} only, so it never
# touches a system cluster. Database `baton`, owner role `baton` (password `baton`).
set -euo pipefail

PORT="${BATON_PG_PORT:-55432}"
RUN_DIR="/tmp/baton-postgres-${PORT}"
DATA="$RUN_DIR/data"
LOG="$RUN_DIR/postgres.log"

say() { printf 'postgres: %s\n' "$*" >&2; }

bin_dir() {
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -s /bin/bash -c "$*"; else bash -c "$*"; fi
}

install() {
  if [ -z "$(bin_dir)" ]; then
    say "installing postgresql from Debian's packages"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
  fi
  bin_dir >/dev/null || { say "postgresql binaries not found after install"; exit 1; }
}

running() {
  local bin; bin=$(bin_dir) || return 1
  [ -f "$DATA/postmaster.pid" ] && as_postgres "'$bin/pg_ctl' -D '$DATA' status" >/dev/null 2>&1
}

# Starts the server on the cluster in $DATA (a new one or one that crashed).
launch() {
  local bin="$1"
  # Durability settings stay at their defaults: tests that kill the server must see real recovery.
  as_postgres "'$bin/pg_ctl' -D '$DATA' -l '$LOG' -w -t 60 \
    -o \"-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories='$RUN_DIR' -c max_connections=200\" start >/dev/null"
}

start() {
  if running; then say "already running on 127.0.0.1:$PORT"; return 0; fi
  install
  local bin; bin=$(bin_dir)
  rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"
  id postgres >/dev/null 2>&1 || { say "the postgres OS user is missing"; exit 1; }
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$RUN_DIR"
  as_postgres "'$bin/initdb' -D '$DATA' -U postgres -A trust --no-sync -E UTF8 >/dev/null"
  launch "$bin"
  as_postgres "'$bin/psql' -h 127.0.0.1 -p $PORT -U postgres -v ON_ERROR_STOP=1 -q \
    -c \"CREATE ROLE baton LOGIN PASSWORD 'baton' CREATEROLE CREATEDB\" \
    -c \"CREATE DATABASE baton OWNER baton\"" >/dev/null
  say "ready on 127.0.0.1:$PORT ($(as_postgres "'$bin/postgres' --version"))"
}

stop() {
  local bin; bin=$(bin_dir) || { say "not installed"; return 0; }
  if running; then as_postgres "'$bin/pg_ctl' -D '$DATA' -m fast -w stop >/dev/null" || true; fi
  rm -rf "$RUN_DIR"
  say "stopped"
}

crash() {
  local bin; bin=$(bin_dir) || { say "not installed"; exit 1; }
  running || { say "not running on 127.0.0.1:$PORT: nothing to crash"; exit 1; }
  # Immediate mode: every server process quits at once without a checkpoint, as after a power cut;
  # the next start replays the write-ahead log.
  as_postgres "'$bin/pg_ctl' -D '$DATA' -m immediate -w stop >/dev/null"
  say "crashed (immediate stop) on 127.0.0.1:$PORT; data kept in $DATA"
}

resume() {
  if running; then say "already running on 127.0.0.1:$PORT"; return 0; fi
  local bin; bin=$(bin_dir) || { say "not installed"; exit 1; }
  [ -f "$DATA/PG_VERSION" ] || { say "no cluster in $DATA to resume (use start)"; exit 1; }
  launch "$bin"
  say "resumed on 127.0.0.1:$PORT after crash recovery"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  crash) crash ;;
  resume) resume ;;
  status) if running; then echo "running on 127.0.0.1:$PORT"; else echo "not running"; exit 3; fi ;;
  url) echo "postgres://baton:baton@127.0.0.1:$PORT/baton" ;;
  *) echo "usage: $0 start|stop|crash|resume|status|url" >&2; exit 2 ;;
esac
