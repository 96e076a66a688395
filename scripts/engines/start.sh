#!/usr/bin/env bash
# Starts real engines on 127.0.0.1 from Maven jars (no Docker) and returns once each answers a real
# request (Kafka: cluster metadata through the admin API; Cassandra: a CQL query), printing versions
# and startup times. Writes $ENGINES_RUN/env with KAFKA_BROKERS / CASSANDRA_* for the tests.
# Usage: scripts/engines/start.sh [kafka|cassandra|all]     Stop with scripts/engines/stop.sh.
# Every start begins with empty data, except with ENGINE_REUSE_DATA=1 (see restart.sh).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

targets="$(engines_of "${1:-all}")"
"$ENGINES_SRC/fetch.sh" "${1:-all}"
JAVA="$(find_java17)"
TSX="$REPO_ROOT/node_modules/.bin/tsx"
[ -x "$TSX" ] || die "node_modules/.bin/tsx missing: run npm install (or npm ci) first"

render() {
  local template="$1" target="$2"
  shift 2
  local args=() pair
  for pair in "$@"; do args+=(-e "s|@${pair%%=*}@|${pair#*=}|g"); done
  sed "${args[@]}" "$template" >"$target"
}

# An engine that started but whose neighbour failed (or that never answered) must not stay behind.
launched=()
# shellcheck disable=SC2317 # called by the EXIT trap
on_exit() {
  local status=$? engine
  [ "$status" -eq 0 ] && return 0
  for engine in "${launched[@]}"; do "$ENGINES_SRC/stop.sh" "$engine" || true; done
  return "$status"
}
trap on_exit EXIT

launch_kafka() {
  local run="$ENGINES_RUN/kafka" libs reuse=false
  libs="$(engine_libs kafka)"
  if [ "${ENGINE_REUSE_DATA:-0}" = 1 ] && [ -f "$run/data/meta.properties" ]; then
    reuse=true
    mv "$run/kafka.log" "$run/kafka.log.previous" 2>/dev/null || true
  else
    rm -rf "$run"
  fi
  mkdir -p "$run/data" "$run/tmp" "$run/conf"
  render "$ENGINES_SRC/kafka/server.properties.tmpl" "$run/conf/server.properties" \
    "KAFKA_PORT=$ENGINE_KAFKA_PORT" "KAFKA_CONTROLLER_PORT=$ENGINE_KAFKA_CONTROLLER_PORT" "KAFKA_DATA=$run/data"
  cp "$ENGINES_SRC/kafka/log4j2.properties" "$run/conf/"
  # G1 settings of kafka-run-class.sh; C1 only (TieredStopAtLevel=1) because on 2 shared cores the
  # C2 compiler threads cost more start-up time than a test broker ever gains back.
  # shellcheck disable=SC2206 # the heap setting is a list of flags on purpose
  local opts=($ENGINE_KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$run/conf/log4j2.properties" "-Dkafka.logs.dir=$run"
    "-Djava.io.tmpdir=$run/tmp") # zstd/snappy unpack native code there; /tmp may be noexec
  # A fixed cluster id is fine: the data directory is new at every start (unless reused on purpose).
  if [ "$reuse" = false ]; then
    "$JAVA" "${opts[@]}" -cp "$libs/*" kafka.tools.StorageTool format -t 4L6g3nShT-eMCtK--X86sw \
      -c "$run/conf/server.properties" >"$run/format.log" 2>&1 || {
      cat "$run/format.log" >&2
      die "kafka storage format failed"
    }
  fi
  nohup "$JAVA" "${opts[@]}" -cp "$libs/*" kafka.Kafka "$run/conf/server.properties" \
    >"$run/kafka.log" 2>&1 </dev/null &
  echo $! >"$run/kafka.pid"
}

