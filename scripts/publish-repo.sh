#!/usr/bin/env bash
# The office's apt repository of edgeagent packages, signed with the office's key (aptly, gnupg; README "Remote update").
#
#   scripts/publish-repo.sh init --repo DIR --url URL [--gnupghome DIR]
#       makes the repository (suite "edgeagent", component "main", amd64 and arm64, every version kept so that a
#       rollout can name any of them and a box can roll back), the office's signing key when GNUPGHOME has none, and
#       DIR/box/: what a box needs to trust it — the public key (edgeagent-office.gpg for /etc/apt/keyrings/), the
#       sources entry (edgeagent-office.sources for /etc/apt/sources.list.d/, naming URL) and the pin
#       (edgeagent-office.pref for /etc/apt/preferences.d/: edgeagent only, nothing else from this repository).
#   scripts/publish-repo.sh add --repo DIR [--gnupghome DIR] DEB...
#       publishes packages (signed again); serve DIR/public with any web server (nginx: root DIR/public).
#
# The key: made without a passphrase when none exists (tests, a first look); an office makes its own key with a
# passphrase, keeps it offline, and points --gnupghome at it (gpg-agent asks for the passphrase when signing).
set -euo pipefail
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 64; }
[ $# -ge 1 ] || usage
action=$1; shift
repo= url= debs=()
export GNUPGHOME=${GNUPGHOME:-$HOME/.gnupg}
while [ $# -gt 0 ]; do
  case "$1" in
    --repo) repo=$2; shift 2 ;;
    --url) url=$2; shift 2 ;;
    --gnupghome) GNUPGHOME=$2; shift 2 ;;
    -h|--help) usage ;;
    -*) echo "publish-repo.sh: unknown option $1" >&2; usage ;;
    *) debs+=("$1"); shift ;;
  esac
done
[ -n "$repo" ] || { echo "publish-repo.sh: --repo is required" >&2; exit 64; }
command -v aptly >/dev/null && command -v gpg >/dev/null || { echo "publish-repo.sh: needs aptly and gnupg (scripts/install-deps.sh)" >&2; exit 69; }
mkdir -p "$GNUPGHOME" && chmod 0700 "$GNUPGHOME"
uid="EdgeAgent office repository"
aptly_() { aptly -config="$repo/aptly.conf" "$@"; }
fingerprint() { gpg --batch --with-colons --list-secret-keys "$uid" | awk -F: '$1 == "fpr" { print $10; exit }'; }

case "$action" in
  init)
    [ -n "$url" ] || { echo "publish-repo.sh: init needs --url (where boxes fetch it, e.g. http://repo.county.example/edgeagent)" >&2; exit 64; }
    if ! gpg --batch --list-secret-keys "$uid" >/dev/null 2>&1; then
      gpg --batch --quiet --passphrase '' --quick-gen-key "$uid" ed25519 sign never
    fi
    fpr=$(fingerprint)
    mkdir -p "$repo/box"
    repo=$(cd "$repo" && pwd)
    printf '{ "rootDir": "%s", "architectures": ["amd64", "arm64"], "gpgProvider": "gpg2" }\n' "$repo/aptly" >"$repo/aptly.conf"
    aptly_ repo show edgeagent >/dev/null 2>&1 || aptly_ repo create -distribution=edgeagent -component=main edgeagent >/dev/null
    gpg --batch --yes --export "$fpr" >"$repo/box/edgeagent-office.gpg"
    cat >"$repo/box/edgeagent-office.sources" <<SRC
Types: deb
URIs: $url
Suites: edgeagent
Components: main
Signed-By: /etc/apt/keyrings/edgeagent-office.gpg
SRC
    cat >"$repo/box/edgeagent-office.pref" <<'PIN'
# The office's repository gives edgeagent and nothing else.
Package: *
Pin: release o=EdgeAgent-Office
Pin-Priority: -1

Package: edgeagent
Pin: release o=EdgeAgent-Office
Pin-Priority: 500
PIN
    echo "publish-repo.sh: repository in $repo (serve $repo/public once packages are added), signed by $fpr; for boxes: $repo/box/"
    ;;
  add)
    [ ${#debs[@]} -gt 0 ] || { echo "publish-repo.sh: add needs .deb files" >&2; exit 64; }
    [ -f "$repo/aptly.conf" ] || { echo "publish-repo.sh: $repo is not a repository (run init)" >&2; exit 66; }
    fpr=$(fingerprint)
    aptly_ repo add edgeagent "${debs[@]}" >/dev/null
    # Every version stays published: a rollout may name any, a box rolls back to the one before.
    if aptly_ publish list -raw | grep -q '^\. edgeagent$'; then
      aptly_ publish update -batch -gpg-key="$fpr" edgeagent >/dev/null
    else
      aptly_ publish repo -batch -gpg-key="$fpr" -origin=EdgeAgent-Office -label=EdgeAgent edgeagent >/dev/null
    fi
    ln -sfn aptly/public "$repo/public"
    aptly_ repo search edgeagent 'Name (edgeagent)'
    ;;
  *) usage ;;
esac
