#!/usr/bin/env bash
# A remote update on a classroom box, tested for real (README, "Remote update"), in a clean Debian 12 root made with
# debootstrap (the package test's cached one):
#   - the office's repository made with scripts/publish-repo.sh (aptly, signed with a key made here) and served on
#     127.0.0.1 by Debian's nginx; the box trusts it with the key, the sources entry and the pin publish-repo.sh wrote;
#   - version N installed from it; the office's policy (retained config/update on a real mosquitto) targets N+1 for the
#     room's ring: outside the window the agent waits and asks nothing; inside it, it leaves its request, the root
#     updater (the script edgeagent-update.service runs) installs N+1, the new agent is ready, the config edit and the
#     state database are kept, `update` and `update-installed` say so;
#   - a broken N+2 (its agent exits at start): installed, not ready within the limit, N+1 reinstalled, `update-failed`;
#   - a package not signed by the office key (a stranger's repository at the office's address), and a version the
#     office never published: refused, nothing installed;
#   - a halted ring: no request, the room stays where it is.
# systemd does not run in the root: a stand-in systemctl starts and stops the agent as the units would (the agent as
# user edgeagent), and the test starts the updater where edgeagent-update.path would.
# Usage: tests/package/update-rollout.sh [--debs DIR]  (DIR holding edgeagent_N_amd64.deb and edgeagent_N+1_amd64.deb;
# built when not given). Prints "package checks: N passed, N failed"; exits non-zero on any failure. Needs root.
set -uo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

. tests/package/common.sh

if [ "$(id -u)" -ne 0 ]; then echo "update-rollout: needs root (debootstrap, chroot)" >&2; exit 1; fi
debs=
while [ $# -gt 0 ]; do
  case "$1" in
    --debs) debs=$2; shift 2 ;;
    *) echo "usage: $0 [--debs DIR]" >&2; exit 64 ;;
  esac
done

begin_work edgeagent-update
end_work_extra() { for home in "$work"/gnupg*; do [ -d "$home" ] && gpgconf --homedir "$home" --kill gpg-agent 2>/dev/null; done; }
bump() { awk -F. -v n="$2" '{ printf "%d.%d.%d", $1, $2, $3 + n }' <<<"$1"; }

version=$(sed -nE 's|.*<Version>([^<]+)</Version>.*|\1|p' Directory.Build.props | head -1)
newer=$(bump "$version" 1) broken=$(bump "$version" 2) strange=$(bump "$version" 3) unpublished=$(bump "$version" 4) halted=$(bump "$version" 5)
if [ -z "$debs" ]; then
  debs=$work/debs
  echo "update-rollout: building $version and $newer (amd64)"
  ./scripts/package.sh --arch amd64 --only agent --out "$debs" >"$work/package.log" 2>&1 || { cat "$work/package.log"; exit 1; }
  ./scripts/package.sh --arch amd64 --only agent --version "$newer" --out "$debs" >>"$work/package.log" 2>&1 || { cat "$work/package.log"; exit 1; }
fi
old_deb=$debs/edgeagent_${version}_amd64.deb
new_deb=$debs/edgeagent_${newer}_amd64.deb
for deb in "$old_deb" "$new_deb"; do [ -f "$deb" ] || { echo "update-rollout: $deb is missing" >&2; exit 1; }; done

# A package of VERSION made from N+1: as built, or broken (its agent exits at start).
repack() { # repack VERSION broken|whole OUT
  local dir=$work/repack-$1
  dpkg-deb -R "$new_deb" "$dir"
  sed -i "s/^Version: .*/Version: $1/" "$dir/DEBIAN/control"
  if [ "$2" = broken ]; then printf '#!/bin/sh\necho "edgeagent: broken build" >&2\nexit 1\n' >"$dir/usr/lib/edgeagent/edgeagent"; fi
  dpkg-deb -b -Zgzip "$dir" "$3" >/dev/null
  rm -rf "$dir"
}
repack "$broken" broken "$work/edgeagent_${broken}_amd64.deb"
repack "$strange" whole "$work/edgeagent_${strange}_amd64.deb"
repack "$halted" whole "$work/edgeagent_${halted}_amd64.deb"

echo "the office's repository"
web=$(free_port)
url=http://127.0.0.1:$web/
office=$work/office
check "publish-repo.sh init makes the repository and the office key" \
  bash -c "scripts/publish-repo.sh init --repo '$office' --url '$url' --gnupghome '$work/gnupg' >'$work/publish.log' 2>&1"
