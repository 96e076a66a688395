#!/usr/bin/env bash
# Stops an engine and starts it again on the same ports with its data kept, as a broker or node restart
# in production would; tests use it to prove that clients reconnect.
# Usage: scripts/engines/restart.sh kafka|cassandra|kafka-secure|cassandra-secure
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
engine="${1:-}"
case "$engine" in kafka | cassandra | kafka-secure | cassandra-secure) ;; *) die "usage: $0 kafka|cassandra|kafka-secure|cassandra-secure" ;; esac
is_running "$engine" || die "$engine is not running (start it with scripts/engines/start.sh $engine)"
"$ENGINES_SRC/stop.sh" "$engine"
ENGINE_REUSE_DATA=1 "$ENGINES_SRC/start.sh" "$engine"
