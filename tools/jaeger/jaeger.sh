#!/usr/bin/env bash
# tools/jaeger/jaeger.sh — a real Jaeger on 127.0.0.1 for development and the distributed
# end-to-end tests: Jaeger v2 all-in-one (github.com/jaegertracing/jaeger/cmd/jaeger, Apache-2.0)
# built from the Go module proxy with the versions pinned in tools/jaeger/go.mod and go.sum,
# configured by tools/jaeger/jaeger.yaml: OTLP over HTTP in, in-memory storage, query API out.
#
#   tools/jaeger/jaeger.sh start    build (first time), start, wait until it answers
#   tools/jaeger/jaeger.sh stop     SIGTERM, wait, SIGKILL if needed
#   tools/jaeger/jaeger.sh status   exit 0 if running, 3 if not
#   tools/jaeger/jaeger.sh build    build only
#
# Services export to http://127.0.0.1:4318 (OTEL_EXPORTER_OTLP_ENDPOINT); traces are read from
# http://127.0.0.1:16686/api/traces (the query API the UI uses). A binary built from the module
# proxy has no UI assets (Jaeger's releases embed a separately built UI): / shows a placeholder,
# the API is complete.
#
# Measured 2026-12-04 on the 2-core dev machine: `go get` of the pinned module graph ~40 s, cold
# build ~4.5 min (go build -p 1); warm start until /api/services answers ~0.3 s; ~60 MB resident.
#
# Environment (all optional):
#   BATON_JAEGER_OTLP_PORT        OTLP/HTTP receiver (default 4318)
#   BATON_JAEGER_QUERY_PORT       query API and UI (default 16686)
#   BATON_JAEGER_QUERY_GRPC_PORT  query gRPC API (default 16685)
#   BATON_JAEGER_HEALTH_PORT      health check, GET /status (default 13133)
#   BATON_JAEGER_MAX_TRACES       traces kept in memory, oldest dropped first (default 100000)
#   BATON_JAEGER_HOME             binary cache (default $HOME/.cache/baton/jaeger)
#   BATON_JAEGER_RUN_DIR          pid and log (default ${TMPDIR:-/tmp}/baton-jaeger-<query port>)
#   BATON_JAEGER_START_TIMEOUT    seconds to wait until it answers (default 30)
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MODULE=github.com/jaegertracing/jaeger
HOST=127.0.0.1
export BATON_JAEGER_OTLP_PORT="${BATON_JAEGER_OTLP_PORT:-4318}"
export BATON_JAEGER_QUERY_PORT="${BATON_JAEGER_QUERY_PORT:-16686}"
export BATON_JAEGER_QUERY_GRPC_PORT="${BATON_JAEGER_QUERY_GRPC_PORT:-16685}"
export BATON_JAEGER_HEALTH_PORT="${BATON_JAEGER_HEALTH_PORT:-13133}"
export BATON_JAEGER_MAX_TRACES="${BATON_JAEGER_MAX_TRACES:-100000}"
JHOME="${BATON_JAEGER_HOME:-${HOME:-/tmp}/.cache/baton/jaeger}"
RUN_DIR="${BATON_JAEGER_RUN_DIR:-${TMPDIR:-/tmp}/baton-jaeger-$BATON_JAEGER_QUERY_PORT}"
PID_FILE="$RUN_DIR/jaeger.pid"
LOG_FILE="$RUN_DIR/jaeger.log"
START_TIMEOUT="${BATON_JAEGER_START_TIMEOUT:-30}"
VERSION="$(sed -nE "s#^\s*$MODULE (v[^ ]+).*#\1#p" "$HERE/go.mod")"
PIN_HASH="$(cat "$HERE/go.mod" "$HERE/go.sum" | sha256sum | cut -c1-10)"
BIN="$JHOME/$VERSION-$PIN_HASH/jaeger"
QUERY_URL="http://$HOST:$BATON_JAEGER_QUERY_PORT"

log() { printf 'jaeger.sh: %s\n' "$*"; }
die() { printf 'jaeger.sh: error: %s\n' "$*" >&2; exit 1; }

