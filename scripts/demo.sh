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
echo "mosquitto on 127.0.0.1:$BROKER_PORT; watching $ROOT_TOPIC/# (one line per message, summarized; a heartbeat only when it says something new)"
# One line per message: what a technician reads off each document. The full JSON is on the broker (mosquitto_sub -v -t '#').
summarize() {
  local line topic payload kind text last_health=""
  while IFS= read -r line; do
    topic=${line%% *}; payload=${line#* }; kind=${topic#"$ROOT_TOPIC"/}
    case "$kind" in
      state) text=$(jq -r 'if .online then "state: online, agent \(.version), started \(.startedAt)" else "state: offline" end' <<<"$payload" 2>/dev/null) ;;
      health)
        text=$(jq -r '"health: " + ([.devices[] | "\(.id) \(.state)"] | join(", "))
          + (if .lesson then " | lesson \(.lesson.booking // .lesson.id): stream \(.lesson.stream.state // "-"), uplink \(if .lesson.stream == null or .lesson.stream.uplinkUp == null then "-" elif .lesson.stream.uplinkUp then "up" else "DOWN" end), \(.lesson.stream.restarts // 0) restart(s)" else "" end)
          + (if .degraded then " | degraded: " + (.degraded | join("; ")) else "" end)' <<<"$payload" 2>/dev/null)
        [ "$text" = "$last_health" ] && continue
        last_health=$text ;;
      events) text=$(jq -r '"event \(.severity) \(.type)\(if .device then " (" + .device + ")" else "" end): \(.detail)"' <<<"$payload" 2>/dev/null) ;;
      lessons) text=$(jq -r '"lesson record \(.bookingId // .id): \(.status), \(.form) \(.subject // ""), \(.actualStart // "-") to \(.actualEnd // "-"), \(.stream.secondsStreamed) s streamed, \(.stream.restarts) restart(s), \(.stream.uplinkLosses) uplink loss(es)\(if .reason then "; " + .reason else "" end)"' <<<"$payload" 2>/dev/null) ;;
      tallies) text=$(jq -r '"tallies \(.schoolYear): \(.year.lessons) lesson(s) this school year, \(.targets.syncLessons) of \(.targets.syncLessonsNeeded) synchronized"' <<<"$payload" 2>/dev/null) ;;
      compliance) text=$(jq -r '"compliance: \(.verdict) (policy \(.policyId) \(.policyVersion), \(.trigger)); " + ([.rules[] | select(.verdict != "pass") | "\(.id) \(.verdict)"] | if length == 0 then "every rule passes" else join(", ") end)' <<<"$payload" 2>/dev/null) ;;
      *) text="$kind" ;;
    esac
    echo "[mqtt] ${text:-$kind (not JSON)}"
  done
}
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -F '%t %p' -t "$ROOT_TOPIC/state" -t "$ROOT_TOPIC/health" -t "$ROOT_TOPIC/events" \
  -t "$ROOT_TOPIC/lessons" -t "$ROOT_TOPIC/tallies" -t "$ROOT_TOPIC/compliance" > >(summarize) &
PIDS+=($!)

step "Simulated classroom: two VISCA cameras, a PJLink display (with password), a mic array, on 127.0.0.1"
"$SIM" --visca-port 0 --visca-port 0 --pjlink-port 0 --pjlink-password "$PJLINK_PASSWORD" --pjlink-class 2 \
  --mic-port 0 --ports-file "$RUN/ports.json" --control "$RUN/faults" \
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
start_ingest() {
  srt-live-transmit -q "srt://127.0.0.1:$INGEST_PORT?mode=listener" "file://con" >> "$RUN/ingest.ts" 2>/dev/null &
  INGEST_PID=$!
  PIDS+=($INGEST_PID)
}
start_ingest
echo "listening on srt://127.0.0.1:$INGEST_PORT; watch what arrives with: ffplay $RUN/ingest.ts (or mpv)"

# Today's timetable, made so that period 1 rings at a full minute (school time, UTC+8) and lasts 4 minutes; the
# partner school rang a minute earlier, so the shared window is 3 minutes. The room is prepared a minute before the
# bell. A synchronized maths lesson is booked on it. The bell is set again just before the agent starts (below), so
# that the preparation comes a little after the agent is up, whatever the build and the checks took.
hm() { date -u -d "@$1" +%H:%M; }
write_config() {
  local now_cst
  now_cst=$(( $(date -u +%s) + 8 * 3600 ))
  # The first full minute at least 70 s away: the room is prepared 10-70 s from now.
  BELL=$(( ((now_cst + 70 + 59) / 60) * 60 ))
  TODAY=$(date -u -d "@$now_cst" +%Y-%m-%d)
  OWN_START=$(hm "$BELL"); OWN_END=$(hm $((BELL + 240)))
  PARTNER_START=$(hm $((BELL - 60))); PARTNER_END=$(hm $((BELL + 180)))
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
}
write_config

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

