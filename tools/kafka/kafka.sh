#!/usr/bin/env bash
# tools/kafka/kafka.sh — a real single-node Apache Kafka broker (KRaft, combined
# broker+controller) on 127.0.0.1 for development and CI. No Docker, no tarball:
# the broker jars come from Maven Central through Maven (tools/kafka/pom.xml).
#
#   tools/kafka/kafka.sh start    fetch jars (first time), format storage, start, wait until ready
#   tools/kafka/kafka.sh stop     SIGTERM, wait, SIGKILL if needed; removes the data folder
#   tools/kafka/kafka.sh status   exit 0 if running, 3 if not
#   tools/kafka/kafka.sh restart | fetch (jars only) | logs (tail the broker log)
#
# Bootstrap address: 127.0.0.1:${BATON_KAFKA_PORT:-9092} (PLAINTEXT); controller on port+1.
# Needs: bash, Java >= 17, Maven (first start only), node + kafkajs from the repo's
# node_modules for the readiness check (falls back to a Java AdminClient check).
#
# Measured 2026-11-26 on the 2-core / 24 GiB dev machine (Kafka 4.4.0, OpenJDK 17.0.15,
# Maven 3.8.7, node 24 + kafkajs 2.2.4), wall clock of `kafka.sh start` until ready:
#   cold (empty BATON_KAFKA_HOME: Maven fetches the dependency plugin + 45 jars, ~43 MB
#         of jars, ~66 MB local repo):            8.7 s, 9.3 s, 9.3 s, 11.5 s
#   warm (jars cached, Maven not run, no network): 3.6 s, 4.1 s, 4.2 s, 5.2 s, 5.5 s
#   `stop` (SIGTERM, controlled shutdown):         ~2 s
# "Ready" = Metadata/DescribeCluster answered and FindCoordinator for a consumer group
# succeeded (so __consumer_offsets exists), not just an open TCP port.
#
# Environment (all optional):
#   BATON_KAFKA_VERSION        org.apache.kafka:kafka_2.13 version (default 4.4.0; 4.x only)
#   BATON_KAFKA_PORT           broker port (default 9092); controller uses port+1
#   BATON_KAFKA_CONTROLLER_PORT  override the controller port
#   BATON_KAFKA_HOME           jar cache (default $HOME/.cache/baton/kafka); Maven's local
#                              repo for this tool lives in $BATON_KAFKA_HOME/m2
#   BATON_KAFKA_M2_REPO        use another Maven local repo instead (e.g. ~/.m2/repository)
#   BATON_KAFKA_RUN_DIR        pid, log, server.properties, data/ (default ${TMPDIR:-/tmp}/baton-kafka-<port>)
#   BATON_KAFKA_AUTO_CREATE    auto.create.topics.enable (default false, see below)
#   BATON_KAFKA_PARTITIONS     num.partitions for auto-created topics (default 3)
#   BATON_KAFKA_EXTRA_PROPS    extra server.properties lines appended verbatim (newline separated)
#   BATON_KAFKA_HEAP_OPTS      default "-Xms256m -Xmx512m"
#   BATON_KAFKA_JIT_OPTS       default "-XX:TieredStopAtLevel=1" (C1 only; see below); "" for
#                              the JVM's default tiered C1+C2 compilation
#   BATON_KAFKA_JVM_OPTS       extra JVM flags
#   BATON_KAFKA_LOG_LEVEL      root log level of the broker log (default WARN)
#   BATON_KAFKA_START_TIMEOUT  seconds to wait for readiness (default 90)
#   BATON_KAFKA_STOP_TIMEOUT   seconds between SIGTERM and SIGKILL (default 30)
#   BATON_KAFKA_READY_CHECK    auto | node | java (default auto: node+kafkajs if resolvable)
#
# auto.create.topics.enable defaults to FALSE (production-like): a producer or consumer
# that names a topic nobody created fails loudly (UNKNOWN_TOPIC_OR_PARTITION) instead
# of silently getting a topic with whatever partition count the broker picks, which is
# exactly the bug you want CI to catch. The app/tests must create their topics (admin
# createTopics). Set BATON_KAFKA_AUTO_CREATE=true for quick experiments.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VERSION="${BATON_KAFKA_VERSION:-4.4.0}"
HOST=127.0.0.1
PORT="${BATON_KAFKA_PORT:-9092}"
CONTROLLER_PORT="${BATON_KAFKA_CONTROLLER_PORT:-$((PORT + 1))}"
BOOTSTRAP="$HOST:$PORT"
KHOME="${BATON_KAFKA_HOME:-${HOME:-/tmp}/.cache/baton/kafka}"
M2_REPO="${BATON_KAFKA_M2_REPO:-$KHOME/m2}"
RUN_DIR="${BATON_KAFKA_RUN_DIR:-${TMPDIR:-/tmp}/baton-kafka-$PORT}"
DATA_DIR="$RUN_DIR/data"
PID_FILE="$RUN_DIR/kafka.pid"
LOG_FILE="$RUN_DIR/kafka.log"
PROPS="$RUN_DIR/server.properties"
START_TIMEOUT="${BATON_KAFKA_START_TIMEOUT:-90}"
STOP_TIMEOUT="${BATON_KAFKA_STOP_TIMEOUT:-30}"
AUTO_CREATE="${BATON_KAFKA_AUTO_CREATE:-false}"
PARTITIONS="${BATON_KAFKA_PARTITIONS:-3}"
HEAP_OPTS="${BATON_KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
# This broker lives for one test run or one bench, on a box of 2 cores. With the JVM's default
# tiered compilation, its C2 compiler kept ~0.4 of the 2 cores busy for the first ~40 s under the
# Kafka bench's load (broker CPU 0.6-0.7 cores early, ~0.2 once compiled), CPU the services
# needed; with C1 alone the broker sits at ~0.2 cores from the first seconds and no higher later.
# Cold-broker Kafka bench (--runs 16000 --concurrency 200, alternating, same sitting): 540, 568,
# 594 runs/s with C2, 682, 733, 701 with C1 only.
JIT_OPTS="${BATON_KAFKA_JIT_OPTS--XX:TieredStopAtLevel=1}"
LOG_LEVEL="${BATON_KAFKA_LOG_LEVEL:-WARN}"
READY_CHECK="${BATON_KAFKA_READY_CHECK:-auto}"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

