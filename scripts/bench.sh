#!/usr/bin/env bash
# Benchmarks (not timed tests): writes a results table per suite under bench-results/ and prints it.
#   ./scripts/bench.sh            all suites
#   ./scripts/bench.sh devices    driver round trips against the simulators (p50/p99 over 1,000 operations)
#   ./scripts/bench.sh telemetry  command round trips and idle traffic over a loopback mosquitto, agent memory
#                                 (the SDK build, then the agent the package ships: compiled ahead of time)
#   ./scripts/bench.sh stream     60 s 720p30 supervised vs bare (CPU, RSS), start → first bytes, uplink recovery
#   ./scripts/bench.sh two-way    glass-to-glass latency at 720p30 over SRT, CPU of a two-way lesson vs bare, partner back → picture
#   ./scripts/bench.sh fleet      500 and 2,000 rooms' telemetry against one mosquitto (births, burst, memory, reconnect storm)
#   ./scripts/bench.sh weak-link  720p over five impaired links, adaptive vs fixed bitrate (received rate, stalls, latency, rungs); rungs' CPU
#   ./scripts/bench.sh healing    each fault class in a live lesson: time until the room is right again, with the default playbooks and without
#   ./scripts/bench.sh office     2,000 rooms at the office: fleet page p50/p95, live updates none dropped, a 10,000-event burst into PostgreSQL
#   ./scripts/bench.sh recordings upload against the bandwidth cap (1 GiB) and its CPU; SFTP's cap and a resumed copy; a 45-minute lesson from its end to uploaded
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
./scripts/install-deps.sh
dotnet build bench/EdgeAgent.Bench -c Release --no-restore -nologo -v quiet -clp:"ErrorsOnly;NoSummary" >/dev/null
BENCH=bench/EdgeAgent.Bench/bin/Release/net10.0/edgeagent-bench
mkdir -p bench-results
suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(devices telemetry stream two-way fleet weak-link healing recordings)
for suite in "${suites[@]}"; do
  case "$suite" in
    devices) "$BENCH" devices --ops 1000 --out bench-results/devices.md ;;
    telemetry)
      "$BENCH" telemetry --ops 1000 --out bench-results/telemetry.md
      # The same with the agent exactly as the amd64 package ships it (NativeAOT; memory differs from the SDK build).
      package=bench-results/.package
      rm -rf "$package"
      ./scripts/package.sh --arch amd64 --out "$package" >/dev/null
      dpkg-deb -x "$package"/edgeagent_*_amd64.deb "$package/root"
      "$BENCH" telemetry --ops 1000 --agent "$package/root/usr/lib/edgeagent/edgeagent" --out bench-results/telemetry-package.md
      rm -rf "$package" ;;
    stream) "$BENCH" stream --seconds 60 --out bench-results/stream.md ;;
    two-way) "$BENCH" two-way --seconds 60 --out bench-results/two-way.md ;;
    fleet) "$BENCH" fleet --rooms 500,2000 --out bench-results/fleet.md ;;
    weak-link) "$BENCH" weak-link --seconds 90 --out bench-results/weak-link.md ;;
    healing) "$BENCH" healing --seconds 40 --out bench-results/healing.md ;;
    # pg_virtualenv (Debian's postgresql-common) makes a throw-away PostgreSQL cluster for the run and sets PG*.
    office) pg_virtualenv -o fsync=on "$BENCH" office --rooms 2000 --events 10000 --loads 200 --pages 3 --out bench-results/office.md ;;
    recordings) "$BENCH" recordings --cap-mbps 20 --cap-file-mb 1024 --sftp-file-mb 200 --lesson-minutes 45 --out bench-results/recordings.md ;;
    *) echo "bench.sh: unknown suite $suite (known: devices, telemetry, stream, two-way, fleet, weak-link, healing, recordings, office)" >&2; exit 64 ;;
  esac
done
