#!/usr/bin/env bash
# EdgeAgent demo: installs what is missing, then runs both rooms of a pair (a main room and its receiving room, each
# with its own simulated classroom), a relay per direction, the broker and the office service (collector, console,
# alerts), all on loopback, and
# shows a two-way lesson on the terminal. Runs until Ctrl-C, or for N seconds with --seconds N. Cleans up every
# process it started.
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
  # Newest first: the agents say goodbye to the broker before the broker goes.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    pid=${PIDS[$i]}
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  echo "demo: everything stopped. State, logs, recordings and screenshots are in $RUN"
}
trap cleanup INT TERM EXIT

SIM="$ROOT/src/EdgeAgent.Simulators/bin/Debug/net10.0/edgeagent-sim"
AGENT="${EDGEAGENT_AGENT:-$BIN/edgeagent}"  # EDGEAGENT_AGENT: try another build of the agent, e.g. the package's
CTL="$ROOT/src/EdgeAgent.Ctl/bin/Debug/net10.0/edgeagent-ctl"
PJLINK_PASSWORD=demo-pjlink
REGION=zj-jinhua
MAIN_SCHOOL=lanxi-wuxi-ps; MAIN_ROOM=room-301       # 主讲教室: the urban teacher's room
RECV_SCHOOL=lanxi-houren-ps; RECV_ROOM=room-2       # 听讲教室: the rural class
MAIN_ID="$REGION/$MAIN_SCHOOL/$MAIN_ROOM"; RECV_ID="$REGION/$RECV_SCHOOL/$RECV_ROOM"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 20000))
    ss -Hltun "sport = :$port" 2>/dev/null | grep -q . || { echo "$port"; return; }
  done
}

step "Local MQTT broker (mosquitto) on 127.0.0.1 for the fleet's side"
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
echo "mosquitto on 127.0.0.1:$BROKER_PORT; watching edu/$REGION/# (one line per message, summarized; a heartbeat only when it says something new)"
# One line per message: what a technician reads off each document, prefixed with the room. The full JSON is on the
# broker (mosquitto_sub -v -t '#').
summarize() {
  local line topic payload room kind text
  declare -A last_health=()
  while IFS= read -r line; do
    topic=${line%% *}; payload=${line#* }
    room=$(cut -d/ -f3-4 <<<"$topic"); kind=${topic#*/edgeagent/}
    case "$kind" in
      state) text=$(jq -r 'if .online then "state: online, agent \(.version), started \(.startedAt)" else "state: offline" end' <<<"$payload" 2>/dev/null) ;;
      health)
        text=$(jq -r '"health: " + ([.devices[] | "\(.id) \(.state)"] | join(", "))
          + (if .lesson then " | lesson \(.lesson.booking // .lesson.id): sending \(.lesson.stream.state // "-"), uplink \(if .lesson.stream == null or .lesson.stream.uplinkUp == null then "-" elif .lesson.stream.uplinkUp then "up" else "DOWN" end)" else "" end)
          + (if .lesson.stream.link then " (\(.lesson.stream.link.rung // "one rung"), RTT \(.lesson.stream.link.rttMs | floor) ms, \(.lesson.stream.link.lossPercent) % lost, SRT latency \(.lesson.stream.link.latencyMs) ms)" else "" end)
          + (if .lesson.playback then " | partner \(.lesson.playback.partner) \(.lesson.playback.state)" + (if .lesson.playback.latencyMs then ", latency \(.lesson.playback.latencyMs | floor / 10 | floor * 10) ms" else "" end) else "" end)
          + (if .degraded then " | degraded: " + (.degraded | join("; ")) else "" end)' <<<"$payload" 2>/dev/null)
        [ "$text" = "${last_health[$room]:-}" ] && continue
        last_health[$room]=$text ;;
      events) text=$(jq -r '"event \(.severity) \(.type)\(if .device then " (" + .device + ")" else "" end): \(.detail)"' <<<"$payload" 2>/dev/null) ;;
      lessons) text=$(jq -r '"lesson record \(.bookingId // .id): \(.status), \(.form) \(.subject // ""), \(.actualStart // "-") to \(.actualEnd // "-"), sent \(.stream.secondsStreamed) s"
          + (if .playback then ", partner played \(.playback.secondsPlayed) s, latency p50 \(.playback.latencyMs.p50 // "-") / p95 \(.playback.latencyMs.p95 // "-") ms" else "" end)
          + (if .reason then "; " + .reason else "" end)' <<<"$payload" 2>/dev/null) ;;
      tallies) text=$(jq -r '"tallies \(.schoolYear): \(.year.lessons) lesson(s) this school year, \(.targets.syncLessons) of \(.targets.syncLessonsNeeded) synchronized"' <<<"$payload" 2>/dev/null) ;;
      compliance) text=$(jq -r '"compliance: \(.verdict) (policy \(.policyId) \(.policyVersion), \(.trigger)); " + ([.rules[] | select(.verdict != "pass") | "\(.id) \(.verdict)"] | if length == 0 then "every rule passes" else join(", ") end)' <<<"$payload" 2>/dev/null) ;;
      *) continue ;;
    esac
    echo "[mqtt $room] ${text:-$kind (not JSON)}"
  done
}
mosquitto_sub -h 127.0.0.1 -p "$BROKER_PORT" -F '%t %p' -t "edu/$REGION/+/+/edgeagent/+" > >(summarize) &
PIDS+=($!)

