#!/usr/bin/env bash
# EdgeAgent demo: installs what is missing, then runs the agent against a simulated classroom on loopback
# and shows what it does. Runs until Ctrl-C, or for N seconds with --seconds N. Cleans up every process it started.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

SECONDS_TO_RUN=0
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) SECONDS_TO_RUN="$2"; shift 2 ;;
    -h|--help) echo "usage: $0 [--seconds N]"; exit 0 ;;
    *) echo "demo.sh: unknown argument $1" >&2; exit 64 ;;
  esac
done

./scripts/install-deps.sh
echo "demo: building..."
dotnet build EdgeAgent.sln --no-restore -nologo -v quiet -clp:"ErrorsOnly;NoSummary"
BIN="$ROOT/src/EdgeAgent/bin/Debug/net10.0"

RUN="$ROOT/.demo/$(date +%Y%m%d-%H%M%S)"
mkdir -p "$RUN"
PIDS=()
cleanup() {
  trap - INT TERM EXIT
  echo
  echo "demo: stopping..."
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "demo: everything stopped. State and logs are in $RUN"
}
trap cleanup INT TERM EXIT

cat > "$RUN/edgeagent.json" <<JSON
{
  "region": "zj-jinhua",
  "school": "lanxi-wuxi-ps",
  "room": "demo-room",
  "role": "main",
  "broker": { "host": "127.0.0.1", "port": 1883 },
  "devices": [],
  "stream": { "videoSource": "test", "audioSource": "test", "width": 1280, "height": 720, "fps": 25 },
  "recording": { "directory": "recordings" },
  "stateDirectory": "state",
  "logsDirectory": "logs",
  "logging": { "level": "Information" }
}
JSON

echo "demo: validating the configuration"
"$BIN/edgeagent" validate --config "$RUN/edgeagent.json"

echo "demo: starting the agent (logs on this terminal; JSON logs in $RUN/logs)"
"$BIN/edgeagent" run --config "$RUN/edgeagent.json" &
PIDS+=($!)

if [ "$SECONDS_TO_RUN" -gt 0 ]; then
  sleep "$SECONDS_TO_RUN"
else
  echo "demo: running until Ctrl-C"
  wait "${PIDS[0]}" || true
fi
