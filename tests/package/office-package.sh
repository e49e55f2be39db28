#!/usr/bin/env bash
# The office service's Debian package, tested for real:
#   - builds it (scripts/package.sh --only office) and lintian finds no errors;
#   - the unit's hardening scores well offline (systemd-analyze security --offline=true);
#   - in a clean Debian 12 root made with debootstrap (no systemd running): apt installs it with its dependencies
#     (the CJK font among them); user, directories, config mode and unit enablement are there; `validate` accepts the
#     sample config and refuses a broken one with exit 78 naming the field;
#   - started in the root against a broker on the host: /healthz says ok, a user added with `user add` signs in and
#     sees the fleet page with a room the broker holds; SIGTERM stops it cleanly;
#   - purge leaves nothing of the package behind.
# Prints "package checks: N passed, N failed" and exits non-zero on any failure. Needs root.
set -uo pipefail
cd "$(dirname "$0")/../.."

. tests/package/common.sh

if [ "$(id -u)" -ne 0 ]; then echo "office-package: needs root (debootstrap, chroot)" >&2; exit 1; fi

begin_work edgeagent-office-deb

version=$(sed -nE 's|.*<Version>([^<]+)</Version>.*|\1|p' Directory.Build.props | head -1)
echo "office-package: building $version (amd64)"
./scripts/package.sh --arch amd64 --only office --out "$work/debs" >"$work/package.log" 2>&1 || { cat "$work/package.log"; exit 1; }
deb=$work/debs/edgeagent-office_${version}_amd64.deb

echo "lintian"
lintian --no-tag-display-limit "$deb" >"$work/lintian.txt" 2>&1
grep -E '^[EW]: ' "$work/lintian.txt" | sed 's/^/    /'
check "lintian: no errors in $(basename "$deb")" bash -c "! grep -q '^E: ' '$work/lintian.txt'"

echo "the unit's sandbox (offline)"
systemd-analyze security --offline=true --no-pager deploy/office/edgeagent-office.service >"$work/security.txt" 2>&1
exposure=$(grep -oE 'Overall exposure level for [^:]+: [0-9.]+' "$work/security.txt" | grep -oE '[0-9.]+$')
echo "    exposure $exposure"
check "systemd-analyze rates the unit's exposure at most 2.5 (got ${exposure:-nothing})" bash -c "[ -n '$exposure' ] && awk 'BEGIN { exit !($exposure <= 2.5) }'"

echo "a clean Debian 12 root"
debian_root "$root" "$work/debootstrap.log" || exit 1
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
chroot "$root" apt-get update -qq >"$work/apt.log" 2>&1
depends=$(dpkg-deb -f "$deb" Depends)
chroot "$root" apt-get satisfy -y -qq --no-install-recommends "$depends" >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
snapshot() {
  (cd "$root" && find . -xdev \( -path ./proc -o -path ./tmp -o -path ./var/lib/dpkg -o -path ./var/lib/apt -o -path ./var/cache \
    -o -path ./var/log -o -path ./run \) -prune -o -print | grep -vE '^\./etc/(passwd|group|shadow|gshadow|subuid|subgid)-?$|^\./etc/ld\.so\.cache$' | LC_ALL=C sort)
}
snapshot >"$work/before.txt"

echo "install"
cp "$deb" "$root/tmp/"
check "apt installs the package in a chroot without systemd" \
  bash -c "chroot '$root' apt-get install -y -q --no-install-recommends /tmp/$(basename "$deb") >>'$work/apt.log' 2>&1"
check "the CJK font is installed with it" test -e "$root/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"
check "state directory belongs to edgeagent-office" bash -c "[ \"\$(chroot '$root' stat -c %U:%a /var/lib/edgeagent-office)\" = 'edgeagent-office:750' ]"
check "config readable by the service only" bash -c "[ \"\$(chroot '$root' stat -c %U:%G:%a /etc/edgeagent-office/office.json)\" = 'root:edgeagent-office:640' ]"
check "the unit is enabled for multi-user.target" test -L "$root/etc/systemd/system/multi-user.target.wants/edgeagent-office.service"
as_office() { chroot --userspec=edgeagent-office:edgeagent-office "$root" "$@"; }
check "validate accepts the sample config" bash -c "chroot --userspec=edgeagent-office:edgeagent-office '$root' edgeagent-office validate >/dev/null"
sed 's/"listen": "http:\/\/127.0.0.1:8480"/"listen": "ftp:\/\/nowhere"/' "$root/etc/edgeagent-office/office.json" >"$root/tmp/bad.json"
chmod 0644 "$root/tmp/bad.json"
as_office edgeagent-office validate -c /tmp/bad.json >"$work/bad.out" 2>&1
code=$?
check "a broken config exits 78 naming the field (exit $code: $(head -1 "$work/bad.out"))" bash -c "[ $code -eq 78 ] && grep -q 'listen:' '$work/bad.out'"