write_config
step "Starting the agent: at $(hm $((BELL - 60))) it prepares the room, at the bell ($OWN_START school time) it streams and records"
"$AGENT" run --config "$RUN/edgeagent.json" &
AGENT_PID=$!
PIDS+=($AGENT_PID)

step "Today's lessons (edgeagent lessons): period 1 shares ${OWN_START}-${PARTNER_END} with the partner school"
"$AGENT" lessons --config "$RUN/edgeagent.json" || true

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
echo "During the lesson two things break and come back, as they do in a rural room: 20 s after the bell cam1 stops answering"
echo "(its cable pulled) for 30 s; 70 s after the bell the ingest server dies, and returns 25 s later. Watch the events."
echo "At $PARTNER_END school time the shared window ends: the stream stops and the lesson record and tallies appear on MQTT;"
echo "a minute later the display goes off. (The simulators print only the commands that change something.)"
status() {
  local cam disp mic ingest segs
  # Each through the real driver, as a technician would: the value, or the driver's error in words.
  ask() { ("$AGENT" device --config "$RUN/edgeagent.json" "$@" 2>/dev/null || true) | jq -r "if .ok then .result | $FILTER else \"(\" + .error.message + \")\" end" 2>/dev/null; }
  cam=$(FILTER='"pan \(.pan) tilt \(.tilt)"' ask cam1 position)
  disp=$(FILTER='.power' ask display1 power)
  mic=$(FILTER='.mute' ask mic1 mute)
  ingest=$(stat -c %s "$RUN/ingest.ts" 2>/dev/null || echo 0)
  segs=$( (ls "$RUN/recordings" 2>/dev/null || true) | wc -l)
  printf '[room %s] cam1 %s | display %s | mic muted %s | ingest %d KB | recorded segments %d\n' \
    "$(date -u -d "@$(( $(date -u +%s) + 8 * 3600 ))" +%H:%M:%S)" "$cam" "$disp" "$mic" $((ingest / 1024)) "$segs"
}
fault() { echo "$1 $2" > "$RUN/faults"; }
started=$(date +%s)
reported=
act=0
tick=0
while kill -0 "$AGENT_PID" 2>/dev/null; do
  since_bell=$(( $(date -u +%s) + 8 * 3600 - BELL ))
  if [ "$act" -eq 0 ] && [ "$since_bell" -ge 20 ]; then act=1; echo "[demo] cam1 stops answering (its network cable is pulled)"; fault cam1 no-reply; fi
  if [ "$act" -eq 1 ] && [ "$since_bell" -ge 50 ]; then act=2; echo "[demo] cam1's cable is back"; fault cam1 none; fi
  if [ "$act" -eq 2 ] && [ "$since_bell" -ge 70 ]; then act=3; echo "[demo] the ingest server dies"; kill -TERM "$INGEST_PID" 2>/dev/null || true; fi
  if [ "$act" -eq 3 ] && [ "$since_bell" -ge 95 ]; then act=4; echo "[demo] the ingest server is back"; start_ingest; fi
  [ $((tick++ % 2)) -eq 0 ] && { status || true; }
  # Once the lesson record has reached the office: this month's report (seed 000's form) from the office database.
  if [ -z "$reported" ] && [ "$(sqlite3 "file:$RUN/office.db?mode=ro" 'SELECT COUNT(*) FROM lesson_records' 2>/dev/null || echo 0)" -gt 0 ]; then
    reported=1
    echo "\$ edgeagent-ctl report --db office.db --month $(date -u -d '+8 hours' +%Y-%m) --format csv"
    "$CTL" report --db "$RUN/office.db" --month "$(date -u -d '+8 hours' +%Y-%m)" --format csv || true
    "$CTL" report --db "$RUN/office.db" --month "$(date -u -d '+8 hours' +%Y-%m)" --format html --out "$RUN/report.html" && echo "(and as HTML for A4: $RUN/report.html)"
  fi
  if [ "$SECONDS_TO_RUN" -gt 0 ] && [ $(( $(date +%s) - started )) -ge "$SECONDS_TO_RUN" ]; then break; fi
  sleep 5
done
