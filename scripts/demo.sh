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
AGENT="${EDGEAGENT_AGENT:-$BIN/edgeagent}"  # EDGEAGENT_AGENT: try another build of the agent, e.g. the package's
CTL="$ROOT/src/EdgeAgent.Ctl/bin/Debug/net10.0/edgeagent-ctl"
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
  -t "$ROOT_TOPIC/lessons" -t "$ROOT_TOPIC/tallies" -t "$ROOT_TOPIC/compliance" \
  > >(while IFS= read -r line; do echo "[mqtt] ${line:0:220}"; done) &
PIDS+=($!)

step "Simulated classroom: two VISCA cameras, a PJLink display (with password), a mic array, on 127.0.0.1"
"$SIM" --visca-port 0 --visca-port 0 --pjlink-port 0 --pjlink-password "$PJLINK_PASSWORD" --pjlink-class 2 \
  --mic-port 0 --ports-file "$RUN/ports.json" \
  > >(grep --line-buffered -vE 'inquiry|control seq=|\?$|< GET ' || true) &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$RUN/ports.json" ] && break; sleep 0.1; done
[ -s "$RUN/ports.json" ] || { echo "demo: the simulators did not start" >&2; exit 1; }
ports=$(cat "$RUN/ports.json")
CAM1=$(sed -E 's/.*"visca":\[([0-9]+),([0-9]+)\].*/\1/' <<<"$ports")
CAM2=$(sed -E 's/.*"visca":\[([0-9]+),([0-9]+)\].*/\2/' <<<"$ports")
DISPLAY_PORT=$(sed -E 's/.*"pjlink":([0-9]+).*/\1/' <<<"$ports")
MIC=$(sed -E 's/.*"mic":([0-9]+).*/\1/' <<<"$ports")

step "The ingest side: an iperf3 server (network measurements) and an SRT listener (srt-live-transmit) writing what it receives to ingest.ts"
IPERF_PORT=$(free_port)
iperf3 -s -p "$IPERF_PORT" --bind 127.0.0.1 > /dev/null 2>&1 &
PIDS+=($!)
echo "iperf3 server on 127.0.0.1:$IPERF_PORT"
INGEST_PORT=$(free_port)
srt-live-transmit -q "srt://127.0.0.1:$INGEST_PORT?mode=listener" "file://con" > "$RUN/ingest.ts" 2>/dev/null &
PIDS+=($!)
echo "listening on srt://127.0.0.1:$INGEST_PORT"

# Today's timetable, made so that period 1 rings at the next full minute (school time, UTC+8) and lasts 3 minutes;
# the partner school rang a minute earlier, so the shared window is 2 minutes. The room is prepared a
# minute before the bell. A synchronized maths lesson is booked on it.
now_cst=$(( $(date -u +%s) + 8 * 3600 ))
bell=$(( (now_cst / 60 + 1) * 60 ))
hm() { date -u -d "@$1" +%H:%M; }
TODAY=$(date -u -d "@$now_cst" +%Y-%m-%d)
OWN_START=$(hm "$bell"); OWN_END=$(hm $((bell + 180)))
PARTNER_START=$(hm $((bell - 60))); PARTNER_END=$(hm $((bell + 120)))

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
  "stream": { "videoSource": "test", "audioSource": "test", "width": 1920, "height": 1080, "fps": 25, "videoBitrateKbps": 3000,
              "uplinkUrl": "srt://127.0.0.1:$INGEST_PORT?streamid=demo-room&latency=200000" },
  "recording": { "directory": "recordings", "segmentSeconds": 10 },
  "compliance": { "iperf3Host": "127.0.0.1", "iperf3Port": $IPERF_PORT, "iperf3Seconds": 2, "micTestSeconds": 2 },
  "lessons": {
    "prepareMinutes": 1,
    "displayOffGraceMinutes": 1,
    "minimumOverlapMinutes": 2,
    "timetables": [
      { "school": "lanxi-wuxi-ps", "schedules": [ { "name": "demo day", "effectiveFrom": "$TODAY",
          "periods": [ { "name": "1", "start": "$OWN_START", "end": "$OWN_END" } ] } ] },
      { "school": "lanxi-houren-ps", "schedules": [ { "name": "demo day", "effectiveFrom": "$TODAY",
          "periods": [ { "name": "1", "start": "$PARTNER_START", "end": "$PARTNER_END" } ] } ] }
    ],
    "bookings": [
      { "id": "demo-maths-1", "date": "$TODAY", "period": "1", "form": "SyncClassroom", "subject": "maths",
        "partnerSchool": "lanxi-houren-ps", "partnerRoom": "room-2", "teacher": "王老师", "class": "四(1)班", "students": 28 }
    ]
  },
  "stateDirectory": "state",
  "logsDirectory": "logs",
  "logging": { "level": "Information" }
}
JSON

step "Validating the configuration ($RUN/edgeagent.json)"
"$AGENT" validate --config "$RUN/edgeagent.json"

device() {
  printf '$ edgeagent device %s\n  ' "$*"
  "$AGENT" device --config "$RUN/edgeagent.json" "$@" | tr -s ' \n' ' '
  echo
}
step "Installer's step: store the camera presets through the real drivers (VISCA over UDP to the simulators)"
device cam1 move 1200 -300
device cam1 preset-set teacher
device cam2 preset-set students
device cam1 home
device cam1 position
device mic1 mute on

