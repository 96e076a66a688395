#!/usr/bin/env bash
# `npm run test:engines`: runs the *.engine.test.ts suites against real engines.
# - KAFKA_BROKERS (or KAFKA_BOOTSTRAP_SERVERS) set: use that Kafka; otherwise start one from Maven jars.
# - CASSANDRA_HOST (or CASSANDRA_CONTACT_POINTS) set: use that Cassandra; otherwise start one.
# Engines this script started are stopped on exit, whatever happened. Extra arguments go to vitest
# (e.g. `npm run test:engines -- --reporter=json --outputFile.json=.tmp/engines.json`).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

to_start=()
[ -n "${KAFKA_BROKERS:-}${KAFKA_BOOTSTRAP_SERVERS:-}" ] || to_start+=(kafka)
[ -n "${CASSANDRA_HOST:-}${CASSANDRA_CONTACT_POINTS:-}" ] || to_start+=(cassandra)

started=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local engine
  for engine in "${started[@]}"; do "$ENGINES_SRC/stop.sh" "$engine" || true; done
}
trap cleanup EXIT
# Ctrl-C or a CI timeout must not leave JVMs behind.
trap 'exit 130' INT TERM

if [ "${#to_start[@]}" -eq 2 ]; then
  # One start.sh for both, so the two JVMs start side by side.
  started=(kafka cassandra)
  "$ENGINES_SRC/start.sh" all
elif [ "${#to_start[@]}" -eq 1 ]; then
  started=("${to_start[0]}")
  "$ENGINES_SRC/start.sh" "${to_start[0]}"
fi
# Suites may restart an engine they were given by this script (reconnect tests); never one from outside.
for engine in "${started[@]}"; do export "${engine^^}_RESTART_COMMAND=$ENGINES_SRC/restart.sh $engine"; done
for engine in "${started[@]}"; do
  set -a
  # shellcheck disable=SC1090 # written by start.sh
  source "$ENGINES_RUN/$engine/env"
  set +a
done

versions() {
  local engine
  for engine in "${started[@]}"; do cat "$ENGINES_RUN/$engine/version"; done
  # Engines given from outside are asked directly, so their versions appear in the log too.
  if [[ " ${started[*]} " != *" kafka "* ]]; then
    echo "kafka (external ${KAFKA_BROKERS:-$KAFKA_BOOTSTRAP_SERVERS}): $("$REPO_ROOT/node_modules/.bin/tsx" "$ENGINES_SRC/probe.ts" kafka "$(echo "${KAFKA_BROKERS:-$KAFKA_BOOTSTRAP_SERVERS}" | cut -d, -f1)" 30)"
  fi
  if [[ " ${started[*]} " != *" cassandra "* ]]; then
    local host="${CASSANDRA_CONTACT_POINTS:-${CASSANDRA_HOST}}"
    host="${host%%,*}"
    [[ "$host" == *:* ]] || host="$host:${CASSANDRA_PORT:-9042}"
    echo "cassandra (external $host): $("$REPO_ROOT/node_modules/.bin/tsx" "$ENGINES_SRC/probe.ts" cassandra "$host" 60)"
  fi
}

status=0
npx vitest run --config scripts/engines/vitest.config.ts "$@" || status=$?
echo "== engine versions"
versions || status=1
exit "$status"
