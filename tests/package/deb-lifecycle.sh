#!/usr/bin/env bash
# The Debian package's life on a classroom box, tested for real:
#   - builds both packages (scripts/package.sh) and lintian finds no errors in either;
#   - the agent is one native executable (NativeAOT); the arm64 package holds aarch64 binaries, and its agent runs
#     (under qemu-aarch64): it validates the sample config and reads iCalendar bookings (Ical.Net by reflection);
#   - in a clean Debian 12 root made with debootstrap (no systemd running, as in any chroot):
#     apt installs the amd64 package with its dependencies; the user, groups, directories and unit
#     enablement are there; `edgeagent validate` and `edgeagent check --json` run against the sample config, and
#     `edgeagent lessons` reads iCalendar bookings;
#   - the config is edited and the agent, run with no broker, queues events in its outbox;
#   - a newer build installs over it: the edit and the queued messages survive, and once a broker is
#     there the queued messages arrive;
#   - purge leaves nothing of the package behind.
# Prints "package checks: N passed, N failed" and exits non-zero on any failure. Needs root.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

. tests/package/common.sh

if [ "$(id -u)" -ne 0 ]; then echo "deb-lifecycle: needs root (debootstrap, chroot)" >&2; exit 1; fi

begin_work edgeagent-deb

version=$(sed -nE 's|.*<Version>([^<]+)</Version>.*|\1|p' Directory.Build.props | head -1)
newer=$(awk -F. '{ printf "%d.%d.%d", $1, $2, $3 + 1 }' <<<"$version")
debs=$work/debs

echo "deb-lifecycle: building $version (amd64, arm64) and $newer (amd64)"
./scripts/package.sh --arch all --only agent --out "$debs" >"$work/package.log" 2>&1 || { cat "$work/package.log"; exit 1; }
./scripts/package.sh --arch amd64 --only agent --version "$newer" --out "$debs" >>"$work/package.log" 2>&1 || { cat "$work/package.log"; exit 1; }
old_deb=$debs/edgeagent_${version}_amd64.deb
new_deb=$debs/edgeagent_${newer}_amd64.deb
arm_deb=$debs/edgeagent_${version}_arm64.deb
# The update test (tests/package/update-rollout.sh) takes the same two amd64 builds instead of compiling them again.
if [ -n "${EDGEAGENT_DEBS_OUT:-}" ]; then mkdir -p "$EDGEAGENT_DEBS_OUT" && cp "$old_deb" "$new_deb" "$EDGEAGENT_DEBS_OUT/"; fi

echo "lintian"
for deb in "$old_deb" "$arm_deb"; do
  lintian --no-tag-display-limit "$deb" >"$work/lintian.txt" 2>&1
  grep -E '^[EW]: ' "$work/lintian.txt" | sed 's/^/    /'
  check "lintian: no errors in $(basename "$deb")" bash -c "! grep -q '^E: ' '$work/lintian.txt'"
done

# A weekly lesson from an iCalendar file (3 Mondays from 2022-11-14, period 1), and the sample config reading it
# with its state kept under STATE: ical_config SAMPLE ICS STATE.
write_ics() {
  cat >"$1" <<'ICS'
BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//school//timetable//ZH
BEGIN:VEVENT
UID:maths-4-1
DTSTAMP:20221101T000000Z
DTSTART;TZID=Asia/Shanghai:20221114T083000
DTEND;TZID=Asia/Shanghai:20221114T091000
RRULE:FREQ=WEEKLY;COUNT=3
SUMMARY:maths
CATEGORIES:SyncClassroom
X-EDGEAGENT-PARTNER-SCHOOL:lanxi-houren-ps
X-EDGEAGENT-TEACHER:王老师
X-EDGEAGENT-STUDENTS:28
END:VEVENT
END:VCALENDAR
ICS
}
ical_config() {
  sed -e "s#\"bookingsSource\": \"mqtt\",#\"bookingsSource\": \"ical\", \"ical\": \"$2\",#" \
    -e "s#\"/var/lib/edgeagent#\"$3#" -e "s#\"/var/log/edgeagent\"#\"$3/logs\"#" "$1"
}
the_ical_lesson='.upcoming | length == 1 and .[0].booking == "maths-4-1-20221114" and .[0].period == "1" and .[0].teacher == "王老师" and .[0].overlapMinutes == 35'

