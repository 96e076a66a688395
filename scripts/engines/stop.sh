#!/usr/bin/env bash
# Stops engines started by start.sh (only the pids it recorded). SIGTERM first so Kafka shuts down
# cleanly; the data is throwaway, so a JVM that hangs is killed after a grace period.
# Usage: scripts/engines/stop.sh [kafka|cassandra|kafka-secure|cassandra-secure|all|secure|everything]...
# (default: everything, the plain and the secured engines); several names stop each, as start.sh
# starts each of several.
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

stop_engine() {
  local engine="$1" pid
  if ! is_running "$engine"; then
    rm -f "$ENGINES_RUN/$engine/$engine.pid"
    return 0
  fi
  pid="$(pid_of "$engine")"
  log "stopping $engine (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt 60 ]; do
    sleep 0.5
    waited=$((waited + 1))
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$engine did not stop within 30 s; killing pid $pid"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$ENGINES_RUN/$engine/$engine.pid"
}

for name in "${@:-everything}"; do
  for engine in $(engines_of "$name"); do stop_engine "$engine"; done
done