# The jar folder is keyed by version and by the pom's content, so editing pom.xml
# (e.g. another log4j line) fetches again instead of using stale jars.
POM_HASH="$(sha256sum "$HERE/pom.xml" | cut -c1-10)"
LIB_DIR="$KHOME/kafka_2.13-$VERSION-$POM_HASH"

log() { printf 'kafka.sh: %s\n' "$*"; }
die() { printf 'kafka.sh: error: %s\n' "$*" >&2; exit 1; }

now_ms() { date +%s%3N; }

# Exclusive locks, released when this script exits: fd 9 guards the run dir
# (start/stop), fd 8 the jar cache (fetch). The broker is started with both closed.
lock_run() {
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p "$(dirname "$RUN_DIR")"
  exec 9>"$RUN_DIR.lock"
  flock -w 600 9 || die "could not lock $RUN_DIR.lock within 600 s"
}
lock_cache() {
  command -v flock >/dev/null 2>&1 || return 0
  mkdir -p "$KHOME"
  exec 8>"$KHOME/.fetch.lock"
  flock -w 600 8 || die "could not lock $KHOME/.fetch.lock within 600 s"
}

check_java() {
  command -v "$JAVA" >/dev/null 2>&1 || die "java not found (Java >= 17 is required; set JAVA_HOME)"
  local major
  major="$("$JAVA" -version 2>&1 | sed -nE '1s/.*version "([0-9]+).*/\1/p')"
  [[ -n "$major" && "$major" -ge 17 ]] || die "Kafka $VERSION needs Java >= 17, found: $("$JAVA" -version 2>&1 | head -1)"
}

check_version() {
  [[ "$VERSION" =~ ^4\. ]] || die "BATON_KAFKA_VERSION=$VERSION: only Kafka 4.x is supported by this script (log4j2 config, KRaft-only flags)"
}

