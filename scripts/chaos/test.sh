#!/usr/bin/env bash
# `npm run test:chaos`: the fault scenarios of test/chaos/*.chaos.test.ts (broker down, Cassandra down,
# processors SIGKILLed, the registry processor SIGKILLed until Prometheus alerts, a rebalance storm,
# the monitor restarted under SSE clients), one file after the other, against a Kafka and a Cassandra
# that this script starts itself: the scenarios stop and restart them, which engines given from
# outside cannot allow (unless they come with KAFKA_STOP_COMMAND, KAFKA_START_COMMAND,
# CASSANDRA_STOP_COMMAND and CASSANDRA_START_COMMAND). Prints the figures table at the end
# (CHAOS_WRITE_DOC=1 also writes it into docs/reliability.md). Extra arguments go to vitest
# (e.g. `npm run test:chaos -- --reporter=default --reporter=json --outputFile.json=.tmp/vitest-chaos.json`).
set -euo pipefail
# Its own run directory, so it never touches engines that `npm run test:engines` or a developer started.
export ENGINES_RUN="${CHAOS_ENGINES_RUN:-$(cd "$(dirname "$0")/../.." && pwd)/.tmp/chaos-engines}"
# shellcheck source=../engines/common.sh
source "$(dirname "$0")/../engines/common.sh"
cd "$REPO_ROOT"
export ENGINE_KAFKA_PORT ENGINE_KAFKA_CONTROLLER_PORT ENGINE_CASSANDRA_PORT ENGINE_CASSANDRA_STORAGE_PORT \
  ENGINE_CASSANDRA_JMX_PORT

external=false
if [ -n "${KAFKA_BROKERS:-}" ] && [ -n "${CASSANDRA_HOST:-}" ] && [ -n "${KAFKA_STOP_COMMAND:-}" ] &&
  [ -n "${KAFKA_START_COMMAND:-}" ] && [ -n "${CASSANDRA_STOP_COMMAND:-}" ] && [ -n "${CASSANDRA_START_COMMAND:-}" ]; then
  external=true
  log "chaos: using the engines given from outside ($KAFKA_BROKERS, $CASSANDRA_HOST) and their stop/start commands"
fi

started=false
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() { if [ "$started" = true ]; then "$ENGINES_SRC/stop.sh" all || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ "$external" = false ]; then
  unset KAFKA_BOOTSTRAP_SERVERS CASSANDRA_CONTACT_POINTS
  started=true
  "$ENGINES_SRC/start.sh" all
  set -a
  # shellcheck disable=SC1091 # written by start.sh
  source "$ENGINES_RUN/kafka/env"
  # shellcheck disable=SC1091
  source "$ENGINES_RUN/cassandra/env"
  set +a
  # Stopped and started again with their data, as a crashed broker or node coming back would be.
  export KAFKA_STOP_COMMAND="$ENGINES_SRC/stop.sh kafka"
  export KAFKA_START_COMMAND="ENGINE_REUSE_DATA=1 $ENGINES_SRC/start.sh kafka"
  export CASSANDRA_STOP_COMMAND="$ENGINES_SRC/stop.sh cassandra"
  export CASSANDRA_START_COMMAND="ENGINE_REUSE_DATA=1 $ENGINES_SRC/start.sh cassandra"
fi

export CHAOS_RESULTS_DIR="${CHAOS_RESULTS_DIR:-$REPO_ROOT/.tmp/chaos}"
rm -rf "$CHAOS_RESULTS_DIR"
mkdir -p "$CHAOS_RESULTS_DIR"

status=0
began=$SECONDS
npx vitest run --config scripts/chaos/vitest.config.ts "$@" || status=$?
echo "== chaos figures ($((SECONDS - began)) s for the scenarios; logs in $CHAOS_RESULTS_DIR/logs)"
"$REPO_ROOT/node_modules/.bin/tsx" scripts/chaos/report.ts "$CHAOS_RESULTS_DIR" || status=1
# The rewritten table is aligned like every other Markdown file of the repository.
if [ "${CHAOS_WRITE_DOC:-}" = 1 ]; then "$REPO_ROOT/node_modules/.bin/prettier" --write docs/reliability.md >/dev/null; fi
if [ "$external" = false ]; then
  echo "== engine versions"
  cat "$ENGINES_RUN/kafka/version" "$ENGINES_RUN/cassandra/version" || true
fi
exit "$status"