step "Two simulated classrooms on 127.0.0.1, each: two VISCA cameras, a PJLink display (with password), a mic array"
declare -A PORTS
start_classroom() {
  local name=$1
  "$SIM" --visca-port 0 --visca-port 0 --pjlink-port 0 --pjlink-password "$PJLINK_PASSWORD" --pjlink-class 2 \
    --mic-port 0 --ports-file "$RUN/$name-ports.json" --control "$RUN/$name-faults" \
    > >(grep --line-buffered -vE 'inquiry|control seq=|\?$|< GET |faults from' | sed -u "s/^\[sim\]/[sim $name]/" || true) &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$RUN/$name-ports.json" ] && break; sleep 0.1; done
  [ -s "$RUN/$name-ports.json" ] || { echo "demo: the simulators did not start" >&2; exit 1; }
  PORTS[$name]=$(cat "$RUN/$name-ports.json")
}
start_classroom main
start_classroom receiving

step "The network between the rooms: a county relay per direction (srt-live-transmit), and an iperf3 server for the checks"
IPERF_PORT=$(free_port)
iperf3 -s -p "$IPERF_PORT" --bind 127.0.0.1 > /dev/null 2>&1 &
PIDS+=($!)
declare -A RELAY_PID
TO_RECV_IN=$(free_port); TO_RECV_OUT=$(free_port); TO_MAIN_IN=$(free_port); TO_MAIN_OUT=$(free_port)
start_relay() { # name, publisher port, player port
  srt-live-transmit -q "srt://127.0.0.1:$2?mode=listener" "srt://127.0.0.1:$3?mode=listener" > /dev/null 2>&1 &
  RELAY_PID[$1]=$!
  PIDS+=($!)
}
# The county office's storage for recorded lessons: a WebDAV server (rclone's own) the rooms upload to with rclone.
OFFICE_DAV=$(free_port)
mkdir -p "$RUN/office-storage"
rclone serve webdav "$RUN/office-storage" --addr "127.0.0.1:$OFFICE_DAV" > /dev/null 2>&1 &
PIDS+=($!)
printf '[office]\ntype = webdav\nurl = http://127.0.0.1:%s/\nvendor = other\n' "$OFFICE_DAV" > "$RUN/rclone.conf"
start_relay to-receiving "$TO_RECV_IN" "$TO_RECV_OUT"
start_relay to-main "$TO_MAIN_IN" "$TO_MAIN_OUT"
# The rural school's own line to the county: 2 Mbit/s, 3 % loss, 150 ms each way (edgeagent-sim's impairment relay).
# Its uplink and its compliance checks go through it; the demo drops it to 0.5 Mbit/s for a while during the lesson.
start_link() { # name, target port, spec; sets LINK_PORT
  "$SIM" --link-port 0 --link-target "$2" --link "$3" --ports-file "$RUN/$1-ports.json" --control "$RUN/$1-control" \
    > >(sed -u "s/^\[sim\]/[sim $1]/" || true) &
  PIDS+=($!)
  for _ in $(seq 1 100); do [ -s "$RUN/$1-ports.json" ] && break; sleep 0.1; done
  [ -s "$RUN/$1-ports.json" ] || { echo "demo: the simulated link did not start" >&2; exit 1; }
  LINK_PORT=$(sed -E 's/.*"link":([0-9]+).*/\1/' "$RUN/$1-ports.json")
}
RURAL_LINK="delay=150,loss=3,rate=2"
start_link rural-uplink "$TO_MAIN_IN" "$RURAL_LINK"; RURAL_UP=$LINK_PORT
start_link rural-iperf "$IPERF_PORT" "$RURAL_LINK"; RURAL_IPERF=$LINK_PORT
echo "main → receiving: srt://127.0.0.1:$TO_RECV_IN (publish) → srt://127.0.0.1:$TO_RECV_OUT (play)"
echo "receiving → main: srt://127.0.0.1:$RURAL_UP (the rural line: 2 Mbit/s, 3 % loss, 150 ms each way) → $TO_MAIN_IN (publish) → srt://127.0.0.1:$TO_MAIN_OUT (play)"

