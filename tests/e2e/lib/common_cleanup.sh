# shellcheck shell=bash
# Cleanup helpers shared by common.sh and its reaper process (which cannot
# source common.sh itself: that would make it a test with its own temp dir).

# Safety net: any process still running from our temp dir (a containerd shim
# whose parent was killed, say) is ours, since every service we start keeps
# its files there. Never matches anything outside this test's own dir.
xb__kill_strays() {
  local dir="$1" pids
  pids="$(pgrep -f -- "$dir/" 2>/dev/null | grep -vx "$$" || true)"
  [[ -z "$pids" ]] && return 0
  kill -TERM $pids 2>/dev/null
  sleep 1
  kill -KILL $pids 2>/dev/null
  return 0
}

# Remove a directory even if a crashed service left mounts inside it.
xb__remove_tree() {
  local dir="$1"
  [[ -d "$dir" ]] || return 0
  local m
  while read -r m; do
    umount -l "$m" 2>/dev/null || true
  done < <(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 {print $2}' /proc/self/mounts | sort -r)
  rm -rf "$dir" 2>/dev/null || { chmod -R u+w "$dir" 2>/dev/null; rm -rf "$dir"; }
}
