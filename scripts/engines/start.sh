#!/usr/bin/env bash
# Starts real engines on 127.0.0.1 from Maven jars (no Docker) and returns once each answers a real
# request (Kafka: cluster metadata through the admin API; Cassandra: a CQL query), printing versions
# and startup times. Writes $ENGINES_RUN/<engine>/env with the variables the tests read.
# Usage: scripts/engines/start.sh [kafka|cassandra|kafka-secure|cassandra-secure|all|secure|everything]...
#   all (the default): the plain engines; secure: the secured ones (SASL_SSL Kafka, Cassandra with
#   password authentication and TLS); everything: the four side by side. Stop with scripts/engines/stop.sh.
# Every start begins with empty data, except with ENGINE_REUSE_DATA=1 (see restart.sh).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

[ "$#" -gt 0 ] || set -- all
targets="$(for name in "$@"; do engines_of "$name"; done | tr ' ' '\n' | awk 'NF && !seen[$0]++' | tr '\n' ' ')"
for name in "$@"; do "$ENGINES_SRC/fetch.sh" "$name"; done
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

# The run directory of an engine, wiped unless its data is reused (restart.sh); the secured engines'
# certificates and passwords live in it too, so a restart keeps them.
prepare_run() {
  local engine="$1" marker="$2" run="$ENGINES_RUN/$1"
  if [ "${ENGINE_REUSE_DATA:-0}" = 1 ] && [ -e "$run/$marker" ]; then
    mv "$run/$engine.log" "$run/$engine.log.previous" 2>/dev/null || true
    return 1
  fi
  rm -rf "$run"
  return 0
}

# Passwords of a secured engine: random per fresh start, kept across restarts. Test secrets only, but
# still never printed: the suites grep every output for them.
secured_secrets() {
  local run="$1"
  if [ ! -f "$run/secrets" ]; then
    {
      echo "APP_PASSWORD=secret-$(openssl rand -hex 12)"
      echo "BROKER_PASSWORD=broker-$(openssl rand -hex 12)"
    } >"$run/secrets"
    chmod 600 "$run/secrets"
  fi
  # shellcheck disable=SC1091 # written just above
  source "$run/secrets"
}

# The application's SCRAM user on the secured broker (the env file names it for the tests).
SECURED_KAFKA_USER=kafka-monitor
SECURED_CASSANDRA_USER=kafka_monitor

