#!/usr/bin/env bash
# `npm run test:engines`: runs the *.engine.test.ts suites against real engines.
# - KAFKA_BROKERS (or KAFKA_BOOTSTRAP_SERVERS) set: use that Kafka; otherwise start one from Maven jars.
# - CASSANDRA_HOST (or CASSANDRA_CONTACT_POINTS) set: use that Cassandra; otherwise start one.
# - SECURED_KAFKA_BROKERS set (with the other SECURED_KAFKA_* of scripts/engines/README.md): use that
#   secured Kafka; otherwise start kafka-secure. SECURED_CASSANDRA_HOST likewise for cassandra-secure.
# The engines to start start side by side, in one start.sh.
# Engines this script started are stopped on exit, whatever happened. Extra arguments go to vitest
# (e.g. `npm run test:engines -- --reporter=json --outputFile.json=.tmp/engines.json`).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
cd "$REPO_ROOT"

to_start=()
[ -n "${KAFKA_BROKERS:-}${KAFKA_BOOTSTRAP_SERVERS:-}" ] || to_start+=(kafka)
[ -n "${CASSANDRA_HOST:-}${CASSANDRA_CONTACT_POINTS:-}" ] || to_start+=(cassandra)
[ -n "${SECURED_KAFKA_BROKERS:-}" ] || to_start+=(kafka-secure)
[ -n "${SECURED_CASSANDRA_HOST:-}" ] || to_start+=(cassandra-secure)

started=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  local engine
  for engine in "${started[@]}"; do "$ENGINES_SRC/stop.sh" "$engine" || true; done
}
trap cleanup EXIT
# Ctrl-C or a CI timeout must not leave JVMs behind.
trap 'exit 130' INT TERM

if [ "${#to_start[@]}" -gt 0 ]; then
  started=("${to_start[@]}")
  "$ENGINES_SRC/start.sh" "${to_start[@]}"
fi
# Suites may restart a plain engine they were given by this script (reconnect tests); never one from outside.
for engine in "${started[@]}"; do
  case "$engine" in kafka | cassandra) export "${engine^^}_RESTART_COMMAND=$ENGINES_SRC/restart.sh $engine" ;; esac
done
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
  # Secured engines from outside: probed with the SECURED_* variables they were given.
  if [[ " ${started[*]} " != *" kafka-secure "* ]]; then
    echo "kafka-secure (external $SECURED_KAFKA_BROKERS): $("$REPO_ROOT/node_modules/.bin/tsx" "$ENGINES_SRC/probe.ts" \
      kafka-secure "${SECURED_KAFKA_BROKERS%%,*}" 30 <(env | grep '^SECURED_KAFKA_'))"
  fi
  if [[ " ${started[*]} " != *" cassandra-secure "* ]]; then
    echo "cassandra-secure (external $SECURED_CASSANDRA_HOST): $("$REPO_ROOT/node_modules/.bin/tsx" "$ENGINES_SRC/probe.ts" \
      cassandra-secure "$SECURED_CASSANDRA_HOST:${SECURED_CASSANDRA_PORT:-9042}" 60 <(env | grep '^SECURED_CASSANDRA_'))"
  fi
}

status=0
npx vitest run --config scripts/engines/vitest.config.ts "$@" || status=$?
echo "== engine versions and listeners"
versions || status=1
exit "$status"