# Today's timetable of both schools: period 1 rings at a full minute (school time, UTC+8) and lasts 4 minutes in the
# main school; the partner school rang a minute earlier, so the shared window is 3 minutes. A room is prepared a
# minute before the bell. A synchronized maths lesson is booked on it in both rooms. The bell is set again just before
# the agents start (below), so that the preparation comes a little after they are up, whatever the build took.
hm() { date -u -d "@$1" +%H:%M; }
write_config() { # name school room role pattern width height publish play partnerSchool partnerRoom iperf3Port
  local name=$1 school=$2 room=$3 role=$4 pattern=$5 width=$6 height=$7 publish=$8 play=$9 pschool=${10} proom=${11} iperf=${12}
  local p=${PORTS[$name]} dir="$RUN/$name"
  local cam1 cam2 disp mic
  cam1=$(sed -E 's/.*"visca":\[([0-9]+),([0-9]+)\].*/\1/' <<<"$p"); cam2=$(sed -E 's/.*"visca":\[([0-9]+),([0-9]+)\].*/\2/' <<<"$p")
  disp=$(sed -E 's/.*"pjlink":([0-9]+).*/\1/' <<<"$p"); mic=$(sed -E 's/.*"mic":([0-9]+).*/\1/' <<<"$p")
  mkdir -p "$dir"
  cat > "$dir/edgeagent.json" <<JSON
{
  "region": "$REGION", "school": "$school", "room": "$room", "role": "$role",
  "broker": { "host": "127.0.0.1", "port": $BROKER_PORT, "heartbeatSeconds": 30 },
  "devices": [
    { "id": "cam1", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": $cam1,
      "presets": { "teacher": 1, "blackboard": 2, "students": 3 } },
    { "id": "cam2", "kind": "camera", "protocol": "visca-ip", "host": "127.0.0.1", "port": $cam2, "presets": { "students": 1 } },
    { "id": "display1", "kind": "display", "protocol": "pjlink", "host": "127.0.0.1", "port": $disp,
      "password": "$PJLINK_PASSWORD", "lessonInput": "31" },
    { "id": "mic1", "kind": "mic-array", "protocol": "command-string", "host": "127.0.0.1", "port": $mic }
  ],
  "devicePollSeconds": 5,
  "stream": { "videoSource": "test", "testPattern": "$pattern", "audioSource": "test", "width": $width, "height": $height, "fps": 25,
              "videoBitrateKbps": 1500,
              "uplinkUrl": "srt://127.0.0.1:$publish?mode=caller&streamid={school}.{room}",
              "partnerUrl": "srt://127.0.0.1:$play?mode=caller&streamid={partnerSchool}.{partnerRoom}" },
  "playback": { "video": "offscreen", "audioDevice": "none", "display": "display1", "displayInput": "32", "partnerWaitSeconds": 15 },
  "recording": { "directory": "recordings", "segmentSeconds": 10,
                 "upload": { "target": "office:lessons/{school}/{room}", "configFile": "$RUN/rclone.conf", "startDelayMaxSeconds": 5 } },
  "compliance": { "iperf3Host": "127.0.0.1", "iperf3Port": $iperf, "iperf3Seconds": 2, "micTestSeconds": 2 },
  "lessons": {
    "prepareMinutes": 1, "displayOffGraceMinutes": 1, "minimumOverlapMinutes": 2,
    "timetables": [
      { "school": "$MAIN_SCHOOL", "schedules": [ { "name": "demo day", "effectiveFrom": "$TODAY",
          "periods": [ { "name": "1", "start": "$OWN_START", "end": "$OWN_END" } ] } ] },
      { "school": "$RECV_SCHOOL", "schedules": [ { "name": "demo day", "effectiveFrom": "$TODAY",
          "periods": [ { "name": "1", "start": "$PARTNER_START", "end": "$PARTNER_END" } ] } ] }
    ],
    "bookings": [
      { "id": "demo-maths-1", "date": "$TODAY", "period": "1", "form": "SyncClassroom", "subject": "maths", "role": "$role",
        "partnerSchool": "$pschool", "partnerRoom": "$proom", "teacher": "王老师", "class": "四(1)班", "students": 28 }
    ]
  },
  "stateDirectory": "state", "logsDirectory": "logs",
  "logging": { "level": "Information", "console": false }
}
JSON
}
write_configs() {
  local now_cst
  now_cst=$(( $(date -u +%s) + 8 * 3600 ))
  # The first full minute at least 70 s away: the rooms are prepared 10-70 s from now.
  BELL=$(( ((now_cst + 70 + 59) / 60) * 60 ))
  TODAY=$(date -u -d "@$now_cst" +%Y-%m-%d)
  OWN_START=$(hm "$BELL"); OWN_END=$(hm $((BELL + 240)))
  PARTNER_START=$(hm $((BELL - 60))); PARTNER_END=$(hm $((BELL + 180)))
  # The main room sends still bars, the receiving room a moving pattern (it fills its bitrate, so its ladder has work):
  # each player's screenshot shows whose picture it is.
  write_config main "$MAIN_SCHOOL" "$MAIN_ROOM" main smptebars 1280 720 "$TO_RECV_IN" "$TO_MAIN_OUT" "$RECV_SCHOOL" "$RECV_ROOM" "$IPERF_PORT"
  write_config receiving "$RECV_SCHOOL" "$RECV_ROOM" receiving testsrc2 1280 720 "$RURAL_UP" "$TO_RECV_OUT" "$MAIN_SCHOOL" "$MAIN_ROOM" "$RURAL_IPERF"
}
write_configs
MAIN_CFG="$RUN/main/edgeagent.json"; RECV_CFG="$RUN/receiving/edgeagent.json"