launch_cassandra() {
  local run="$ENGINES_RUN/cassandra" libs jamm
  libs="$(engine_libs cassandra)"
  if [ "${ENGINE_REUSE_DATA:-0}" = 1 ] && [ -d "$run/data/data" ]; then
    mv "$run/cassandra.log" "$run/cassandra.log.previous" 2>/dev/null || true
  else
    rm -rf "$run"
  fi
  mkdir -p "$run/data" "$run/logs" "$run/tmp" "$run/conf" "$run/triggers"
  render "$ENGINES_SRC/cassandra/cassandra.yaml.tmpl" "$run/conf/cassandra.yaml" \
    "CASSANDRA_PORT=$ENGINE_CASSANDRA_PORT" "CASSANDRA_STORAGE_PORT=$ENGINE_CASSANDRA_STORAGE_PORT" \
    "CASSANDRA_DATA=$run/data"
  cp "$ENGINES_SRC/cassandra/logback.xml" "$run/conf/"
  jamm="$(find "$libs" -name 'jamm-*.jar' | head -n 1 || true)"
  [ -n "$jamm" ] || die "jamm jar missing from $libs"
  # The stock bin/cassandra is not in the Maven artifacts, so its flags are passed by hand:
  # conf/jvm-server.options, conf/jvm17-server.options and cassandra-env.sh of the 5.0 branch.
  # The JPMS list is all-or-nothing: one missing --add-opens only moves the failure to the next class.
  # shellcheck disable=SC2206 # the heap setting is a list of flags on purpose
  local opts=($ENGINE_CASSANDRA_HEAP
    -ea -da:net.openhft... -XX:+UseThreadPriorities -XX:+HeapDumpOnOutOfMemoryError -Xss256k
    -XX:+UseTLAB -XX:+ResizeTLAB -XX:+PerfDisableSharedMem -Djava.net.preferIPv4Stack=true
    -XX:+ExitOnOutOfMemoryError -XX:TieredStopAtLevel=1
    -XX:+UseG1GC -XX:+ParallelRefProcEnabled -XX:MaxTenuringThreshold=1 -XX:G1HeapRegionSize=16m
    -XX:G1RSetUpdatingPauseTimePercent=5 -XX:MaxGCPauseMillis=300 -XX:InitiatingHeapOccupancyPercent=70
    -Djdk.attach.allowAttachSelf=true
    --add-exports java.base/jdk.internal.misc=ALL-UNNAMED
    --add-exports java.management.rmi/com.sun.jmx.remote.internal.rmi=ALL-UNNAMED
    --add-exports java.management/com.sun.jmx.remote.security=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.registry=ALL-UNNAMED
    --add-exports java.rmi/sun.rmi.server=ALL-UNNAMED
    --add-exports java.sql/java.sql=ALL-UNNAMED
    --add-exports java.base/java.lang.ref=ALL-UNNAMED
    --add-exports jdk.unsupported/sun.misc=ALL-UNNAMED
    --add-opens java.base/java.lang.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.loader=ALL-UNNAMED
    --add-opens java.base/jdk.internal.ref=ALL-UNNAMED
    --add-opens java.base/jdk.internal.reflect=ALL-UNNAMED
    --add-opens java.base/jdk.internal.math=ALL-UNNAMED
    --add-opens java.base/jdk.internal.module=ALL-UNNAMED
    --add-opens java.base/jdk.internal.util.jar=ALL-UNNAMED
    --add-opens jdk.management/com.sun.management.internal=ALL-UNNAMED
    --add-opens java.base/sun.nio.ch=ALL-UNNAMED
    --add-opens java.base/java.io=ALL-UNNAMED
    --add-opens java.base/java.lang.reflect=ALL-UNNAMED
    --add-opens java.base/java.lang=ALL-UNNAMED
    --add-opens java.base/java.util=ALL-UNNAMED
    --add-opens java.base/java.nio=ALL-UNNAMED
    -Dio.netty.tryReflectionSetAccessible=true -Dio.netty.allocator.useCacheForAllThreads=true
    -Dio.netty.allocator.maxOrder=11
    "-javaagent:$jamm"
    "-Dcassandra.config=file://$run/conf/cassandra.yaml"
    "-Dcassandra.logdir=$run/logs" "-Dcassandra.triggers_dir=$run/triggers" "-Dlogback.configurationFile=$run/conf/logback.xml"
    -Dcassandra-foreground=yes # otherwise the daemon closes stdout after start and the log goes silent
    "-Dcassandra.jmx.local.port=$ENGINE_CASSANDRA_JMX_PORT"
    # One node: nothing to gossip with, so skip the settle wait and the ring delay.
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=1000
    -Dcassandra.superuser_setup_delay_ms=0
    # Throwaway test data: no fsync.
    -Dcassandra.skip_sync=true -Dcassandra.unsafesystem=true
    "-Djna.tmpdir=$run/tmp" "-Djava.io.tmpdir=$run/tmp")
  nohup "$JAVA" "${opts[@]}" -cp "$run/conf:$libs/*" org.apache.cassandra.service.CassandraDaemon \
    >"$run/cassandra.log" 2>&1 </dev/null &
  echo $! >"$run/cassandra.pid"
}