launch_kafka() {
  local engine="${1:-kafka}" run="$ENGINES_RUN/${1:-kafka}" libs reuse=false port controller heap
  libs="$(engine_libs kafka)"
  if [ "$engine" = kafka-secure ]; then
    port="$ENGINE_KAFKA_SECURE_PORT" controller="$ENGINE_KAFKA_SECURE_CONTROLLER_PORT" heap="$ENGINE_KAFKA_SECURE_HEAP"
  else
    port="$ENGINE_KAFKA_PORT" controller="$ENGINE_KAFKA_CONTROLLER_PORT" heap="$ENGINE_KAFKA_HEAP"
  fi
  prepare_run "$engine" data/meta.properties || reuse=true
  mkdir -p "$run/data" "$run/tmp" "$run/conf"
  render "$ENGINES_SRC/kafka/server.properties.tmpl" "$run/conf/server.properties" \
    "KAFKA_PORT=$port" "KAFKA_CONTROLLER_PORT=$controller" "KAFKA_DATA=$run/data"
  local format_extra=()
  if [ "$engine" = kafka-secure ]; then
    [ "$reuse" = true ] || "$ENGINES_SRC/certs.sh" "$run/certs"
    secured_secrets "$run"
    render "$ENGINES_SRC/kafka/secure.properties.tmpl" "$run/conf/secure.properties" \
      "KAFKA_PORT=$port" "KAFKA_CONTROLLER_PORT=$controller" "CERTS=$run/certs" \
      "STORE_PASSWORD=$(cat "$run/certs/store-password")" "BROKER_USER=broker" "BROKER_PASSWORD=$BROKER_PASSWORD"
    cat "$run/conf/secure.properties" >>"$run/conf/server.properties"
    rm "$run/conf/secure.properties"
    chmod 600 "$run/conf/server.properties"
    # SCRAM credentials go into the cluster's bootstrap metadata, so they exist before the first client.
    format_extra=(--add-scram "SCRAM-SHA-512=[name=broker,password=$BROKER_PASSWORD]"
      --add-scram "SCRAM-SHA-512=[name=$SECURED_KAFKA_USER,password=$APP_PASSWORD]")
    write_kafka_secure_env "$run" "$port"
  fi
  cp "$ENGINES_SRC/kafka/log4j2.properties" "$run/conf/"
  # G1 settings of kafka-run-class.sh; C1 only (TieredStopAtLevel=1) because on 2 shared cores the
  # C2 compiler threads cost more start-up time than a test broker ever gains back.
  # shellcheck disable=SC2206 # the heap setting is a list of flags on purpose
  local opts=($heap -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
    -XX:+ExplicitGCInvokesConcurrent -XX:TieredStopAtLevel=1 -Djava.awt.headless=true
    "-Dlog4j2.configurationFile=$run/conf/log4j2.properties" "-Dkafka.logs.dir=$run"
    "-Djava.io.tmpdir=$run/tmp") # zstd/snappy unpack native code there; /tmp may be noexec
  if [ "$engine" = kafka ]; then
    # JMX on loopback only, without authentication, like Cassandra's local JMX: bench:engines reads the
    # broker's request counters (scripts/engines/jmx.sh). One port for the registry and the connection.
    opts+=(-Dcom.sun.management.jmxremote "-Dcom.sun.management.jmxremote.port=$ENGINE_KAFKA_JMX_PORT"
      "-Dcom.sun.management.jmxremote.rmi.port=$ENGINE_KAFKA_JMX_PORT" -Dcom.sun.management.jmxremote.host=127.0.0.1
      -Djava.rmi.server.hostname=127.0.0.1 -Dcom.sun.management.jmxremote.authenticate=false
      -Dcom.sun.management.jmxremote.ssl=false -Dcom.sun.management.jmxremote.local.only=true)
  fi
  # A fixed cluster id is fine: the data directory is new at every start (unless reused on purpose).
  if [ "$reuse" = false ]; then
    "$JAVA" "${opts[@]}" -cp "$libs/*" kafka.tools.StorageTool format -t 4L6g3nShT-eMCtK--X86sw \
      -c "$run/conf/server.properties" "${format_extra[@]}" >"$run/format.log" 2>&1 || {
      cat "$run/format.log" >&2
      die "kafka storage format failed"
    }
  fi
  nohup "$JAVA" "${opts[@]}" -cp "$libs/*" kafka.Kafka "$run/conf/server.properties" \
    >"$run/$engine.log" 2>&1 </dev/null &
  echo $! >"$run/$engine.pid"
}

# What the secured suites need, under SECURED_* (test.sh sources the file: values with spaces are quoted): strip the prefix and the first eight are exactly the
# product's variables for this broker; the rest describe the engine or serve the failure cases.
write_kafka_secure_env() {
  local run="$1" port="$2"
  cat >"$run/env" <<ENV
SECURED_KAFKA_BROKERS=127.0.0.1:$port
SECURED_KAFKA_SECURITY_PROTOCOL=SASL_SSL
SECURED_KAFKA_SASL_MECHANISM=SCRAM-SHA-512
SECURED_KAFKA_SASL_USERNAME=$SECURED_KAFKA_USER
SECURED_KAFKA_SASL_PASSWORD=$APP_PASSWORD
SECURED_KAFKA_SSL_CA_FILE=$run/certs/ca.pem
SECURED_KAFKA_SSL_CERT_FILE=$run/certs/client.pem
SECURED_KAFKA_SSL_KEY_FILE=$run/certs/client.key
SECURED_KAFKA_UNTRUSTED_CA_FILE=$run/certs/other-ca.pem
SECURED_KAFKA_LISTENER='SASL_SSL://127.0.0.1:$port (SCRAM-SHA-512, TLS with client certificate required)'
ENV
  chmod 600 "$run/env"
}