echo "the agent is compiled ahead of time"
dpkg-deb -x "$old_deb" "$work/amd64"
check "no managed edgeagent program beside the native one (no runtimeconfig)" test ! -e "$work/amd64/usr/lib/edgeagent/edgeagent.runtimeconfig.json"
check "the agent's machine code is in the executable (NativeAOT's __managedcode section)" bash -c \
  "readelf -SW '$work/amd64/usr/lib/edgeagent/edgeagent' | grep -q ' __managedcode '"

echo "arm64 contents"
dpkg-deb --contents "$arm_deb" >"$work/arm64-contents.txt"
check "dpkg-deb --contents lists the agent" grep -q ' ./usr/lib/edgeagent/edgeagent$' "$work/arm64-contents.txt"
dpkg-deb -x "$arm_deb" "$work/arm64"
for f in edgeagent edgeagent-ctl edgeagent-sim libcoreclr.so libe_sqlite3.so; do
  check "file says aarch64: $f" bash -c "file -L '$work/arm64/usr/lib/edgeagent/$f' | grep -q 'ARM aarch64'"
done
check "control says arm64" bash -c "[ \"\$(dpkg-deb -f '$arm_deb' Architecture)\" = arm64 ]"
arm_agent="qemu-aarch64 -L /usr/aarch64-linux-gnu $work/arm64/usr/lib/edgeagent/edgeagent"
mkdir -p "$work/arm64-state"
ical_config "$work/arm64/etc/edgeagent/edgeagent.json" "$work/arm64-lessons.ics" "$work/arm64-state" >"$work/arm64-ical.json"
write_ics "$work/arm64-lessons.ics"
check "the arm64 agent runs (qemu-aarch64): --version is $version" bash -c "$arm_agent --version | grep -q '^$version'"
check "the arm64 agent validates the sample config" bash -c "$arm_agent validate --config '$work/arm64-ical.json' >/dev/null"
check "the arm64 agent reads iCalendar bookings" bash -c \
  "$arm_agent lessons --config '$work/arm64-ical.json' --from 2022-11-14 --json | jq -e '$the_ical_lesson' >/dev/null"

echo "a clean Debian 12 root"
debian_root "$root" "$work/debootstrap.log" || exit 1
in_root() { chroot "$root" "$@"; }
as_agent() { chroot --userspec=edgeagent:edgeagent "$root" "$@"; }
export DEBIAN_FRONTEND=noninteractive LC_ALL=C

# What the root holds before the package (its dependencies installed first, so the comparison after purge is
# about the package alone).
in_root apt-get update -qq >"$work/apt.log" 2>&1
depends=$(dpkg-deb -f "$old_deb" Depends)
in_root apt-get satisfy -y -qq --no-install-recommends "$depends" >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
snapshot() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache \
    -o -path ./var/log -o -path ./run \) -prune -o -print | grep -vE '^\./etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$|^\./etc/ld\.so\.cache$' | LC_ALL=C sort)
}
snapshot >"$work/before.txt"

echo "install $version"
cp "$old_deb" "$new_deb" "$root/tmp/"
check "apt installs the package in a chroot without systemd" \
  bash -c "chroot '$root' apt-get install -y -q --no-install-recommends /tmp/$(basename "$old_deb") >>'$work/apt.log' 2>&1"