ready_line() {
  case "$1" in
    kafka) echo 'Kafka Server started' ;;
    cassandra) echo 'Startup complete' ;;
  esac
}

port_of() {
  case "$1" in
    kafka) echo "$ENGINE_KAFKA_PORT" ;;
    cassandra) echo "$ENGINE_CASSANDRA_PORT" ;;
  esac
}

timeout_of() {
  case "$1" in
    kafka) echo "$ENGINE_KAFKA_TIMEOUT" ;;
    cassandra) echo "$ENGINE_CASSANDRA_TIMEOUT" ;;
  esac
}

declare -A started_at
for engine in $targets; do
  if is_running "$engine"; then die "$engine is already running (pid $(pid_of "$engine")); run scripts/engines/stop.sh first"; fi
  port_in_use "$(port_of "$engine")" && die "port $(port_of "$engine") is taken by another process; set ENGINE_${engine^^}_PORT"
done
# Both JVMs start at once: their start-ups overlap instead of adding up.
for engine in $targets; do
  started_at[$engine]=$SECONDS
  log "starting $engine $(engine_version "$engine") on 127.0.0.1:$(port_of "$engine") (log: $ENGINES_RUN/$engine/$engine.log)"
  "launch_$engine"
  launched+=("$engine")
done

summary=()
for engine in $targets; do
  logfile="$ENGINES_RUN/$engine/$engine.log"
  deadline=$((started_at[$engine] + $(timeout_of "$engine")))
  until grep -q "$(ready_line "$engine")" "$logfile"; do
    if ! is_running "$engine"; then
      tail -n 80 "$logfile" >&2
      die "$engine exited during start-up (full log: $logfile)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail -n 80 "$logfile" >&2
      die "$engine did not start within $(timeout_of "$engine") s (full log: $logfile)"
    fi
    sleep 0.5
  done
  # The log line only says the server thinks it is up; a real request proves clients can use it.
  remaining=$((deadline - SECONDS))
  [ "$remaining" -gt 10 ] || remaining=10
  answer="$("$TSX" "$ENGINES_SRC/probe.ts" "$engine" "127.0.0.1:$(port_of "$engine")" "$remaining")" ||
    die "$engine logged '$(ready_line "$engine")' but does not answer requests (log: $logfile)"
  if [ "$engine" = kafka ]; then
    # The admin API does not report the broker's version; the broker logs it at start.
    answer="$(grep -o 'Kafka version: [^ ]*' "$logfile" | head -n 1 || true), $answer"
  fi
  summary+=("$engine $(engine_version "$engine") ready in $((SECONDS - started_at[$engine])) s: $answer")
  # Kept for test.sh, which repeats the versions after the test output.
  echo "${summary[-1]}" >"$ENGINES_RUN/$engine/version"
done

# One env file per engine, so a wrapper can source exactly what it started.
for engine in $targets; do
  case "$engine" in
    kafka) echo "KAFKA_BROKERS=127.0.0.1:$ENGINE_KAFKA_PORT" ;;
    cassandra) printf 'CASSANDRA_HOST=127.0.0.1\nCASSANDRA_PORT=%s\nCASSANDRA_DATACENTER=datacenter1\n' "$ENGINE_CASSANDRA_PORT" ;;
  esac >"$ENGINES_RUN/$engine/env"
done
for line in "${summary[@]}"; do log "$line"; done