check "publish-repo.sh add publishes $version, $newer, $broken and $halted, signed" bash -c \
  "scripts/publish-repo.sh add --repo '$office' --gnupghome '$work/gnupg' '$old_deb' '$new_deb' '$work/edgeagent_${broken}_amd64.deb' '$work/edgeagent_${halted}_amd64.deb' >>'$work/publish.log' 2>&1"
check "every version stays in the index (a rollout may name any; a box rolls back)" bash -c \
  "[ \"\$(grep -c '^Package: edgeagent' '$office/public/dists/edgeagent/main/binary-amd64/Packages')\" = 4 ]"
check "the index is signed by the office key (InRelease verifies with the box's keyring)" \
  gpgv --keyring "$office/box/edgeagent-office.gpg" "$office/public/dists/edgeagent/InRelease"
# A stranger's repository with the office's layout and a newer package, signed by another key.
stranger=$work/stranger
scripts/publish-repo.sh init --repo "$stranger" --url "$url" --gnupghome "$work/gnupg-stranger" >>"$work/publish.log" 2>&1
scripts/publish-repo.sh add --repo "$stranger" --gnupghome "$work/gnupg-stranger" "$work/edgeagent_${strange}_amd64.deb" >>"$work/publish.log" 2>&1
mkdir -p "$work/web"
ln -s "$(readlink -f "$office/public")" "$work/web/office"
cat >"$work/nginx.conf" <<NGINX
daemon off;
master_process off;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 64; }
http {
    access_log $work/nginx-access.log;
    server {
        listen 127.0.0.1:$web;
        root $work/web/office;
        location /stranger/ { alias $(readlink -f "$stranger/public")/; }
    }
}
NGINX
nginx -p "$work" -c "$work/nginx.conf" -e "$work/nginx-error.log" &
pids+=($!)
for _ in $(seq 100); do ss -Hltn "sport = :$web" | grep -q . && break; sleep 0.1; done
check "nginx serves the repository on 127.0.0.1:$web" bash -c "curl -fsS '${url}dists/edgeagent/InRelease' >/dev/null"

echo "a clean Debian 12 root trusting the office"
debian_root "$root" "$work/debootstrap.log" || exit 1
export DEBIAN_FRONTEND=noninteractive LC_ALL=C
in_root() { chroot "$root" "$@"; }
install -D -m 0644 "$office/box/edgeagent-office.gpg" "$root/etc/apt/keyrings/edgeagent-office.gpg"
install -D -m 0644 "$office/box/edgeagent-office.sources" "$root/etc/apt/sources.list.d/edgeagent-office.sources"
install -D -m 0644 "$office/box/edgeagent-office.pref" "$root/etc/apt/preferences.d/edgeagent-office.pref"
in_root apt-get update -qq >"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
in_root apt-get satisfy -y -qq --no-install-recommends "$(dpkg-deb -f "$old_deb" Depends)" >>"$work/apt.log" 2>&1 || { tail -20 "$work/apt.log"; exit 1; }
check "apt sees every published version from the office and takes nothing else from it" bash -c \
  "[ \"\$(chroot '$root' apt-cache madison edgeagent | grep -c '127.0.0.1:$web')\" = 4 ]"

echo "install $version from the office"
check "apt installs edgeagent=$version from the office's repository" \
  bash -c "chroot '$root' apt-get install -y -q --no-install-recommends edgeagent=$version >>'$work/apt.log' 2>&1"
check "the updater's units and script are installed, the watch enabled" bash -c \
  "[ -x '$root/usr/lib/edgeagent/edgeagent-update' ] && [ -f '$root/lib/systemd/system/edgeagent-update.service' ] && [ -L '$root/etc/systemd/system/paths.target.wants/edgeagent-update.path' ]"

