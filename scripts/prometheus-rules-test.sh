#!/usr/bin/env bash
# Checks deploy/prometheus/alerts.yml with `promtool check rules` and runs its unit tests
# (deploy/prometheus/tests/*.yml) with `promtool test rules`; promtool is built once from the Go module
# proxy by scripts/prometheus-tools.sh. Before that it makes sure promtool rejects broken rule files and
# a failing unit test (tests/testdata/), so a green run cannot come from a check that checks nothing;
# after it, that every alert has a severity, a runbook paragraph and both a firing and a quiet scenario.
#   scripts/prometheus-rules-test.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
rules="$root/deploy/prometheus/alerts.yml"
tests="$root/deploy/prometheus/tests"
runbook="$root/docs/runbook.md"
promtool="$(bash "$root/scripts/prometheus-tools.sh" promtool)"
"$promtool" --version 2>&1 | head -n 1

fail() {
  echo "prometheus-rules-test: $*" >&2
  exit 1
}

for broken in "$tests"/testdata/broken-*.yml; do
  if "$promtool" check rules "$broken" >/dev/null 2>&1; then
    fail "promtool accepted ${broken#"$root/"}, which is invalid"
  fi
done
if "$promtool" test rules "$tests/testdata/failing-test.yml" >/dev/null 2>&1; then
  fail "promtool test rules passed ${tests#"$root/"}/testdata/failing-test.yml, which must fail"
fi

"$promtool" check rules --lint=all --lint-fatal "$rules"
"$promtool" test rules "$tests"/*.yml

# What promtool does not check: the conventions of this file and its runbook.
mapfile -t alerts < <(sed -n 's/^ *- alert: *\([A-Za-z0-9_]*\) *$/\1/p' "$rules" | sort -u)
[ "${#alerts[@]}" -gt 0 ] || fail "no alert found in ${rules#"$root/"}"
rule_count="$(grep -c '^ *- alert:' "$rules")"
[ "$(grep -Ec '^ *severity: (page|ticket) *$' "$rules")" -eq "$rule_count" ] ||
  fail "every alert needs the label severity: page or ticket"
[ "$(grep -Ec '^ *summary: ' "$rules")" -eq "$rule_count" ] || fail "every alert needs a summary annotation"
[ "$(grep -Ec '^ *description: ' "$rules")" -eq "$rule_count" ] || fail "every alert needs a description annotation"
[ "$(grep -Ec '^ *runbook_url: ' "$rules")" -eq "$rule_count" ] || fail "every alert needs a runbook_url annotation"
# Per test file: which alerts have a scenario where they fire (exp_alerts with entries) and one where
# they stay quiet (exp_alerts: []).
scenarios="$(awk '
  /^ *alertname: / { name = $2 }
  /^ *exp_alerts: *\[\] *$/ { print "quiet", name; next }
  /^ *exp_alerts: *$/ { print "fires", name }
' "$tests"/*.yml | sort -u)"
for alert in "${alerts[@]}"; do
  anchor="$(echo "$alert" | tr '[:upper:]' '[:lower:]')"
  grep -q "^ *runbook_url: docs/runbook.md#$anchor *$" "$rules" ||
    fail "$alert: runbook_url must be docs/runbook.md#$anchor"
  grep -q "^## $alert *$" "$runbook" || fail "$alert: no '## $alert' paragraph in docs/runbook.md"
  grep -qx "fires $alert" <<<"$scenarios" || fail "$alert: no test scenario in which it fires"
  grep -qx "quiet $alert" <<<"$scenarios" || fail "$alert: no test scenario in which it stays quiet"
done
# A test of an alert that does not exist would pass without testing anything.
while read -r _ tested; do
  printf '%s\n' "${alerts[@]}" | grep -qx "$tested" || fail "the tests name an alert that does not exist: $tested"
done <<<"$scenarios"
echo "alert rules: ${#alerts[@]} alerts, each with severity, runbook paragraph, firing and quiet scenarios"