# Resolves kafka_2.13:$VERSION and its runtime dependencies into $LIB_DIR (once).
fetch() {
  check_version
  if [[ -f "$LIB_DIR/.complete" ]]; then return 0; fi
  lock_cache
  if [[ -f "$LIB_DIR/.complete" ]]; then return 0; fi # fetched by a concurrent run
  command -v mvn >/dev/null 2>&1 || die "mvn not found: Maven is needed to fetch Kafka $VERSION the first time"
  local tmp="$LIB_DIR.tmp.$$" mvn_log="$KHOME/mvn-$VERSION.log"
  rm -rf "$tmp"
  log "fetching org.apache.kafka:kafka_2.13:$VERSION and its runtime dependencies with Maven (first run only)..."
  if ! mvn -B -q -ntp -Dstyle.color=never \
    -f "$HERE/pom.xml" \
    -Dmaven.repo.local="$M2_REPO" \
    -Dkafka.version="$VERSION" \
    -Dmaven.wagon.http.retryHandler.count=3 \
    dependency:copy-dependencies \
    -DincludeScope=runtime \
    -DoutputDirectory="$tmp" >"$mvn_log" 2>&1 </dev/null; then
    tail -n 40 "$mvn_log" >&2
    rm -rf "$tmp"
    die "Maven could not resolve org.apache.kafka:kafka_2.13:$VERSION (full log: $mvn_log)"
  fi
  [[ -f "$tmp/kafka_2.13-$VERSION.jar" ]] || { rm -rf "$tmp"; die "Maven finished but kafka_2.13-$VERSION.jar is missing in $tmp"; }
  touch "$tmp/.complete"
  rm -rf "$LIB_DIR"
  mv "$tmp" "$LIB_DIR"
  log "cached $(find "$LIB_DIR" -name '*.jar' | wc -l) jars in $LIB_DIR"
}

# 0 if the pid file names a live process that is our broker (not a recycled pid).
is_running() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $PROPS" || return 1
}

port_in_use() {
  timeout 2 bash -c "exec 3<>/dev/tcp/$HOST/$1" 2>/dev/null
}

write_props() {
  cat >"$PROPS" <<EOF
# Written by tools/kafka/kafka.sh start — single-node KRaft (combined broker+controller).
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
listeners=PLAINTEXT://$HOST:$PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$DATA_DIR

num.partitions=$PARTITIONS
auto.create.topics.enable=$AUTO_CREATE
delete.topic.enable=true

# A single broker: every internal topic with replication factor 1.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# Sized for a small shared machine.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=1
EOF
  if [[ -n "${BATON_KAFKA_EXTRA_PROPS:-}" ]]; then
    printf '\n# BATON_KAFKA_EXTRA_PROPS\n%s\n' "$BATON_KAFKA_EXTRA_PROPS" >>"$PROPS"
  fi
}

# Random Kafka cluster id: 16 random bytes, URL-safe base64 without padding
# (same format as `kafka-storage.sh random-uuid`, without paying for a JVM start). One that
# starts with '-' would be read by kafka-storage's argument parser as an option (a 1-in-64
# chance per start), so such ids are drawn again.
cluster_id() {
  local id
  while :; do
    id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && break
  done
  printf '%s' "$id"
}

wait_ready() {
  local pid="$1" mode="$READY_CHECK"
  if [[ "$mode" == auto ]]; then
    if command -v node >/dev/null 2>&1 && (cd "$HERE" && node -e "require.resolve('kafkajs')" >/dev/null 2>&1); then
      mode=node
    else
      mode=java
    fi
  fi
  if [[ "$mode" == node ]]; then
    local rc=0
    node "$HERE/wait-ready.mjs" "$BOOTSTRAP" "$START_TIMEOUT" "$pid" || rc=$?
    [[ "$rc" -ne 3 ]] && return "$rc"
    log "kafkajs not loadable; checking readiness with the Java AdminClient instead"
  fi
  "$JAVA" -Xmx128m -Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dbaton.kafka.log.level=ERROR \
    -cp "$LIB_DIR/*" "$HERE/ReadyCheck.java" "$BOOTSTRAP" "$START_TIMEOUT" "$pid"
}