step "Validating both configurations"
"$AGENT" validate --config "$MAIN_CFG"
"$AGENT" validate --config "$RECV_CFG"

device() {
  printf '$ edgeagent device %s\n  ' "$*"
  "$AGENT" device --config "$MAIN_CFG" "$@" | tr -s ' \n' ' '
  echo
}
step "Installer's step in the main room: store the camera presets through the real drivers (VISCA over UDP to the simulators)"
device cam1 move 1200 -300
device cam1 preset-set teacher
device cam2 preset-set students
device cam1 home
device mic1 mute on
"$AGENT" device --config "$RECV_CFG" cam1 preset-set students > /dev/null
"$AGENT" device --config "$RECV_CFG" cam2 preset-set students > /dev/null

step "The installer's hand-over check in the main room (edgeagent check): every rule measured, in Chinese and English"
"$AGENT" check --config "$MAIN_CFG" || echo "(edgeagent check exit code $?: 0 pass, 1 warn, 2 fail, 3 could not run)"
step "The same in the rural room, over its 2 Mbit/s line (the network rules): what it measures sets its lessons' SRT latency and first rung"
("$AGENT" check --config "$RECV_CFG" || true) | grep -E 'NET-|RULE|规则' || true

write_configs
step "Starting both agents: at $(hm $((BELL - 60))) they prepare their rooms, at the bell ($OWN_START school time) each sends its room and plays the other"
"$AGENT" run --config "$MAIN_CFG" > >(sed -u 's/^/[main] /') 2>&1 &
MAIN_PID=$!
PIDS+=($MAIN_PID)
"$AGENT" run --config "$RECV_CFG" > >(sed -u 's/^/[receiving] /') 2>&1 &
RECV_PID=$!
PIDS+=($RECV_PID)