launch_cassandra() {
  local engine="${1:-cassandra}" run="$ENGINES_RUN/${1:-cassandra}" libs jamm port storage jmx heap cluster
  libs="$(engine_libs cassandra)"
  if [ "$engine" = cassandra-secure ]; then
    port="$ENGINE_CASSANDRA_SECURE_PORT" storage="$ENGINE_CASSANDRA_SECURE_STORAGE_PORT"
    jmx="$ENGINE_CASSANDRA_SECURE_JMX_PORT" heap="$ENGINE_CASSANDRA_SECURE_HEAP" cluster='Secured Test Cluster'
  else
    port="$ENGINE_CASSANDRA_PORT" storage="$ENGINE_CASSANDRA_STORAGE_PORT" jmx="$ENGINE_CASSANDRA_JMX_PORT"
    heap="$ENGINE_CASSANDRA_HEAP" cluster='Test Cluster'
  fi
  local reuse=false
  prepare_run "$engine" data/data || reuse=true
  mkdir -p "$run/data" "$run/logs" "$run/tmp" "$run/conf" "$run/triggers"
  render "$ENGINES_SRC/cassandra/cassandra.yaml.tmpl" "$run/conf/cassandra.yaml" \
    "CASSANDRA_PORT=$port" "CASSANDRA_STORAGE_PORT=$storage" "CASSANDRA_DATA=$run/data" "CLUSTER_NAME=$cluster"
  if [ "$engine" = cassandra-secure ]; then
    [ "$reuse" = true ] || "$ENGINES_SRC/certs.sh" "$run/certs"
    secured_secrets "$run"
    render "$ENGINES_SRC/cassandra/secure.yaml.tmpl" "$run/conf/secure.yaml" \
      "CERTS=$run/certs" "STORE_PASSWORD=$(cat "$run/certs/store-password")"
    cat "$run/conf/secure.yaml" >>"$run/conf/cassandra.yaml"
    rm "$run/conf/secure.yaml"
    chmod 600 "$run/conf/cassandra.yaml"
    write_cassandra_secure_env "$run" "$port"
  fi
  cp "$ENGINES_SRC/cassandra/logback.xml" "$run/conf/"
  jamm="$(find "$libs" -name 'jamm-*.jar' | head -n 1 || true)"
  [ -n "$jamm" ] || die "jamm jar missing from $libs"
  # The stock bin/cassandra is not in the Maven artifacts, so its flags are passed by hand:
  # conf/jvm-server.options, conf/jvm17-server.options and cassandra-env.sh of the 5.0 branch.
  # The JPMS list is all-or-nothing: one missing --add-opens only moves the failure to the next class.
  # shellcheck disable=SC2206 # the heap setting is a list of flags on purpose
  local opts=($heap
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
    "-Dcassandra.jmx.local.port=$jmx"
    # One node: nothing to gossip with, so skip the settle wait and the ring delay.
    -Dcassandra.skip_wait_for_gossip_to_settle=0 -Dcassandra.ring_delay_ms=1000
    # The default superuser (used once by the secured node's probe) is created at once, not after 10 s.
    -Dcassandra.superuser_setup_delay_ms=0
    # Throwaway test data: no fsync.
    -Dcassandra.skip_sync=true -Dcassandra.unsafesystem=true
    "-Djna.tmpdir=$run/tmp" "-Djava.io.tmpdir=$run/tmp")
  nohup "$JAVA" "${opts[@]}" -cp "$run/conf:$libs/*" org.apache.cassandra.service.CassandraDaemon \
    >"$run/$engine.log" 2>&1 </dev/null &
  echo $! >"$run/$engine.pid"
}

