#!/usr/bin/env bash
# Builds promtool and the Prometheus server from the Go module proxy (github.com/prometheus/prometheus,
# the version below), once, into a cache outside the clone, and prints the path of each tool asked for,
# one a line (default: promtool, then prometheus). Build output goes to stderr, so
#   promtool="$(bash scripts/prometheus-tools.sh promtool)"
# works in scripts. Measured on 2 cores: promtool from an empty module cache 4 min 21 s, then prometheus
# 59 s (most modules shared) and promtool again with Go's build cache warm 8 s; a cached tool costs a
# file check.
set -euo pipefail
version=v0.316.0
cache="${XDG_CACHE_HOME:-$HOME/.cache}/kafka-monitor-tools"
bin="$cache/prometheus-$version"

if [ "$#" -eq 0 ]; then set -- promtool prometheus; fi
for tool in "$@"; do
  case "$tool" in
    promtool | prometheus) ;;
    *)
      echo "prometheus-tools: unknown tool '$tool' (promtool or prometheus)" >&2
      exit 2
      ;;
  esac
  if [ ! -x "$bin/$tool" ]; then
    if ! command -v go >/dev/null; then
      echo "prometheus-tools: needs Go 1.26 or later on PATH to build $tool (https://go.dev/dl/)" >&2
      exit 2
    fi
    echo "building $tool (github.com/prometheus/prometheus $version) into $bin" >&2
    started=$SECONDS
    # Into a directory of its own first, so a run interrupted or racing another never leaves a partial
    # binary at the cached path.
    staging="$bin.tmp.$$"
    mkdir -p "$staging"
    GOBIN="$staging" go install -trimpath \
      -ldflags "-X github.com/prometheus/common/version.Version=${version#v}" \
      "github.com/prometheus/prometheus/cmd/$tool@$version" >&2
    mkdir -p "$bin"
    mv "$staging/$tool" "$bin/$tool"
    rmdir "$staging"
    echo "built $tool in $((SECONDS - started)) s" >&2
  fi
  echo "$bin/$tool"
done