start() {
  local t0
  t0="$(now_ms)"
  lock_run
  if is_running; then
    log "Kafka is already running (pid $(cat "$PID_FILE")): bootstrap $BOOTSTRAP"
    return 0
  fi
  rm -f "$PID_FILE"
  check_java
  for p in "$PORT" "$CONTROLLER_PORT"; do
    port_in_use "$p" && die "port $HOST:$p is already in use by another process (set BATON_KAFKA_PORT)"
  done
  fetch

  mkdir -p "$RUN_DIR"
  rm -rf "$DATA_DIR"
  write_props
  echo "$VERSION" >"$RUN_DIR/version"

  local jvm_log=(-Dlog4j2.configurationFile="$HERE/log4j2.properties" -Dbaton.kafka.log.level="$LOG_LEVEL")
  if ! "$JAVA" -Xmx256m "${jvm_log[@]}" -cp "$LIB_DIR/*" kafka.tools.StorageTool \
    format -t "$(cluster_id)" -c "$PROPS" >"$RUN_DIR/format.log" 2>&1 </dev/null; then
    cat "$RUN_DIR/format.log" >&2
    die "formatting the storage in $DATA_DIR failed"
  fi

  : >"$LOG_FILE"
  local setsid=()
  command -v setsid >/dev/null 2>&1 && setsid=(setsid) # own session: a Ctrl-C in the caller's terminal does not reach it
  # shellcheck disable=SC2086 # HEAP_OPTS / JIT_OPTS / BATON_KAFKA_JVM_OPTS are word lists on purpose
  "${setsid[@]}" nohup "$JAVA" $HEAP_OPTS $JIT_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    "${jvm_log[@]}" ${BATON_KAFKA_JVM_OPTS:-} \
    -cp "$LIB_DIR/*" kafka.Kafka "$PROPS" >>"$LOG_FILE" 2>&1 </dev/null 8>&- 9>&- &
  local pid=$!
  echo "$pid" >"$PID_FILE"
  log "started Kafka $VERSION (pid $pid, log $LOG_FILE); waiting up to ${START_TIMEOUT}s for it to answer on $BOOTSTRAP..."

  if ! wait_ready "$pid"; then
    echo "---- last 60 lines of $LOG_FILE ----" >&2
    tail -n 60 "$LOG_FILE" >&2
    echo "----" >&2
    stop_pid "$pid"
    rm -f "$PID_FILE"
    die "Kafka did not become ready on $BOOTSTRAP"
  fi
  local t1
  t1="$(now_ms)"
  log "Kafka $VERSION is ready in $(((t1 - t0) / 1000)).$(((t1 - t0) % 1000 / 100))s — bootstrap: $BOOTSTRAP"
}

# SIGTERM (controlled shutdown), wait, then SIGKILL.
stop_pid() {
  local pid="$1" deadline
  kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$(($(date +%s) + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null && [[ "$(date +%s)" -lt "$deadline" ]]; do sleep 0.2; done
  if kill -0 "$pid" 2>/dev/null; then
    log "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
}

stop() {
  lock_run
  if is_running; then
    local pid
    pid="$(cat "$PID_FILE")"
    log "stopping Kafka (pid $pid)..."
    stop_pid "$pid"
    log "stopped"
  else
    log "Kafka is not running (no live broker behind $PID_FILE)"
  fi
  rm -f "$PID_FILE"
  rm -rf "$DATA_DIR"
}

status() {
  if is_running; then
    log "running: Kafka $(cat "$RUN_DIR/version" 2>/dev/null || echo '?') pid $(cat "$PID_FILE"), bootstrap $BOOTSTRAP, log $LOG_FILE"
    return 0
  fi
  log "not running (bootstrap would be $BOOTSTRAP)"
  return 3
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  restart) stop && start ;;
  status) status ;;
  fetch) fetch && log "jars: $LIB_DIR" ;;
  logs) tail -n "${2:-100}" "$LOG_FILE" ;;
  *)
    echo "usage: $0 start|stop|restart|status|fetch|logs [lines]" >&2
    exit 2
    ;;
esac
