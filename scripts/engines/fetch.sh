#!/usr/bin/env bash
# Fetches the server jars of the engines from Maven Central into $ENGINES_CACHE (once; later runs
# reuse them). Usage: scripts/engines/fetch.sh [kafka|cassandra|all|secure|everything|...]
set -euo pipefail
# shellcheck source=common.sh
source "$(dirname "$0")/common.sh"

fetch_engine() {
  local engine="$1" libs tmp
  libs="$(engine_libs "$engine")"
  # The marker is written last, so an interrupted download is never taken for a complete classpath.
  if [ -f "$libs/.complete" ]; then
    log "$engine $(engine_version "$engine"): jars cached in $libs"
    return 0
  fi
  command -v mvn >/dev/null || die "mvn not found: install Maven (apt-get install maven)"
  log "$engine $(engine_version "$engine"): fetching jars from Maven Central into $libs"
  tmp="$libs.partial"
  rm -rf "$tmp"
  mkdir -p "$tmp"
  local started=$SECONDS
  # Maven's output goes to a file and is shown only when it failed: a successful fetch is one line.
  if ! mvn -B -ntp -Dstyle.color=never -f "$ENGINES_SRC/$engine/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$tmp" >"$tmp.log" 2>&1; then
    grep -E 'ERROR|FAIL' "$tmp.log" >&2 || tail -n 40 "$tmp.log" >&2
    die "mvn could not fetch the $engine jars (full output: $tmp.log)"
  fi
  rm -f "$tmp.log"
  rm -rf "$libs"
  mv "$tmp" "$libs"
  touch "$libs/.complete"
  log "$engine: $(find "$libs" -name '*.jar' | wc -l) jars, $(du -sh "$libs" | cut -f1), $((SECONDS - started)) s"
}

# A secured engine runs the jars of its plain one: fetch each set once.
for engine in $(for name in $(engines_of "${1:-all}"); do base_engine "$name"; done | sort -u); do
  fetch_engine "$engine"
done