step "The installer's hand-over check (edgeagent check): every rule of the policy measured on the room, in Chinese and English"
"$AGENT" check --config "$RUN/edgeagent.json" || echo "(edgeagent check exit code $?: 0 pass, 1 warn, 2 fail, 3 could not run)"

step "Today's lessons (edgeagent lessons): period 1 shares ${OWN_START}-${PARTNER_END} with the partner school"
"$AGENT" lessons --config "$RUN/edgeagent.json" || true

step "Starting the agent: a minute before the bell it prepares the room, at the bell it streams and records"
"$AGENT" run --config "$RUN/edgeagent.json" &
AGENT_PID=$!
PIDS+=($AGENT_PID)

step "The office collector (edgeagent-ctl collect): stores every lesson record, event and compliance report, once each"
"$CTL" collect --broker "127.0.0.1:$BROKER_PORT" --db "$RUN/office.db" --name demo-office > >(sed -u 's/^/[office] /') 2>&1 &
PIDS+=($!)

step "A technician's tools (edgeagent-ctl): the fleet, one room, a command; and a raw MQTT 3.1.1 request"
for _ in $(seq 30); do "$CTL" rooms --broker "127.0.0.1:$BROKER_PORT" --json 2>/dev/null | grep -q '"lastHeartbeat": "' && break; sleep 1; done
ROOM_ID="${ROOT_TOPIC#edu/}"; ROOM_ID="${ROOM_ID%/edgeagent}"
echo "\$ edgeagent-ctl rooms"
"$CTL" rooms --broker "127.0.0.1:$BROKER_PORT" || true
echo "\$ edgeagent-ctl diag $ROOM_ID ping"
"$CTL" diag "$ROOM_ID" ping --broker "127.0.0.1:$BROKER_PORT" || true
echo "\$ edgeagent-ctl status $ROOM_ID --db office.db"
"$CTL" status "$ROOM_ID" --broker "127.0.0.1:$BROKER_PORT" --db "$RUN/office.db" || true
echo '$ mosquitto_pub -V mqttv311 -t .../cmd/device -m {"id":"q1","reply_to":".../reply/tech311","device":"projector9","action":"status"}'
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -V mqttv311 -C 1 -W 10 -t "$ROOT_TOPIC/reply/tech311" &
sleep 0.5
mosquitto_pub -h 127.0.0.1 -p "$BROKER_PORT" -V mqttv311 -q 1 -t "$ROOT_TOPIC/cmd/device" \
  -m "{\"id\":\"q1\",\"reply_to\":\"$ROOT_TOPIC/reply/tech311\",\"device\":\"projector9\",\"action\":\"status\"}"
wait $! 2>/dev/null || true

step "The room, every 10 s: what the simulated devices report, what reached the ingest server, what was recorded (Ctrl-C to stop)"
echo "At $PARTNER_END school time the shared window ends: the stream stops and the lesson record and tallies appear on MQTT;"
echo "a minute later the display goes off. (The simulators print only the commands that change something.)"
status() {
  local cam disp mic ingest segs
  cam=$( ("$AGENT" device --config "$RUN/edgeagent.json" cam1 position 2>/dev/null || true) | tr -d ' \n' | sed -E 's/.*"pan":(-?[0-9]+),"tilt":(-?[0-9]+).*/pan \1 tilt \2/')
  disp=$( ("$AGENT" device --config "$RUN/edgeagent.json" display1 power 2>/dev/null || true) | tr -d ' \n' | sed -E 's/.*"power":"([a-z]+)".*/\1/')
  mic=$( ("$AGENT" device --config "$RUN/edgeagent.json" mic1 mute 2>/dev/null || true) | tr -d ' \n' | sed -E 's/.*"mute":(true|false).*/\1/')
  ingest=$(stat -c %s "$RUN/ingest.ts" 2>/dev/null || echo 0)
  segs=$( (ls "$RUN/recordings" 2>/dev/null || true) | wc -l)
  printf '[room %s] cam1 %s | display %s | mic muted %s | ingest %d KB | recorded segments %d\n' \
    "$(date -u -d "@$(( $(date -u +%s) + 8 * 3600 ))" +%H:%M:%S)" "$cam" "$disp" "$mic" $((ingest / 1024)) "$segs"
}
started=$(date +%s)
reported=
while kill -0 "$AGENT_PID" 2>/dev/null; do
  status || true
  # Once the lesson record has reached the office: this month's report (seed 000's form) from the office database.
  if [ -z "$reported" ] && [ "$(sqlite3 "file:$RUN/office.db?mode=ro" 'SELECT COUNT(*) FROM lesson_records' 2>/dev/null || echo 0)" -gt 0 ]; then
    reported=1
    echo "\$ edgeagent-ctl report --db office.db --month $(date -u -d '+8 hours' +%Y-%m) --format csv"
    "$CTL" report --db "$RUN/office.db" --month "$(date -u -d '+8 hours' +%Y-%m)" --format csv || true
    "$CTL" report --db "$RUN/office.db" --month "$(date -u -d '+8 hours' +%Y-%m)" --format html --out "$RUN/report.html" && echo "(and as HTML for A4: $RUN/report.html)"
  fi
  if [ "$SECONDS_TO_RUN" -gt 0 ] && [ $(( $(date +%s) - started )) -ge "$SECONDS_TO_RUN" ]; then break; fi
  sleep 10
done
