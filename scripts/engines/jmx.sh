#!/usr/bin/env bash
# Reads MBean attributes of a running engine over JMX (127.0.0.1 only), with the JDK 17 the engines run on:
#   scripts/engines/jmx.sh PORT 'org.apache.cassandra.metrics:type=ClientRequest,scope=CASWrite,name=Latency#Count'...
# One line per attribute: the name, a tab, the value (empty when the MBean does not exist yet).
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"
[ "$#" -ge 2 ] || die "usage: $0 PORT 'mbean#Attribute'..."
port="$1"
shift
exec "$(find_java17)" "$ENGINES_SRC/jmx/JmxRead.java" "127.0.0.1:$port" "$@"
