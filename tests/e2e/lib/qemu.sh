# shellcheck shell=bash
# QEMU user-mode emulation fixture: make foreign-architecture binaries run,
# through binfmt_misc and Debian's qemu-user-static. Source after common.sh.
#
#   xb_qemu_ensure aarch64      (or arm, riscv64, … — names of /usr/lib/binfmt.d/qemu-*.conf)
#
# When the entry is already registered (systemd-binfmt or an earlier run did
# it) nothing changes. Otherwise, as root, binfmt_misc is mounted if needed
# and the entry shipped by qemu-user-static is registered. Its flags include
# F (the kernel opens the interpreter now), so binaries also run inside
# chroots and containers that have no qemu of their own.
#
# A registration is machine-wide state like an installed package, not a test
# resource, so it is left in place at exit.

XB_BINFMT_DIR=/proc/sys/fs/binfmt_misc

xb_qemu_ensure() {
  local arch="$1"
  local entry="$XB_BINFMT_DIR/qemu-$arch" conf="/usr/lib/binfmt.d/qemu-$arch.conf"
  if [[ -f "$entry" ]] && grep -qx enabled "$entry"; then
    xb__qemu_check_interpreter "$entry"
    return 0
  fi
  [[ -f "$conf" ]] ||
    xb_skip "no binfmt entry for qemu-$arch and $conf is missing: apt-get install qemu-user-static"
  if [[ $(id -u) -ne 0 ]]; then
    xb_skip "qemu-$arch is not registered in binfmt_misc and registering needs root:" \
      "run 'sudo packaging/setup.sh --deps-only' once"
  fi
  xb_binfmt_register "$conf" || xb_fail "could not register $conf in binfmt_misc"
  [[ -f "$entry" ]] || xb_fail "registered $conf but $entry did not appear"
  xb__qemu_check_interpreter "$entry"
  xb_log "registered qemu-$arch in binfmt_misc"
}

# xb_binfmt_register CONF : mount binfmt_misc if needed, register one entry
# (a no-op when it exists). Root only. Shared with packaging/setup.sh.
xb_binfmt_register() {
  local conf="$1" name
  name="$(cut -d: -f2 "$conf")"
  if [[ ! -f "$XB_BINFMT_DIR/register" ]]; then
    mount -t binfmt_misc binfmt_misc "$XB_BINFMT_DIR" || return 1
  fi
  [[ -f "$XB_BINFMT_DIR/$name" ]] && return 0
  # The kernel itself decodes the \x escapes of the magic and mask. Another
  # test may register the same entry at the same moment: that is success too.
  grep -v '^#' "$conf" | head -n 1 >"$XB_BINFMT_DIR/register" 2>/dev/null ||
    [[ -f "$XB_BINFMT_DIR/$name" ]]
}

xb__qemu_check_interpreter() {
  local entry="$1" interp
  interp="$(awk '$1 == "interpreter" {print $2}' "$entry")"
  if [[ ! -x "$interp" ]] && ! grep -q '^flags:.*F' "$entry"; then
    xb_fail "$entry points at $interp, which does not exist: reinstall qemu-user-static"
  fi
}

# ELF machine of a binary: aarch64, x86_64, … (from bytes 18–19 of the header).
xb_elf_machine() {
  local m
  m="$(od -An -tx1 -j18 -N2 "$1" | tr -d ' \n')"
  case "$m" in
    b700) echo aarch64 ;;
    3e00) echo x86_64 ;;
    2800) echo arm ;;
    f300) echo riscv64 ;;
    *) echo "unknown-$m" ;;
  esac
}