step "Today's lessons of the main room (edgeagent lessons): period 1 shares ${OWN_START}-${PARTNER_END} with the partner school"
"$AGENT" lessons --config "$MAIN_CFG" || true

step "The office service (edgeagent-office): the collector, the web console with alerts, /metrics"
OFFICE="$ROOT/src/EdgeAgent.Office/bin/Debug/net10.0/edgeagent-office"
OFFICE_PORT=$(free_port)
cat > "$RUN/office.json" <<JSON
{ "broker": { "host": "127.0.0.1", "port": $BROKER_PORT }, "database": "$RUN/office.db",
  "stateDirectory": "$RUN/office-state", "listen": "http://127.0.0.1:$OFFICE_PORT", "collector": { "name": "demo-office" } }
JSON
# The demo's rules: a device not answering during a lesson is an alert at once (a county would give it a minute or two).
cat > "$RUN/alert-rules.json" <<'JSON'
{ "schema": "edgeagent.alert-rules/1", "version": "demo",
  "schoolHours": { "days": ["mon", "tue", "wed", "thu", "fri"], "start": "07:00", "end": "18:00" }, "escalateAfterMinutes": 30,
  "notify": { "webhooks": [], "email": [] },
  "rules": [
    { "id": "device-offline-lesson", "condition": "device-offline", "severity": "important", "minutes": 0, "duringLessonOnly": true },
    { "id": "room-offline", "condition": "room-offline", "severity": "important", "minutes": 10 },
    { "id": "lesson-failed", "condition": "lesson-failed", "severity": "important" },
    { "id": "compliance-fail", "condition": "compliance-fail", "severity": "warning" },
    { "id": "partner-missing", "condition": "partner-missing", "severity": "important", "minutes": 1 } ] }
JSON
EDGEAGENT_OFFICE_PASSWORD=demo-admin-2026 "$OFFICE" user add admin --role admin -c "$RUN/office.json" >/dev/null
EDGEAGENT_OFFICE_PASSWORD=demo-tech-2026 "$OFFICE" user add tech --role technician -c "$RUN/office.json" >/dev/null
"$OFFICE" rules set "$RUN/alert-rules.json" -c "$RUN/office.json"
"$OFFICE" -c "$RUN/office.json" > >(grep --line-buffered -E 'alert|collector|listening|fail|error' | sed -u -E 's/^(info|warn|fail): [A-Za-z.]+\[[0-9]+\] //; s/^/[office] /') 2>&1 &
PIDS+=($!)
for _ in $(seq 60); do curl -fsS "http://127.0.0.1:$OFFICE_PORT/healthz" >/dev/null 2>&1 && break; sleep 0.5; done
echo "The console: http://127.0.0.1:$OFFICE_PORT (sign in as tech / demo-tech-2026, or admin / demo-admin-2026)"
echo "\$ curl http://127.0.0.1:$OFFICE_PORT/healthz"
curl -sS "http://127.0.0.1:$OFFICE_PORT/healthz"; echo

