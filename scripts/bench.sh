#!/usr/bin/env bash
# Benchmarks (not timed tests): writes a results table per suite under bench-results/ and prints it.
#   ./scripts/bench.sh            all suites
#   ./scripts/bench.sh devices    driver round trips against the simulators (p50/p99 over 1,000 operations)
#   ./scripts/bench.sh telemetry  command round trips and idle traffic over a loopback mosquitto, agent memory
#   ./scripts/bench.sh stream     60 s 720p30 supervised vs bare (CPU, RSS), start → first bytes, uplink recovery
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
./scripts/install-deps.sh
dotnet build bench/EdgeAgent.Bench -c Release --no-restore -nologo -v quiet -clp:"ErrorsOnly;NoSummary" >/dev/null
BENCH=bench/EdgeAgent.Bench/bin/Release/net10.0/edgeagent-bench
mkdir -p bench-results
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(devices telemetry stream)
for suite in "${suites[@]}"; do
  case "$suite" in
    devices) "$BENCH" devices --ops 1000 --out bench-results/devices.md ;;
    telemetry) "$BENCH" telemetry --ops 1000 --out bench-results/telemetry.md ;;
    stream) "$BENCH" stream --seconds 60 --out bench-results/stream.md ;;
    *) echo "bench.sh: unknown suite $suite (known: devices, telemetry, stream)" >&2; exit 64 ;;
  esac
done
