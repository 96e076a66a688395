# shellcheck shell=bash
# Shared by fetch.sh, start.sh, stop.sh and test.sh: where things live and which JVM runs them.
# Everything is overridable through the environment so two checkouts (or CI and a developer) can
# run side by side on other ports and directories.

ENGINES_SRC="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_ROOT="$(cd "$ENGINES_SRC/../.." && pwd)"
# Jars are large and identical between runs: keep them out of the repository, reuse them across runs.
ENGINES_CACHE="${ENGINES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kafka-monitor-engines}"
# Data, logs and pid files of the running engines (git-ignored, wiped at every start).
ENGINES_RUN="${ENGINES_RUN:-$REPO_ROOT/.tmp/engines}"

ENGINE_KAFKA_PORT="${ENGINE_KAFKA_PORT:-9092}"
ENGINE_KAFKA_CONTROLLER_PORT="${ENGINE_KAFKA_CONTROLLER_PORT:-9093}"
# The plain broker's JMX (127.0.0.1, no authentication): its request counters for bench:engines. By
# default 907 above the broker's port (9999 for 9092), so a checkout that moves the broker moves it too.
ENGINE_KAFKA_JMX_PORT="${ENGINE_KAFKA_JMX_PORT:-$((ENGINE_KAFKA_PORT + 907))}"
ENGINE_KAFKA_HEAP="${ENGINE_KAFKA_HEAP:--Xms256m -Xmx768m}"
ENGINE_KAFKA_TIMEOUT="${ENGINE_KAFKA_TIMEOUT:-120}"
ENGINE_CASSANDRA_PORT="${ENGINE_CASSANDRA_PORT:-9042}"
ENGINE_CASSANDRA_STORAGE_PORT="${ENGINE_CASSANDRA_STORAGE_PORT:-7000}"
ENGINE_CASSANDRA_JMX_PORT="${ENGINE_CASSANDRA_JMX_PORT:-7199}"
ENGINE_CASSANDRA_HEAP="${ENGINE_CASSANDRA_HEAP:--Xms1g -Xmx1g}"
ENGINE_CASSANDRA_TIMEOUT="${ENGINE_CASSANDRA_TIMEOUT:-240}"
# The secured engines (kafka-secure, cassandra-secure) run beside the plain ones, on ports of their own;
# heaps and timeouts are those of the plain engines unless set.
ENGINE_KAFKA_SECURE_PORT="${ENGINE_KAFKA_SECURE_PORT:-9192}"
ENGINE_KAFKA_SECURE_CONTROLLER_PORT="${ENGINE_KAFKA_SECURE_CONTROLLER_PORT:-9193}"
ENGINE_KAFKA_SECURE_HEAP="${ENGINE_KAFKA_SECURE_HEAP:-$ENGINE_KAFKA_HEAP}"
ENGINE_CASSANDRA_SECURE_PORT="${ENGINE_CASSANDRA_SECURE_PORT:-9142}"
ENGINE_CASSANDRA_SECURE_STORAGE_PORT="${ENGINE_CASSANDRA_SECURE_STORAGE_PORT:-7100}"
ENGINE_CASSANDRA_SECURE_JMX_PORT="${ENGINE_CASSANDRA_SECURE_JMX_PORT:-7299}"
ENGINE_CASSANDRA_SECURE_HEAP="${ENGINE_CASSANDRA_SECURE_HEAP:-$ENGINE_CASSANDRA_HEAP}"

log() { printf '[engines] %s\n' "$*" >&2; }
die() {
  log "ERROR: $*"
  exit 1
}

# The version each pom pins is the single source of truth for the cache directory name.
pom_property() { sed -n "s:.*<$2>\(.*\)</$2>.*:\1:p" "$ENGINES_SRC/$1/pom.xml" | head -n 1 || true; }
KAFKA_VERSION="$(pom_property kafka kafka.version)"
CASSANDRA_VERSION="$(pom_property cassandra cassandra.version)"
# kafka-secure runs the jars of kafka, cassandra-secure those of cassandra.
base_engine() { echo "${1%-secure}"; }
engine_version() {
  case "$(base_engine "$1")" in
    kafka) echo "$KAFKA_VERSION" ;;
    cassandra) echo "$CASSANDRA_VERSION" ;;
    *) die "unknown engine '$1'" ;;
  esac
}
engine_libs() { echo "$ENGINES_CACHE/$(base_engine "$1")-$(engine_version "$1")/libs"; }

# Cassandra 5.0 installs a SecurityManager, which JDK 24+ refuses outright, and Kafka 4 needs 17+:
# pick a JDK 17 explicitly instead of whatever `java` is first on PATH (a Temurin 25 may be).
find_java17() {
  local candidate
  for candidate in "${JAVA17_HOME:-}/bin/java" /usr/lib/jvm/java-17-openjdk-amd64/bin/java \
    /usr/lib/jvm/java-17-openjdk-arm64/bin/java /usr/lib/jvm/java-17-openjdk/bin/java "$(command -v java || true)"; do
    [ -x "$candidate" ] || continue
    if "$candidate" -version 2>&1 | grep -q 'version "17\.'; then
      echo "$candidate"
      return 0
    fi
  done
  die "no JDK 17 found (set JAVA17_HOME); Cassandra 5.0 runs on 11/17 only"
}

pid_of() {
  local file="$ENGINES_RUN/$1/$1.pid"
  [ -f "$file" ] && cat "$file"
}

# True only for our own process: a recycled pid must never be mistaken for a running engine.
is_running() {
  local pid main
  pid="$(pid_of "$1")" || return 1
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  case "$(base_engine "$1")" in
    kafka) main='kafka.Kafka' ;;
    cassandra) main='org.apache.cassandra.service.CassandraDaemon' ;;
  esac
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "$main"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# all: the plain engines; secure: the secured ones; everything: the four.
engines_of() {
  case "${1:-all}" in
    all) echo "kafka cassandra" ;;
    secure) echo "kafka-secure cassandra-secure" ;;
    everything) echo "kafka cassandra kafka-secure cassandra-secure" ;;
    kafka | cassandra | kafka-secure | cassandra-secure) echo "$1" ;;
    *) die "usage: $0 [kafka|cassandra|kafka-secure|cassandra-secure|all|secure|everything]" ;;
  esac
}

# The variable names behind each engine's settings, so every script reads one table.
port_of() {
  case "$1" in
    kafka) echo "$ENGINE_KAFKA_PORT" ;;
    cassandra) echo "$ENGINE_CASSANDRA_PORT" ;;
    kafka-secure) echo "$ENGINE_KAFKA_SECURE_PORT" ;;
    cassandra-secure) echo "$ENGINE_CASSANDRA_SECURE_PORT" ;;
  esac
}
port_variable_of() {
  case "$1" in
    kafka) echo ENGINE_KAFKA_PORT ;;
    cassandra) echo ENGINE_CASSANDRA_PORT ;;
    kafka-secure) echo ENGINE_KAFKA_SECURE_PORT ;;
    cassandra-secure) echo ENGINE_CASSANDRA_SECURE_PORT ;;
  esac
}
