#!/usr/bin/env bash
# Production dependencies must have no high or critical advisory: `npm audit --omit=dev
# --audit-level=high`. An audit that could not run (registry without the advisories endpoint,
# no network) is a failure too, reported as such: an unknown result must never pass as a clean one.
set -uo pipefail
cd "$(dirname "$0")/.."

report="$(mktemp)"
trap 'rm -f "$report"' EXIT
npm audit --omit=dev --audit-level=high --json >"$report" 2>/dev/null
status=$?

node - "$report" "$status" <<'JS'
const fs = require('fs');
const [file, status] = process.argv.slice(2);
let r;
try {
  r = JSON.parse(fs.readFileSync(file, 'utf8'));
} catch {
  console.error(`npm audit: no readable report (exit ${status}): the audit did not run`);
  process.exit(1);
}
if (r.error !== undefined || r.statusCode !== undefined || r.metadata === undefined) {
  const what = r.message || r.error?.summary || JSON.stringify(r).slice(0, 300);
  console.error(`npm audit could not run: ${what}`);
  console.error('FAILED: the advisories endpoint did not answer, so production dependencies are unaudited.');
  process.exit(1);
}
const v = r.metadata.vulnerabilities;
console.log(
  `npm audit (production dependencies): ${v.critical} critical, ${v.high} high, ${v.moderate} moderate, ${v.low} low`,
);
if (v.critical + v.high > 0) {
  for (const [name, entry] of Object.entries(r.vulnerabilities ?? {})) {
    if (entry.severity === 'high' || entry.severity === 'critical') console.error(`  ${entry.severity}: ${name}`);
  }
  process.exit(1);
}
JS
