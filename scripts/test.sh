#!/usr/bin/env bash
# Installs what is missing, builds everything (warnings are errors), runs every test project, then the
# Debian package tests (install, upgrade, purge; a remote update and its rollback; the office service's package; each in a debootstrap root).
# Exits non-zero on any failure. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

./scripts/install-deps.sh

dotnet build EdgeAgent.sln --no-restore -nologo -v quiet -clp:"ErrorsOnly;NoSummary"

results=TestResults
rm -rf "$results"
status=0
dotnet test EdgeAgent.sln --no-build -nologo \
  --logger "trx" --logger "console;verbosity=normal" \
  --results-directory "$results" -- RunConfiguration.TestSessionTimeout=1200000 || status=$?

# One plain closing line for humans and CI: "tests: N passed, N failed, N skipped".
passed=0 failed=0 total=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -1)
  p=$(sed -E 's/.* passed="([0-9]+)".*/\1/' <<<"$counters")
  f=$(sed -E 's/.* failed="([0-9]+)".*/\1/' <<<"$counters")
  t=$(sed -E 's/.* total="([0-9]+)".*/\1/' <<<"$counters")
  passed=$((passed + p)); failed=$((failed + f)); total=$((total + t))
done
skipped=$((total - passed - failed))

# The Debian package's install, upgrade and purge in a debootstrap root (tests/package/deb-lifecycle.sh), then a
# remote update with its rollback in another (tests/package/update-rollout.sh, with the same builds), then the office
# service's package installed, run and purged in a third (tests/package/office-package.sh).
debs=$(mktemp -d)
trap 'rm -rf "$debs"' EXIT
for script in deb-lifecycle update-rollout office-package; do
  package_log=$results/$script.log
  case "$script" in
    deb-lifecycle) EDGEAGENT_DEBS_OUT=$debs tests/package/deb-lifecycle.sh 2>&1 | tee "$package_log" || status=1 ;;
    update-rollout) tests/package/update-rollout.sh --debs "$debs" 2>&1 | tee "$package_log" || status=1 ;;
    *) "tests/package/$script.sh" 2>&1 | tee "$package_log" || status=1 ;;
  esac
  counts=$(grep -E '^package checks: ' "$package_log" | tail -1)
  if [ -n "$counts" ]; then
    p=$(sed -E 's/.*: ([0-9]+) passed.*/\1/' <<<"$counts"); f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$counts")
    passed=$((passed + p)); failed=$((failed + f)); total=$((total + p + f))
  else
    failed=$((failed + 1)); total=$((total + 1)); status=1
  fi
done
echo
# The failed tests again, each with the first line of its message, so that the end of a long log says what failed.
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  awk '/<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); want = 1 }
       want && /<Message>/ { sub(/.*<Message>/, ""); sub(/<\/Message>.*/, ""); print "FAILED " name ": " $0; want = 0 }' "$trx"
done
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$total" -eq 0 ]; then echo "test.sh: no tests ran" >&2; exit 1; fi
exit $status
