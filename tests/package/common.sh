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

# A work directory under /var/tmp with the root inside it: sets work, root and pids; on exit every process in pids
# is stopped, the root left (leave_root), then end_work_extra (when the script defines it) and the directory removed.
begin_work() { # begin_work NAME
  work=$(mktemp -d "/var/tmp/$1.XXXXXX")
  root=$work/root
  pids=()
  trap end_work EXIT
  trap 'exit 143' INT TERM
}
end_work() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  leave_root "$root"
  if declare -F end_work_extra >/dev/null; then end_work_extra; fi
  rm -rf "$work"
}

# A free TCP port on this machine.
free_port() { local port; while :; do port=$((20000 + RANDOM % 20000)); ss -Htan "sport = :$port" | grep -q . || break; done; echo "$port"; }