# From here systemd as far as the packages need it (installed without it, as in any chroot, so that
# deb-systemd-helper enabled the units itself): a systemctl that starts and stops the agent as its unit would.
mkdir -p "$root/run/systemd/system"
cat >"$root/usr/bin/systemctl" <<'STUB'
#!/bin/bash
echo "$*" >>/tmp/systemctl.log
pidfile=/run/edgeagent-test.pid
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
stop() {
  running || return 0
  kill -TERM "$(cat "$pidfile")"
  for _ in $(seq 150); do running || break; sleep 0.1; done
  rm -f "$pidfile"
}
start() {
  running && return 0
  setpriv --reuid=edgeagent --regid=edgeagent --init-groups /usr/bin/edgeagent run --config /etc/edgeagent/edgeagent.json \
    </dev/null >>/tmp/agent.log 2>&1 &
  echo $! >"$pidfile"
}
args=()
for a in "$@"; do case "$a" in -*) ;; *) args+=("$a") ;; esac; done # the words, without --system, --quiet, --
case "${args[0]:-}" in
  is-enabled) ls /etc/systemd/system/*.wants/"${args[1]}" >/dev/null 2>&1 && { echo enabled; exit 0; }; echo disabled; exit 1 ;;
  is-active) for u in "${args[@]:1}"; do [ "$u" = edgeagent.service ] && running && exit 0; done; exit 3 ;;
esac
for u in "${args[@]:1}"; do
  [ "$u" = edgeagent.service ] || continue
  case "${args[0]}" in
    start) start ;;
    stop) stop ;;
    restart|try-restart) stop; start ;;
  esac
done
exit 0
STUB
chmod 0755 "$root/usr/bin/systemctl"


broker=$(free_port)
sed -i "s/\"port\": 1883/\"port\": $broker/" "$root/etc/edgeagent/edgeagent.json"
mkdir -p "$work/broker"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$broker" >"$work/broker/mosquitto.conf"
mosquitto -c "$work/broker/mosquitto.conf" >"$work/broker/log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ss -Hltn "sport = :$broker" | grep -q . && break; sleep 0.1; done
config=$root/etc/edgeagent/edgeagent.json
field() { sed -n "s/^  \"$1\": \"\([^\"]*\)\",\?$/\1/p" "$config" | head -1; } # the sample config has comments: no jq
address=$(field region)/$(field school)/$(field room)
topic_root=edu/$address/edgeagent
events_sub=(mosquitto_sub -h 127.0.0.1 -p "$broker" -c -i edgeagent-update-test -q 1 -t "$topic_root/events")
"${events_sub[@]}" -E
"${events_sub[@]}" >"$work/events.jsonl" 2>&1 &
pids+=($!)
in_root systemctl restart edgeagent.service # the broker's port changed: as a technician would after the edit
ready_is() { [ "$(sed -n 's/^version=//p' "$root/var/lib/edgeagent/update/ready" 2>/dev/null)" = "$1" ]; }
wait_for() { # wait_for SECONDS command...: true once the command is
  local until=$(($(date +%s) + $1)); shift
  while ! "$@"; do [ "$(date +%s)" -ge "$until" ] && return 1; sleep 0.5; done
}
check "the agent $version runs and writes its ready mark" wait_for 60 ready_is "$version"
starts_before=$(sqlite3 "file:$root/var/lib/edgeagent/state.db?mode=ro" "SELECT COUNT(*) FROM agent_starts")

# The office's policy for this room's ring: policy VERSION FROM UNTIL [HALTED]
policy() {
  jq -n --arg room "$address" --arg v "$1" --arg from "$2" --arg until "$3" --argjson halted "${4:-false}" '{
    schema: "edgeagent.update-policy/1", id: ("rollout-" + $v),
    rings: [ { name: "canary", rooms: [ $room ], version: $v, halted: $halted }, { name: "all", version: "0.0.1" } ],
    window: { from: $from, until: $until }, lessonMarginMinutes: 0, spreadMinutes: 0, healthSeconds: 30 }' |
    mosquitto_pub -h 127.0.0.1 -p "$broker" -q 1 -r -t "$topic_root/config/update" -s
}
status() { mosquitto_sub -h 127.0.0.1 -p "$broker" -t "$topic_root/update" -C 1 -W 3 2>/dev/null; }
status_is() { status | jq -e "$1" >/dev/null 2>&1; }
event_is() { jq -e -s "$1" "$work/events.jsonl" >/dev/null 2>&1; }
school() { TZ=Asia/Shanghai date -d "$1" +%H:%M; }
request=$root/var/lib/edgeagent/update/request
result=$root/var/lib/edgeagent-update/result
updater() { timeout 600 chroot "$root" /usr/lib/edgeagent/edgeagent-update >>"$work/updater.log" 2>&1; }
installed() { [ "$(chroot "$root" dpkg-query -W -f='${Version}' edgeagent)" = "$1" ]; }
outcome_is() { [ "$(sed -n 's/^outcome=//p' "$result" 2>/dev/null)" = "$1" ] && [ "$(sed -n 's/^version=//p' "$result")" = "$2" ]; }

echo "outside the window"
policy "$newer" "$(school '+2 hours')" "$(school '+3 hours')"
check "the room waits for the window and says so on update" wait_for 60 status_is \
  "select(.state == \"waiting\" and .target == \"$newer\" and .ring == \"canary\" and (.detail | test(\"outside the window\")))"
check "no request is left for the updater" test ! -e "$request"

echo "inside the window: $version → $newer"
policy "$newer" "$(school '-1 hour')" "$(school '+2 hours')"
check "the agent asks for $newer" wait_for 60 test -f "$request"
check "its request names the version and the health limit" bash -c "grep -qx 'version=$newer' '$request' && grep -qx 'health-seconds=30' '$request'"
check "the root updater installs it" updater
check "$newer is installed" installed "$newer"
check "the updater's result: installed $newer" outcome_is installed "$newer"
check "the new agent is ready (its mark names $newer)" ready_is "$newer"
check "the config edit is kept" grep -q "\"port\": $broker" "$config"
check "the state database is kept (the agent's starts go on from $starts_before)" bash -c \
  "[ \"\$(sqlite3 'file:$root/var/lib/edgeagent/state.db?mode=ro' 'SELECT COUNT(*) FROM agent_starts')\" -gt '$starts_before' ]"
check "update says current $newer, last installed" wait_for 60 status_is \
  "select(.state == \"current\" and .current == \"$newer\" and .last.outcome == \"installed\")"
check "update-installed is on events" wait_for 30 event_is "any(.[]; .type == \"update-installed\" and (.detail | contains(\"$newer\")))"
check "the running version and the one before are kept for a rollback" bash -c \
  "ls '$root/var/lib/edgeagent-update/kept/' | grep -q '_${newer}_' && ls '$root/var/lib/edgeagent-update/kept/' | grep -q '_${version}_'"

echo "a broken $broken: rolled back"
policy "$broken" "$(school '-1 hour')" "$(school '+2 hours')"
check "the agent asks for $broken" wait_for 60 test -f "$request"
started=$(date +%s)
check "the updater runs to the end" updater
took=$(($(date +%s) - started))
check "$newer is installed again" installed "$newer"
check "the result: rolled-back, not ready in time" bash -c "grep -qx 'outcome=rolled-back' '$result' && grep -q 'not ready within 30s' '$result'"
check "rolled back within the limit and the reinstall (${took}s, limit 30 s)" test "$took" -lt 120
check "update-failed is on events, with the reason" wait_for 60 event_is \
  "any(.[]; .type == \"update-failed\" and (.detail | contains(\"$broken rolled-back to $newer\")))"
check "update says failed; $broken is not asked for again" wait_for 30 status_is \
  "select(.state == \"failed\" and .current == \"$newer\" and .target == \"$broken\" and .last.outcome == \"rolled-back\")"
check "no new request for $broken" test ! -e "$request"

echo "refused: a package not signed by the office key"
sed -i "s|^URIs: .*|URIs: ${url}stranger/|" "$root/etc/apt/sources.list.d/edgeagent-office.sources"
policy "$strange" "$(school '-1 hour')" "$(school '+2 hours')"
check "the agent asks for $strange" wait_for 60 test -f "$request"
check "the updater runs to the end" updater
check "$newer stays installed" installed "$newer"
check "the result: refused, not signed by the office key" bash -c "grep -qx 'outcome=refused' '$result' && grep -q 'not signed by the office key' '$result'"
check "update-failed says refused" wait_for 60 event_is "any(.[]; .type == \"update-failed\" and (.detail | contains(\"$strange refused\")))"
sed -i "s|^URIs: .*|URIs: $url|" "$root/etc/apt/sources.list.d/edgeagent-office.sources"

echo "refused: a version the office never published"
policy "$unpublished" "$(school '-1 hour')" "$(school '+2 hours')"
check "the agent asks for $unpublished" wait_for 60 test -f "$request"
check "the updater runs to the end" updater
check "$newer stays installed" installed "$newer"
check "the result: refused, not in the office repository" bash -c "grep -qx 'outcome=refused' '$result' && grep -q 'is not in the office repository' '$result'"

echo "a halted ring"
policy "$halted" "$(school '-1 hour')" "$(school '+2 hours')" true
check "update says halted" wait_for 60 status_is "select(.state == \"halted\" and .target == \"$halted\" and .current == \"$newer\")"
check "no request is left for the updater" test ! -e "$request"
check "$newer stays installed" installed "$newer"

echo "remove"
in_root systemctl stop edgeagent.service
check "apt purges the package with its updater state" bash -c "chroot '$root' apt-get purge -y -q edgeagent >>'$work/apt.log' 2>&1 && [ ! -e '$root/var/lib/edgeagent-update' ] && [ ! -e '$root/etc/systemd/system/paths.target.wants/edgeagent-update.path' ]"

if [ "$failed" -gt 0 ]; then
  echo "--- updater log"; tail -40 "$work/updater.log"
  echo "--- agent log"; tail -20 "$root/tmp/agent.log"
  echo "--- systemctl"; tail -20 "$root/tmp/systemctl.log"
fi
finish
