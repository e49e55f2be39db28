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
  # Newest first: the agent says goodbye to the broker before the broker goes.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "demo: everything stopped. State and logs are in $RUN"
}
trap cleanup INT TERM EXIT

SIM="$ROOT/src/EdgeAgent.Simulators/bin/Debug/net10.0/edgeagent-sim"
AGENT="$BIN/edgeagent"
PJLINK_PASSWORD=demo-pjlink

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    ss -Hltn "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return; }
  done
}

step "Local MQTT broker (mosquitto) on 127.0.0.1 for the fleet manager's side"
BROKER_PORT=$(free_port)
mkdir -p "$RUN/broker" && chmod 777 "$RUN/broker"
cat > "$RUN/broker/mosquitto.conf" <<CONF
listener $BROKER_PORT 127.0.0.1
allow_anonymous true
persistence false
log_dest none
CONF
mosquitto -c "$RUN/broker/mosquitto.conf" &
PIDS+=($!)
for _ in $(seq 1 50); do ss -Hltn "sport = :$BROKER_PORT" | grep -q . && break; sleep 0.1; done
ROOT_TOPIC=edu/zj-jinhua/lanxi-wuxi-ps/demo-room/edgeagent
echo "mosquitto on 127.0.0.1:$BROKER_PORT; watching $ROOT_TOPIC/# (lines shortened)"
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -v -t "$ROOT_TOPIC/state" -t "$ROOT_TOPIC/health" -t "$ROOT_TOPIC/events" \
  > >(while IFS= read -r line; do echo "[mqtt] ${line:0:220}"; done) &
PIDS+=($!)

step "Simulated classroom: two VISCA cameras, a PJLink display (with password), a mic array, on 127.0.0.1"
"$SIM" --visca-port 0 --visca-port 0 --pjlink-port 0 --pjlink-password "$PJLINK_PASSWORD" --pjlink-class 2 \
  --mic-port 0 --ports-file "$RUN/ports.json" &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$RUN/ports.json" ] && break; sleep 0.1; done
[ -s "$RUN/ports.json" ] || { echo "demo: the simulators did not start" >&2; exit 1; }
ports=$(cat "$RUN/ports.json")
CAM1=$(sed -E 's/.*"visca":\[([0-9]+),([0-9]+)\].*/\1/' <<<"$ports")
CAM2=$(sed -E 's/.*"visca":\[([0-9]+),([0-9]+)\].*/\2/' <<<"$ports")
DISPLAY_PORT=$(sed -E 's/.*"pjlink":([0-9]+).*/\1/' <<<"$ports")
MIC=$(sed -E 's/.*"mic":([0-9]+).*/\1/' <<<"$ports")

cat > "$RUN/edgeagent.json" <<JSON
{
  "region": "zj-jinhua",
  "school": "lanxi-wuxi-ps",
  "room": "demo-room",
  "role": "main",
  "broker": { "host": "127.0.0.1", "port": $BROKER_PORT, "heartbeatSeconds": 30 },
  "devices": [
    { "id": "cam1", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": $CAM1,
      "presets": { "teacher": 1, "blackboard": 2, "students": 3 } },
    { "id": "cam2", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": $CAM2,
      "presets": { "students": 1 } },
    { "id": "display1", "kind": "display", "protocol": "pjlink", "host": "127.0.0.1", "port": $DISPLAY_PORT,
      "password": "$PJLINK_PASSWORD", "lessonInput": "31" },
    { "id": "mic1", "kind": "mic-array", "protocol": "command-string", "host": "127.0.0.1", "port": $MIC }
  ],
  "devicePollSeconds": 5,
  "stream": { "videoSource": "test", "audioSource": "test", "width": 1280, "height": 720, "fps": 25 },
  "recording": { "directory": "recordings" },
  "stateDirectory": "state",
  "logsDirectory": "logs",
  "logging": { "level": "Information" }
}
JSON

step "Validating the configuration ($RUN/edgeagent.json)"
"$AGENT" validate --config "$RUN/edgeagent.json"

step "Starting the agent: it opens its state database, polls every device and reports health changes"
"$AGENT" run --config "$RUN/edgeagent.json" &
PIDS+=($!)
sleep 3

device() {
  printf '$ edgeagent device %s\n  ' "$*"
  "$AGENT" device --config "$RUN/edgeagent.json" "$@" | tr -s ' \n' ' '
  echo
}
step "Preparing the room by hand, through the real drivers (the lesson runner will do this on the bell)"
device display1 power on
device display1 input 31
device cam1 move 1200 -300
device cam1 preset-set teacher
device cam1 home
device cam1 preset-recall teacher
device cam1 position
device cam2 preset-set students
device mic1 mute off
device mic1 gain 1 -3.5
device mic1 levels
device display1 status
device cam9 position || true

step "A technician's commands over MQTT: ping and a device action (MQTT 5 request/response), a bad request (3.1.1 reply_to)"
echo '$ mosquitto_rr -t .../cmd/ping -e .../reply/tech -m {}'
mosquitto_rr -h 127.0.0.1 -p "$BROKER_PORT" -t "$ROOT_TOPIC/cmd/ping" -e "$ROOT_TOPIC/reply/tech" -m '{}' -W 10 || true
echo '$ mosquitto_rr -t .../cmd/device -e .../reply/tech -m {"device":"cam1","action":"preset-recall","args":["teacher"]}'
mosquitto_rr -h 127.0.0.1 -p "$BROKER_PORT" -t "$ROOT_TOPIC/cmd/device" -e "$ROOT_TOPIC/reply/tech" \
  -m '{"device":"cam1","action":"preset-recall","args":["teacher"]}' -W 10 || true
echo '$ mosquitto_pub -V mqttv311 -t .../cmd/device -m {"id":"q1","reply_to":".../reply/tech311","device":"projector9","action":"status"}'
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -V mqttv311 -C 1 -W 10 -t "$ROOT_TOPIC/reply/tech311" &
sleep 0.5
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -V mqttv311 -q 1 -t "$ROOT_TOPIC/cmd/device" \
  -m "{\"id\":\"q1\",\"reply_to\":\"$ROOT_TOPIC/reply/tech311\",\"device\":\"projector9\",\"action\":\"status\"}"
wait $! 2>/dev/null || true

step "The agent keeps polling; health changes appear in its log and on MQTT above (Ctrl-C to stop)"
if [ "$SECONDS_TO_RUN" -gt 0 ]; then
  sleep "$SECONDS_TO_RUN"
else
  wait "${PIDS[${#PIDS[@]}-1]}" || true
fi
