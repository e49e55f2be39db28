#!/usr/bin/env bash
# Benchmarks (not timed tests): writes a results table per suite under bench-results/ and prints it.
#   ./scripts/bench.sh            all suites
#   ./scripts/bench.sh devices    driver round trips against the simulators (p50/p99 over 1,000 operations)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
./scripts/install-deps.sh
dotnet build bench/EdgeAgent.Bench -c Release --no-restore -nologo -v quiet -clp:"ErrorsOnly;NoSummary" >/dev/null
BENCH=bench/EdgeAgent.Bench/bin/Release/net10.0/edgeagent-bench
mkdir -p bench-results
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(devices telemetry)
for suite in "${suites[@]}"; do
  case "$suite" in
    devices) "$BENCH" devices --ops 1000 --out bench-results/devices.md ;;
    telemetry) "$BENCH" telemetry --ops 1000 --out bench-results/telemetry.md ;;
    *) echo "bench.sh: unknown suite $suite (known: devices, telemetry)" >&2; exit 64 ;;
  esac
done