step "A technician's tools (edgeagent-ctl): the fleet, one room, a command"
for _ in $(seq 30); do [ "$("$CTL" rooms --broker "127.0.0.1:$BROKER_PORT" --json 2>/dev/null | grep -c '"lastHeartbeat": "')" -ge 2 ] && break; sleep 1; done
echo "\$ edgeagent-ctl rooms"
"$CTL" rooms --broker "127.0.0.1:$BROKER_PORT" || true
echo "\$ edgeagent-ctl diag $MAIN_ID ping"
"$CTL" diag "$MAIN_ID" ping --broker "127.0.0.1:$BROKER_PORT" | head -3 || true

step "The pair, every 10 s: the main room's camera, display and microphones, and each room's partner display (a screenshot each 30 s; Ctrl-C to stop)"
echo "During the lesson things break and come back, as they do: 20 s after the bell the main room's cam1 stops answering"
echo "(its cable pulled) for 30 s; 70 s after the bell the relay to the receiving room dies, and returns 20 s later:"
echo "the receiving room shows the slate (等待对方教室接入…) meanwhile, and the partner's picture again after. 93 s after"
echo "the bell the rural line falls to 0.5 Mbit/s for 15 s: the receiving room's uplink moves down its ladder within seconds"
echo "(rung-changed) and back up a calm minute later. At $PARTNER_END"
echo "school time the shared window ends: the records (with what each room received and the latency) and the tallies"
echo "appear on MQTT; a minute later the displays go off, and each room uploads its lesson to the office's storage as one"
echo "MP4 with its record (recording-uploaded): $RUN/office-storage. Each room's segments: ffplay $RUN/main/recordings/<segment>.ts"
status() {
  local cam disp mic
  ask() { ("$AGENT" device --config "$MAIN_CFG" "$@" 2>/dev/null || true) | jq -r "if .ok then .result | $FILTER else \"(\" + .error.message + \")\" end" 2>/dev/null; }
  cam=$(FILTER='"pan \(.pan) tilt \(.tilt)"' ask cam1 position)
  disp=$(FILTER='.power' ask display1 power)
  mic=$(FILTER='.mute' ask mic1 mute)
  printf '[room %s] main room: cam1 %s | display %s | mic muted %s | recorded segments: main %d, receiving %d\n' \
    "$(date -u -d "@$(( $(date -u +%s) + 8 * 3600 ))" +%H:%M:%S)" "$cam" "$disp" "$mic" \
    "$( (ls "$RUN/main/recordings" 2>/dev/null || true) | wc -l)" "$( (ls "$RUN/receiving/recordings" 2>/dev/null || true) | wc -l)"
}
shots=0
screenshots() {
  local room file source
  for room in "$MAIN_ID" "$RECV_ID"; do
    file="$RUN/screenshot-$(tr / _ <<<"$room")-$shots.jpg"
    if source=$("$CTL" diag "$room" snapshot --arg camera=partner --out "$file" --json --broker "127.0.0.1:$BROKER_PORT" 2>/dev/null | jq -r '.result.source // empty'); then
      [ -n "$source" ] && echo "[screen $room] its partner display shows the $source: $file"
    fi
  done
  shots=$((shots + 1))
}
fault() { echo "$2 $3" > "$RUN/$1-faults"; }
started=$(date +%s)
reported=
act=0
heal=0
tick=0
while kill -0 "$MAIN_PID" 2>/dev/null; do
  since_bell=$(( $(date -u +%s) + 8 * 3600 - BELL ))
  if [ "$act" -eq 0 ] && [ "$since_bell" -ge 20 ]; then act=1; echo "[demo] the main room's cam1 stops answering (its network cable is pulled)"; fault main cam1 no-reply; fi
  if [ "$act" -eq 1 ] && [ "$since_bell" -ge 50 ]; then act=2; echo "[demo] cam1's cable is back"; fault main cam1 none; fi
  if [ "$heal" -eq 0 ] && [ "$since_bell" -ge 35 ]; then heal=1; echo "[demo] somebody in the receiving room switches the display off and mutes the microphones: its playbooks put both back"; echo "display1 power-off" > "$RUN/receiving-faults"; sleep 0.2; echo "mic1 mute" > "$RUN/receiving-faults"; fi
  if [ "$act" -eq 2 ] && [ "$since_bell" -ge 70 ]; then act=3; echo "[demo] the relay to the receiving room dies"; kill -TERM "${RELAY_PID[to-receiving]}" 2>/dev/null || true; fi
  if [ "$act" -eq 3 ] && [ "$since_bell" -ge 80 ]; then act=4; screenshots; fi
  if [ "$act" -eq 4 ] && [ "$since_bell" -ge 90 ]; then act=5; echo "[demo] the relay is back"; start_relay to-receiving "$TO_RECV_IN" "$TO_RECV_OUT"; fi
  if [ "$act" -eq 5 ] && [ "$since_bell" -ge 93 ]; then act=6; echo "[demo] the rural line falls to 0.5 Mbit/s"; echo "link delay=150,loss=3,rate=0.5" > "$RUN/rural-uplink-control"; fi
  if [ "$act" -eq 6 ] && [ "$since_bell" -ge 108 ]; then act=7; echo "[demo] the rural line is back to 2 Mbit/s"; echo "link $RURAL_LINK" > "$RUN/rural-uplink-control"; fi
  [ $((tick % 2)) -eq 0 ] && { status || true; }
  if [ "$since_bell" -ge 5 ] && [ "$since_bell" -lt 180 ] && [ $((tick % 6)) -eq 1 ]; then screenshots || true; fi
  tick=$((tick + 1))
  # Once the lesson records have reached the office: this month's report (seed 000's form) from the office database.
  if [ -z "$reported" ] && [ "$(sqlite3 "file:$RUN/office.db?mode=ro" 'SELECT COUNT(*) FROM lesson_records' 2>/dev/null || echo 0)" -ge 2 ]; then
    reported=1
    echo "\$ edgeagent-ctl status $RECV_ID"
    "$CTL" status "$RECV_ID" --broker "127.0.0.1:$BROKER_PORT" --db "$RUN/office.db" | head -8 || true
    echo "\$ edgeagent-ctl report --db office.db --month $(date -u -d '+8 hours' +%Y-%m) --format csv"
    "$CTL" report --db "$RUN/office.db" --month "$(date -u -d '+8 hours' +%Y-%m)" --format csv || true
    "$CTL" report --db "$RUN/office.db" --month "$(date -u -d '+8 hours' +%Y-%m)" --format html --out "$RUN/report.html" && echo "(and as HTML for A4: $RUN/report.html)"
  fi
  # The office's figures once a minute: rooms online, devices not online, alerts open (Prometheus, /metrics).
  if [ $((tick % 12)) -eq 5 ]; then
    curl -sS "http://127.0.0.1:$OFFICE_PORT/metrics" 2>/dev/null | grep -E '^edgeagent_office_(rooms\{|devices_not_online|alerts_open)' | tr '\n' ' ' | sed 's/^/[office metrics] /; s/$/\n/' || true
  fi
  if [ "$SECONDS_TO_RUN" -gt 0 ] && [ $(( $(date +%s) - started )) -ge "$SECONDS_TO_RUN" ]; then break; fi
  sleep 5
done
