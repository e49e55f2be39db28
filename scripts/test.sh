#!/usr/bin/env bash
# Installs what is missing, builds everything (warnings are errors) and runs every test project.
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
echo
echo "tests: $passed passed, $failed failed, $skipped skipped"
if [ "$total" -eq 0 ]; then echo "test.sh: no tests ran" >&2; exit 1; fi
exit $status
