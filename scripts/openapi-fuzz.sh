#!/usr/bin/env bash
# Conformance fuzzing of the HTTP API against its own OpenAPI document with schemathesis (PyPI, pinned),
# every check and every phase, the stateful one included (it follows the document's links).
#
#   bash scripts/openapi-fuzz.sh                 # a fresh instance on the embedded default
#   OPENAPI_FUZZ_URL=http://127.0.0.1:3000 OPENAPI_FUZZ_TOKEN=… bash scripts/openapi-fuzz.sh
#                                                # an instance that is already running (the engine
#                                                # tests' distributed stack on Kafka + Cassandra:
#                                                # test/engines/openapi-fuzz.engine.test.ts)
#
# Without OPENAPI_FUZZ_URL it builds, starts `dist/app/launcher.js` with a temporary DATA_DIR on a free
# port of 127.0.0.1 and a MONITOR_API_TOKEN (so the secured operations and the 401s are exercised), and
# stops it at the end. It prints schemathesis' summary and exits non-zero unless schemathesis found no
# failure and no error and tested every operation of the document.
#
# OPENAPI_FUZZ_MAX_EXAMPLES (default 40) bounds the examples per operation and phase;
# OPENAPI_FUZZ_SEED makes a run reproducible.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
tools="${KAFKA_MONITOR_TOOLS:-$HOME/.cache/kafka-monitor-tools}"
venv="$tools/schemathesis-$SCHEMATHESIS_VERSION"
# A venv is not relocatable (its scripts name their interpreter's path), so it is built in place and
# marked complete at the end; a half-built one is removed and built again.
if [ ! -f "$venv/.complete" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  mkdir -p "$tools"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian and Ubuntu ship venv (with its pip) separately.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
  touch "$venv/.complete"
fi
"$venv/bin/schemathesis" --version

work="$(mktemp -d)"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "${OPENAPI_FUZZ_URL:-}" ]; then
  base="${OPENAPI_FUZZ_URL%/}"
  token="${OPENAPI_FUZZ_TOKEN:-}"
else
  node scripts/build.mjs >/dev/null
  port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
  token="fuzz-$(node -e 'console.log(require("crypto").randomBytes(12).toString("hex"))')"
  base="http://127.0.0.1:$port"
  mkdir -p "$work/data"
  DATA_DIR="$work/data" PORT="$port" HOST=127.0.0.1 MONITOR_API_TOKEN="$token" LOG_LEVEL=warn \
    node --no-allocation-site-pretenuring dist/app/launcher.js >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 360); do
    if curl -fsS "$base/health/ready" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "the instance did not start:" >&2
      tail -n 40 "$work/server.log" >&2
      exit 1
    fi
    sleep 0.5
  done
  curl -fsS "$base/health/ready" >/dev/null
  # A few poison messages, so the dead-letter operations have something to read, redrive and discard.
  printf '%s\n' 'not json' '{"order-id": "fuzz-1", "quantity": "three"}' '{"order-id": "fuzz-2"}' |
    DATA_DIR="$work/data" node dist/app/kafka-monitor.js produce orders >/dev/null
  for _ in $(seq 1 60); do
    if curl -fsS "$base/api/dead-letters" | grep -q '"count":[1-9]'; then break; fi
    sleep 0.5
  done
  echo "fuzzing a fresh instance at $base (bus ${BUS:-embedded}, store ${STORE:-sqlite}, DATA_DIR $work/data)"
fi

auth=()
if [ -n "$token" ]; then auth=(--header "Authorization: Bearer $token"); fi
seed=()
if [ -n "${OPENAPI_FUZZ_SEED:-}" ]; then seed=(--seed "$OPENAPI_FUZZ_SEED"); fi

status=0
config="$PWD/tooling/schemathesis.toml"
# From the temporary directory: schemathesis keeps a cache (.schemathesis/) in its working directory.
(cd "$work" && "$venv/bin/schemathesis" --config-file "$config" run "$base/api/openapi.json" \
  --url "$base" \
  --checks all \
  --phases examples,coverage,fuzzing,stateful \
  --max-examples "${OPENAPI_FUZZ_MAX_EXAMPLES:-40}" \
  --request-timeout 10 \
  --output-truncate true \
  --no-color \
  --report junit --report-dir "$work/report" \
  "${auth[@]}" "${seed[@]}") >"$work/run.txt" 2>&1 || status=$?

cat "$work/run.txt"

# Where the time went: the operations that took longest in total (schemathesis' JUnit report has one
# test case per operation with its time), so a slow stage points at its cause.
node -e '
  const fs = require("fs");
  const dir = process.argv[1];
  const cases = [];
  for (const f of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const xml = fs.readFileSync(dir + "/" + f, "utf8");
    for (const m of xml.matchAll(/<testcase\b[^>]*>/g)) {
      const name = /\bname="([^"]*)"/.exec(m[0]);
      const time = /\btime="([0-9.]+)"/.exec(m[0]);
      if (name && time) cases.push([name[1], Number(time[1])]);
    }
  }
  cases.sort((a, b) => b[1] - a[1]);
  if (cases.length > 0) console.log("slowest operations: " + cases.slice(0, 5).map(([n, t]) => n + " " + t.toFixed(1) + " s").join(", "));
' "$work/report"

operations="$(node -e '
  const d = JSON.parse(require("fs").readFileSync(0, "utf8"));
  let n = 0;
  for (const ops of Object.values(d.paths)) for (const m of Object.keys(ops)) if (["get","put","post","delete","patch","head","options","trace"].includes(m)) n++;
  console.log(n);
' < <(curl -fsS "$base/api/openapi.json"))"
tested="$(sed -n 's/^ *Tested: *\([0-9]*\).*/\1/p' "$work/run.txt" | tail -n 1)"
final="$(grep -E '^=+ .* in [0-9.]+s =+$' "$work/run.txt" | tail -n 1)"
echo "operations in the document: $operations, tested: ${tested:-none}"
# schemathesis exits non-zero on any failure or error; its summary lists them under these headings.
if [ "$status" -ne 0 ] || grep -Eq '^(Failures|Errors):' "$work/run.txt" || grep -Eq '[0-9]+ (failures?|errors?)' <<<"$final"; then
  echo "openapi fuzz: FAILED (exit $status): $final" >&2
  exit 1
fi
if [ "${tested:-0}" != "$operations" ]; then
  echo "openapi fuzz: FAILED: $operations operations in the document, ${tested:-none} tested" >&2
  exit 1
fi
echo "openapi fuzz: 0 failures, 0 errors, $tested of $operations operations tested ($final)"
