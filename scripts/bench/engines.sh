#!/usr/bin/env bash
# `npm run bench:engines`: starts a fresh Kafka and Cassandra from Maven jars (scripts/engines), runs
# scripts/bench/engines.ts against them and stops them again, whatever happened. Engines given through
# KAFKA_BROKERS and CASSANDRA_HOST are used instead, and must be empty (no `orders` messages yet).
set -euo pipefail
ENGINES_SRC="$(cd "$(dirname "$0")/../engines" && pwd)"
REPO_ROOT="$(cd "$ENGINES_SRC/../.." && pwd)"
cd "$REPO_ROOT"
# Its own run directory, so a benchmark never wipes the engines of a test run in the same checkout.
export ENGINES_RUN="${ENGINES_RUN:-$REPO_ROOT/.tmp/bench-engines}"
# shellcheck source=../engines/common.sh
source "$ENGINES_SRC/common.sh"
# Where engines.ts reads the engines' JMX counters (the work per order).
export ENGINE_CASSANDRA_JMX_PORT ENGINE_KAFKA_JMX_PORT

started=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local engine
  for engine in "${started[@]}"; do "$ENGINES_SRC/stop.sh" "$engine" || true; done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${KAFKA_BROKERS:-}" ] || [ -z "${CASSANDRA_HOST:-}" ]; then
  started=(kafka cassandra)
  "$ENGINES_SRC/start.sh" all
  for engine in kafka cassandra; do
    set -a
    # shellcheck disable=SC1090 # written by start.sh
    source "$ENGINES_RUN/$engine/env"
    set +a
  done
fi
"$REPO_ROOT/node_modules/.bin/tsx" scripts/bench/engines.ts
