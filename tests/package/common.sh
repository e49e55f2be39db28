# Shared by the package tests (sourced): the check counter, and the clean Debian 12 root they run in.
passed=0 failed=0
check() { # check "what" command...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); echo "  ok   $what"; else failed=$((failed + 1)); echo "  FAIL $what"; fi
}
finish() {
  echo "package checks: $passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}

# A clean Debian 12 root (debootstrap minbase) at ROOT, from the cache when there is one; /proc mounted.
debian_root() { # debian_root ROOT LOG
  local cache=${EDGEAGENT_DEBOOTSTRAP_CACHE:-/var/cache/edgeagent-tests/bookworm-minbase.tar}
  mkdir -p "$1"
  if [ -f "$cache" ]; then
    tar -xpf "$cache" -C "$1"
  else
    debootstrap --variant=minbase bookworm "$1" http://deb.debian.org/debian >"$2" 2>&1 || { tail -20 "$2"; return 1; }
    mkdir -p "$(dirname "$cache")" && tar -cpf "$cache.part" -C "$1" . && mv "$cache.part" "$cache"
  fi
  mount -t proc proc "$1/proc"
}

# Nothing started in ROOT may outlive the test; then /proc is unmounted.
leave_root() { # leave_root ROOT
  local p
  for p in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$p/root" 2>/dev/null)" = "$1" ] && kill -9 "$p" 2>/dev/null
  done
  if [ -d "$1/proc" ] && mountpoint -q "$1/proc"; then umount "$1/proc"; fi
}