build() {
  [[ -n "$VERSION" ]] || die "no $MODULE version in $HERE/go.mod"
  [[ -x "$BIN" ]] && return 0
  command -v go >/dev/null 2>&1 || die "go not found: Go is needed to build Jaeger the first time"
  mkdir -p "$JHOME"
  if command -v flock >/dev/null 2>&1; then
    exec 8>"$JHOME/.build.lock"
    flock -w 900 8 || die "could not lock $JHOME/.build.lock within 900 s"
    [[ -x "$BIN" ]] && return 0 # built by a concurrent run
  fi
  local started tmp="$BIN.tmp.$$"
  started=$(date +%s)
  log "building $MODULE/cmd/jaeger $VERSION from the Go module proxy (first run only, minutes)..."
  mkdir -p "$(dirname "$BIN")"
  # The pinned go.mod/go.sum are copied so the build never rewrites the repository's files.
  local work
  work="$(mktemp -d)"
  cp "$HERE/go.mod" "$HERE/go.sum" "$work/"
  # One package at a time: the machine is shared, and the build is a one-off.
  if ! (cd "$work" && CGO_ENABLED=0 GOFLAGS=-mod=mod nice -n 10 go build -p 1 -trimpath -o "$tmp" "$MODULE/cmd/jaeger") >"$JHOME/build.log" 2>&1; then
    tail -n 30 "$JHOME/build.log" >&2
    rm -rf "$work" "$tmp"
    die "could not build $MODULE $VERSION (log: $JHOME/build.log)"
  fi
  rm -rf "$work"
  mv "$tmp" "$BIN"
  log "built $BIN in $(($(date +%s) - started)) s"
}

is_running() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null
}

answers() {
  curl -sf -o /dev/null --max-time 2 "$QUERY_URL/api/services" &&
    curl -sf -o /dev/null --max-time 2 "http://$HOST:$BATON_JAEGER_HEALTH_PORT/status"
}

port_taken() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

start() {
  if is_running && answers; then
    log "already running (pid $(cat "$PID_FILE")) — OTLP http://$HOST:$BATON_JAEGER_OTLP_PORT, query $QUERY_URL"
    return 0
  fi
  build
  local port
  for port in "$BATON_JAEGER_OTLP_PORT" "$BATON_JAEGER_QUERY_PORT" "$BATON_JAEGER_QUERY_GRPC_PORT" "$BATON_JAEGER_HEALTH_PORT"; do
    port_taken "$port" && die "port $port is taken by another process (see the BATON_JAEGER_*_PORT variables)"
  done
  mkdir -p "$RUN_DIR"
  local started
  started=$(date +%s%3N)
  nohup "$BIN" --config="file:$HERE/jaeger.yaml" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$(($(date +%s) + START_TIMEOUT))
  until answers; do
    if ! is_running; then
      tail -n 30 "$LOG_FILE" >&2
      die "Jaeger exited during start-up (log: $LOG_FILE)"
    fi
    if (($(date +%s) > deadline)); then
      tail -n 30 "$LOG_FILE" >&2
      die "Jaeger did not answer on $QUERY_URL within ${START_TIMEOUT}s (log: $LOG_FILE)"
    fi
    sleep 0.1
  done
  log "$MODULE $VERSION is ready in $(($(date +%s%3N) - started)) ms (pid $(cat "$PID_FILE")) — OTLP http://$HOST:$BATON_JAEGER_OTLP_PORT, query $QUERY_URL"
}

stop() {
  if ! is_running; then
    log "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  local pid
  pid="$(cat "$PID_FILE")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
  log "stopped (pid $pid)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  build) build && log "$BIN" ;;
  status)
    if is_running && answers; then
      log "running (pid $(cat "$PID_FILE")) — OTLP http://$HOST:$BATON_JAEGER_OTLP_PORT, query $QUERY_URL"
    else
      log "not running (would be $QUERY_URL)"
      exit 3
    fi
    ;;
  *)
    echo "usage: $0 start|stop|status|restart|build" >&2
    exit 2
    ;;
esac
