#!/usr/bin/env bash
# Validates docker-compose.yml (or the files given) with compose-go, the loader of Docker Compose
# itself, every profile enabled; no Docker engine needed. The checker (tooling/compose-check) is built
# once into a cache outside the clone, keyed by its sources, from the Go module proxy.
#   scripts/compose-check.sh [compose file…]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source_dir="$root/tooling/compose-check"
version="$(sed -n 's#^require github.com/compose-spec/compose-go/v2 \(v[^ ]*\)$#\1#p' "$source_dir/go.mod")"
key="$(cat "$source_dir/go.mod" "$source_dir/go.sum" "$source_dir/main.go" | sha256sum | cut -c1-12)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kafka-monitor-tools"
checker="$cache/compose-check-$version-$key"

if [ ! -x "$checker" ]; then
  if ! command -v go >/dev/null; then
    echo "compose-check: needs Go 1.24 or later on PATH to build its checker (https://go.dev/dl/)" >&2
    exit 2
  fi
  echo "building compose-check (compose-go $version) into $checker"
  mkdir -p "$cache"
  (cd "$source_dir" && go build -trimpath -o "$checker.tmp.$$" .)
  mv "$checker.tmp.$$" "$checker"
fi

# The checker must reject a broken file, or a pass below would prove nothing.
if "$checker" "$source_dir/testdata/broken.yml" >/dev/null 2>&1; then
  echo "compose-check: accepted tooling/compose-check/testdata/broken.yml, which is invalid" >&2
  exit 1
fi

if [ "$#" -eq 0 ]; then set -- "$root/docker-compose.yml"; fi
for file in "$@"; do "$checker" "$file"; done