check "edgeagent --version is $version" bash -c "chroot '$root' edgeagent --version | grep -q '^$version'"
check "edgeagent-ctl and edgeagent-sim run" bash -c "chroot '$root' edgeagent-ctl --help >/dev/null && chroot '$root' edgeagent-sim --help >/dev/null"
groups=$(in_root id -nG edgeagent 2>/dev/null)
for g in video audio dialout gpio; do check "user edgeagent is in group $g" grep -qw "$g" <<<"$groups"; done
check "state and log directories belong to edgeagent" bash -c \
  "[ \"\$(chroot '$root' stat -c %U:%a /var/lib/edgeagent /var/log/edgeagent | sort -u)\" = 'edgeagent:750' ]"
check "config readable by the service only" bash -c "[ \"\$(chroot '$root' stat -c %U:%G:%a /etc/edgeagent/edgeagent.json)\" = 'root:edgeagent:640' ]"
check "the unit is enabled for multi-user.target" test -L "$root/etc/systemd/system/multi-user.target.wants/edgeagent.service"
check "edgeagent validate accepts the sample config" bash -c "chroot --userspec=edgeagent:edgeagent '$root' edgeagent validate >/dev/null"
as_agent edgeagent check --json >"$work/check.json" 2>"$work/check.err"
code=$?
check "edgeagent check --json judges the room (exit $code: 0 pass, 1 warn, 2 fail)" test "$code" -le 2
check "the report is a compliance report with every rule judged or unknown" bash -c \
  "jq -e '.schema == \"edgeagent.compliance/1\" and (.rules | length) > 0 and all(.rules[]; .verdict | IN(\"pass\",\"warn\",\"fail\",\"unknown\"))' '$work/check.json' >/dev/null"
write_ics "$root/tmp/lessons.ics"
ical_config "$root/etc/edgeagent/edgeagent.json" /tmp/lessons.ics /tmp/ical-state >"$root/tmp/ical.json"
chmod 0644 "$root/tmp/ical.json" "$root/tmp/lessons.ics"
check "edgeagent lessons reads iCalendar bookings" bash -c \
  "chroot --userspec=edgeagent:edgeagent '$root' edgeagent lessons --config /tmp/ical.json --from 2022-11-14 --json | jq -e '$the_ical_lesson' >/dev/null"

echo "config edit and a queued message"
while :; do port=$((20000 + RANDOM % 10000)); ss -Htan "sport = :$port" | grep -q . || break; done
sed -i "s/\"port\": 1883/\"port\": $port/" "$root/etc/edgeagent/edgeagent.json"
check "the config edit is in place" grep -q "\"port\": $port" "$root/etc/edgeagent/edgeagent.json"
db=$root/var/lib/edgeagent/state.db
queued() { sqlite3 "file:$db?mode=ro" "SELECT id FROM outbox WHERE kind = 'event' ORDER BY seq" 2>/dev/null; } # the events (beside them: the room's retained update status)
chroot --userspec=edgeagent:edgeagent "$root" edgeagent run >"$work/run1.log" 2>&1 &
agent=$!
pids+=("$agent")
for _ in $(seq 60); do [ "$(queued | wc -l)" -ge 4 ] && break; sleep 1; done
kill -TERM "$agent"; wait "$agent"; code=$?
check "the agent stops cleanly on SIGTERM (exit $code)" test "$code" -eq 0
queued >"$work/queued-before.txt"
check "with no broker, the agent queued its device events ($(wc -l <"$work/queued-before.txt"))" test -s "$work/queued-before.txt"

# apt runs maintainer scripts with PATH=/usr/sbin:/usr/bin:/sbin:/bin (DPkg::Path): the stand-in goes in /usr/bin.
echo "upgrade to $newer (as if systemd ran: a systemctl that logs what it is asked)"
mkdir -p "$root/run/systemd/system"
# apt runs maintainer scripts with PATH=/usr/sbin:/usr/bin:/sbin:/bin (DPkg::Path): the stand-in goes in /usr/bin.
cat >"$root/usr/bin/systemctl" <<'STUB'
#!/bin/sh
echo "$*" >>/tmp/systemctl.log
case "$*" in
  *is-enabled*) if [ -L /etc/systemd/system/multi-user.target.wants/edgeagent.service ]; then echo enabled; else echo disabled; fi ;;