echo "run against a broker"
broker_port=$(free_port)
office_port=$(free_port)
mkdir -p "$work/broker"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\nuser root\n' "$broker_port" >"$work/broker/mosquitto.conf"
mosquitto -c "$work/broker/mosquitto.conf" >"$work/broker/log" 2>&1 &
pids+=($!)
for _ in $(seq 50); do ss -Hltn "sport = :$broker_port" | grep -q . && break; sleep 0.2; done
mosquitto_pub -h 127.0.0.1 -p "$broker_port" -r -q 1 -t 'edu/zj-pkg/pkg-school/room-1/edgeagent/state' \
  -m '{"schema":"edgeagent.state/1","online":true,"version":"0.1.0","role":"main","startedAt":"2026-12-07T08:00:00+08:00"}'
sed -i -e "s/\"port\": 1883/\"port\": $broker_port/" -e "s/127.0.0.1:8480/127.0.0.1:$office_port/" "$root/etc/edgeagent-office/office.json"
check "a user added from the command line" bash -c \
  "EDGEAGENT_OFFICE_PASSWORD=office-pkg-2026 chroot --userspec=edgeagent-office:edgeagent-office '$root' edgeagent-office user add tech --role technician | grep -q 'user tech: technician'"
chroot --userspec=edgeagent-office:edgeagent-office "$root" edgeagent-office run >"$work/run.log" 2>&1 &
office=$!
pids+=("$office")
for _ in $(seq 120); do curl -fsS "http://127.0.0.1:$office_port/healthz" >"$work/healthz.json" 2>/dev/null && break; sleep 0.5; done
check "/healthz says ok" bash -c "jq -e '.status == \"ok\" and .rooms == 1' '$work/healthz.json' >/dev/null"
jar=$work/cookies
curl -sS -c "$jar" -b "$jar" "http://127.0.0.1:$office_port/signin" >"$work/signin.html"
token=$(grep -o 'name="__RequestVerificationToken" type="hidden" value="[^"]*"' "$work/signin.html" | head -1 | sed 's/.*value="//; s/"$//')
check "the sign-in page has its form token" test -n "$token"
code=$(curl -sS -o /dev/null -w '%{http_code}' -c "$jar" -b "$jar" --data-urlencode "name=tech" --data-urlencode "password=office-pkg-2026" \
  --data-urlencode "__RequestVerificationToken=$token" "http://127.0.0.1:$office_port/signin")
check "signing in redirects to the fleet (HTTP $code)" test "$code" = 302
curl -sS -b "$jar" "http://127.0.0.1:$office_port/" >"$work/fleet.html"
check "the fleet page lists the room the broker holds" grep -q 'data-room="zj-pkg/pkg-school/room-1"' "$work/fleet.html"
kill -TERM "$office"; wait "$office"; code=$?
check "the service stops cleanly on SIGTERM (exit $code)" test "$code" -eq 0
check "its database and cookie keys are in its state directory" bash -c "[ -s '$root/var/lib/edgeagent-office/office.db' ] && ls '$root/var/lib/edgeagent-office/keys/'*.xml >/dev/null"

echo "purge"
check "apt purges the package" bash -c "chroot '$root' apt-get purge -y -q edgeagent-office >>'$work/apt.log' 2>&1"
check "the user is gone" bash -c "! chroot '$root' getent passwd edgeagent-office >/dev/null"
chroot "$root" getent passwd edgeagent-office >/dev/null && tail -8 "$work/apt.log" | sed 's/^/    /'
snapshot >"$work/after.txt"
diff "$work/before.txt" "$work/after.txt" >"$work/left.txt"
sed 's/^/    /' "$work/left.txt" | head -20
check "nothing of the package is left (files, directories, unit links, state)" test ! -s "$work/left.txt"

finish
