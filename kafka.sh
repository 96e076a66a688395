#!/usr/bin/env bash
# The original project's entry point, kept for muscle memory: every command goes to the kafka-monitor CLI.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec node "$here/packages/cli/bin/kafka-monitor.js" "$@"
