#!/usr/bin/env bash
# Fills a real small file system under the embedded default and checks the incident from outside:
# DATA_DIR on a tmpfs of DISK_CHECK_SIZE_MB (default 30), the compiled launcher generating
# DISK_CHECK_RATE orders/s (default 1000) with DISK_WARN_FREE_MB=DISK_CHECK_WARN_MB (default 20).
# Every half second it reads /health/ready, /api/health, /api/processors/status and posts one order;
# once the disk has been full for 5 s the tmpfs is grown to 200 MiB (space freed). It fails unless
# health warned (degraded, low) before the disk filled, readiness said "disk full", the post answered
# 503 with Retry-After, the processors' status answered 200 throughout, readiness came back by itself,
# and `kafka-monitor verify` finds the views and registry equal to their logs afterwards.
# Needs root (it mounts a tmpfs) and the build (`node scripts/build.mjs`).
#   sudo bash scripts/disk-full-check.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
size_mb="${DISK_CHECK_SIZE_MB:-30}"
rate="${DISK_CHECK_RATE:-1000}"
warn_mb="${DISK_CHECK_WARN_MB:-20}"
port="${DISK_CHECK_PORT:-3417}"
base="http://127.0.0.1:$port"
mnt="$(mktemp -d /tmp/disk-full-check-XXXXXX)"
log="$mnt.log"
mount -t tmpfs -o "size=${size_mb}m" tmpfs "$mnt"
pid=""
cleanup() {
  if [ -n "$pid" ]; then kill -TERM "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; fi
  umount "$mnt" 2>/dev/null || true
  rmdir "$mnt" 2>/dev/null || true
}
trap cleanup EXIT
fail() {
  echo "disk-full-check: $*" >&2
  exit 1
}

cd "$root"
DATA_DIR="$mnt/data" ORDER_RATE="$rate" DISK_WARN_FREE_MB="$warn_mb" PORT="$port" HOST=127.0.0.1 \
  LOG_FORMAT=json LOG_LEVEL=info node --no-allocation-site-pretenuring dist/app/launcher.js >"$log" 2>&1 &
pid=$!
echo "DATA_DIR on a ${size_mb} MiB tmpfs, ${rate} orders/s, DISK_WARN_FREE_MB=${warn_mb}; log in $log"

order='{"customer-id":42,"product-id":"PROD-003","quantity":3,"unit-price":19.99}'
start=$(date +%s.%N)
since() { python3 -c "print(f'{$(date +%s.%N)-$start:.1f}')"; }
warned="" full_at="" grown_at="" back_at="" refused="" status_failures=0 full_samples=0
for _ in $(seq 1 240); do
  sleep 0.5
  ready=$(curl -s -o /dev/null -w '%{http_code}' "$base/health/ready" || true)
  [ "$ready" = "000" ] && continue
  disk=$(curl -s "$base/api/health" | python3 -c 'import sys,json; d=json.load(sys.stdin); k=d.get("disk",{}); print(d["status"], k.get("status"), k.get("free-bytes"))' || true)
  post=$(curl -s -D - -o /dev/null -H 'content-type: application/json' -d "$order" "$base/api/orders" |
    awk 'NR==1{s=$2} tolower($1)=="retry-after:"{r=$2} END{gsub("\r","",r); print s (r==""?"":" retry-after " r)}')
  processors=$(curl -s -o /dev/null -w '%{http_code}' "$base/api/processors/status" || true)
  [ "$processors" = "200" ] || status_failures=$((status_failures + 1))
  t=$(since)
  echo "t=${t}s ready=$ready health=[$disk] post=[$post] processors=$processors"
  case "$disk" in *" low "*) [ -z "$full_at" ] && warned="${warned:-$t}" ;; esac
  if [ "$ready" = "503" ] && [ -z "$full_at" ]; then
    full_at=$t
    echo "  readiness: $(curl -s "$base/health/ready")"
  fi
  case "$post" in "503 retry-after "*) [ -n "$full_at" ] && refused="$post" ;; esac
  if [ -n "$full_at" ] && [ -z "$grown_at" ]; then
    full_samples=$((full_samples + 1))
    if [ "$full_samples" -ge 10 ]; then
      mount -o remount,size=200m "$mnt"
      grown_at=$t
      echo "  tmpfs grown to 200 MiB"
    fi
  fi
  if [ -n "$grown_at" ] && [ "$ready" = "200" ] && [ -z "$back_at" ]; then back_at=$t; fi
  [ -n "$back_at" ] && break
done
curl -s -X PUT -H 'content-type: application/json' -d '{"order-rate":0}' "$base/api/generator" >/dev/null
lag_of() {
  curl -s "$base/api/processors/status" |
    python3 -c 'import sys,json; print(sum((p["consumer-group"] or {}).get("lag",0) for p in json.load(sys.stdin)["data"]["processors"]))'
}
for _ in $(seq 1 240); do
  [ "$(lag_of)" = "0" ] && break
  sleep 0.5
done
echo "caught up at t=$(since)s (lag $(lag_of))"
kill -TERM "$pid" && wait "$pid" || true
pid=""
du -sh "$mnt/data"/* | sed 's/^/  /'

[ -n "$warned" ] || fail "health never said degraded (low) before the disk filled"
[ -n "$full_at" ] || fail "readiness never went down: the disk did not fill within 2 minutes"
grep -q '"msg":"disk full: ' "$log" || fail "no 'disk full' warning in the log"
[ -n "$refused" ] || fail "no order was refused with 503 and Retry-After while full"
[ "$status_failures" -eq 0 ] || fail "/api/processors/status failed $status_failures times"
[ -n "$back_at" ] || fail "readiness did not come back after space was freed"
DATA_DIR="$mnt/data" node dist/app/kafka-monitor.js verify || fail "verify found the views or registry differing from the logs"
echo "disk-full-check: warned at ${warned}s, full at ${full_at}s (post: $refused), space freed at ${grown_at}s, ready again at ${back_at}s; views and registry equal their logs"