write_cassandra_secure_env() {
  local run="$1" port="$2"
  cat >"$run/env" <<ENV
SECURED_CASSANDRA_HOST=127.0.0.1
SECURED_CASSANDRA_PORT=$port
SECURED_CASSANDRA_DATACENTER=datacenter1
SECURED_CASSANDRA_USERNAME=$SECURED_CASSANDRA_USER
SECURED_CASSANDRA_PASSWORD=$APP_PASSWORD
SECURED_CASSANDRA_SSL=true
SECURED_CASSANDRA_SSL_CA_FILE=$run/certs/ca.pem
SECURED_CASSANDRA_SSL_CERT_FILE=$run/certs/client.pem
SECURED_CASSANDRA_SSL_KEY_FILE=$run/certs/client.key
SECURED_CASSANDRA_UNTRUSTED_CA_FILE=$run/certs/other-ca.pem
SECURED_CASSANDRA_LISTENER='127.0.0.1:$port (TLS only with client certificate required, PasswordAuthenticator, CassandraAuthorizer)'
ENV
  chmod 600 "$run/env"
}

ready_line() {
  case "$(base_engine "$1")" in
    kafka) echo 'Kafka Server started' ;;
    cassandra) echo 'Startup complete' ;;
  esac
}

timeout_of() {
  case "$(base_engine "$1")" in
    kafka) echo "$ENGINE_KAFKA_TIMEOUT" ;;
    cassandra) echo "$ENGINE_CASSANDRA_TIMEOUT" ;;
  esac
}

listener_of() {
  case "$1" in
    kafka) echo "PLAINTEXT://127.0.0.1:$ENGINE_KAFKA_PORT" ;;
    cassandra) echo "127.0.0.1:$ENGINE_CASSANDRA_PORT (no authentication, unencrypted)" ;;
    *) sed -n "s/^SECURED_[A-Z]*_LISTENER='\\(.*\\)'\$/\\1/p" "$ENGINES_RUN/$1/env" ;;
  esac
}

declare -A started_at
for engine in $targets; do
  if is_running "$engine"; then die "$engine is already running (pid $(pid_of "$engine")); run scripts/engines/stop.sh first"; fi
  port_in_use "$(port_of "$engine")" && die "port $(port_of "$engine") is taken by another process; set $(port_variable_of "$engine")"
done
# The JVMs start at once: their start-ups overlap instead of adding up.
for engine in $targets; do
  started_at[$engine]=$SECONDS
  log "starting $engine $(engine_version "$engine") on 127.0.0.1:$(port_of "$engine") (log: $ENGINES_RUN/$engine/$engine.log)"
  "launch_$(base_engine "$engine")" "$engine"
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
  # The log line only says the server thinks it is up; a real request proves clients can use it. A
  # secured engine is probed with the credentials and certificates of its env file (cassandra-secure:
  # the probe also creates the application's role).
  remaining=$((deadline - SECONDS))
  [ "$remaining" -gt 10 ] || remaining=10
  answer="$("$TSX" "$ENGINES_SRC/probe.ts" "$engine" "127.0.0.1:$(port_of "$engine")" "$remaining" "$ENGINES_RUN/$engine/env" create-role)" ||
    die "$engine logged '$(ready_line "$engine")' but does not answer requests (log: $logfile)"
  if [ "$(base_engine "$engine")" = kafka ]; then
    # The admin API does not report the broker's version; the broker logs it at start.
    answer="$(grep -o 'Kafka version: [^ ]*' "$logfile" | head -n 1 || true), $answer"
  fi
  answer="$answer; listener $(listener_of "$engine")"
  summary+=("$engine $(engine_version "$engine") ready in $((SECONDS - started_at[$engine])) s: $answer")
  # Kept for test.sh, which repeats the versions after the test output.
  echo "${summary[-1]}" >"$ENGINES_RUN/$engine/version"
done

# One env file per engine, so a wrapper can source exactly what it started (the secured engines wrote
# theirs at launch: their probe needs it).
for engine in $targets; do
  case "$engine" in
    kafka) echo "KAFKA_BROKERS=127.0.0.1:$ENGINE_KAFKA_PORT" >"$ENGINES_RUN/$engine/env" ;;
    cassandra)
      printf 'CASSANDRA_HOST=127.0.0.1\nCASSANDRA_PORT=%s\nCASSANDRA_DATACENTER=datacenter1\n' "$ENGINE_CASSANDRA_PORT" \
        >"$ENGINES_RUN/$engine/env"
      ;;
  esac
done
for line in "${summary[@]}"; do log "$line"; done