esac
exit 0
STUB
chmod 0755 "$root/usr/bin/systemctl"
check "apt installs the newer build over it" \
  bash -c "chroot '$root' apt-get install -y -q --no-install-recommends /tmp/$(basename "$new_deb") >>'$work/apt.log' 2>&1"
sed 's/^/    systemctl /' "$root/tmp/systemctl.log"
stopped_then_started() { # the line numbers of "stop edgeagent.service" and "start edgeagent.service", in that order
  local stop start
  stop=$(grep -nE '(^| )stop edgeagent\.service$' "$1" | head -1 | cut -d: -f1)
  start=$(grep -nE '(^| )start( [^ ]+)* edgeagent\.service( |$)' "$1" | tail -1 | cut -d: -f1)
  [ -n "$stop" ] && [ -n "$start" ] && [ "$stop" -lt "$start" ]
}
check "prerm stopped the service before the upgrade, postinst started it after" stopped_then_started "$root/tmp/systemctl.log"
rm -f "$root/usr/bin/systemctl"
rm -rf "$root/run/systemd"
check "edgeagent --version is $newer" bash -c "chroot '$root' edgeagent --version | grep -q '^$newer'"
check "the config edit survived" grep -q "\"port\": $port" "$root/etc/edgeagent/edgeagent.json"
check "no .dpkg-dist/.dpkg-old beside the config" bash -c "! ls '$root'/etc/edgeagent/*.dpkg-* >/dev/null 2>&1"
queued >"$work/queued-after.txt"
check "the queued messages survived" cmp -s "$work/queued-before.txt" "$work/queued-after.txt"

echo "delivery once a broker is there"
mkdir -p "$work/broker"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n' "$port" >"$work/broker/mosquitto.conf"
mosquitto -c "$work/broker/mosquitto.conf" >"$work/broker/log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do ss -Hltn "sport = :$port" | grep -q . && break; sleep 0.2; done
# A persistent session subscribed first (-E exits on SUBACK): the broker keeps every event for it from then on.
sub=(mosquitto_sub -h 127.0.0.1 -p "$port" -c -i edgeagent-deb-test -q 1 -t 'edu/+/+/+/edgeagent/events')
check "the office's subscription is in place" "${sub[@]}" -E
"${sub[@]}" >"$work/events.jsonl" 2>&1 &
pids+=($!)
chroot --userspec=edgeagent:edgeagent "$root" edgeagent run >"$work/run2.log" 2>&1 &
agent=$!
pids+=("$agent")
delivered() { jq -r '.id' "$work/events.jsonl" 2>/dev/null | sort; }
for _ in $(seq 60); do
  [ -z "$(comm -23 <(sort "$work/queued-before.txt") <(delivered))" ] && [ -z "$(sqlite3 "file:$db?mode=ro" 'SELECT id FROM outbox')" ] && break
  sleep 1
done
check "every message queued before the upgrade arrived at the broker" \
  bash -c "[ -z \"\$(comm -23 <(sort '$work/queued-before.txt') <(jq -r .id '$work/events.jsonl' | sort))\" ]"
check "the outbox is empty after delivery" bash -c "[ -z \"\$(sqlite3 'file:$db?mode=ro' 'SELECT id FROM outbox')\" ]"
kill -TERM "$agent"; wait "$agent"

echo "purge"
check "apt purges the package" bash -c "chroot '$root' apt-get purge -y -q edgeagent >>'$work/apt.log' 2>&1"
check "the user is gone" bash -c "! chroot '$root' getent passwd edgeagent >/dev/null"
check "the group is gone" bash -c "! chroot '$root' getent group edgeagent >/dev/null"
snapshot >"$work/after.txt"
diff "$work/before.txt" "$work/after.txt" >"$work/left.txt"
sed 's/^/    /' "$work/left.txt" | head -20
check "nothing of the package is left (files, directories, unit links, state)" test ! -s "$work/left.txt"
check "no logs are left" test ! -e "$root/var/log/edgeagent"

finish
