#!/usr/bin/env bash
# Differential test: every corpus case marked with a `classic` file (the
# Dockerfiles Docker's classic builder supports: no heredocs, no RUN --mount,
# no named contexts) is built twice, by our engine (--load) and by
# `DOCKER_BUILDKIT=0 docker build` on the same private dockerd, from the same
# busybox base pulled from the test registry. The two images must have the
# same file tree (path, type, mode, owner, size, content digest, link target)
# and the same run config.
#
# Known differences, ignored on purpose:
#  - times (mtimes, `created`) and history text: they differ by design;
#  - /etc/hostname, /etc/hosts, /etc/resolv.conf, /.dockerenv, /dev, /proc,
#    /sys: `docker export` of any container shows the daemon's own files there;
#  - directory sizes (filesystem-dependent);
#  - HEALTHCHECK options left unset: the classic builder's commit fills them
#    from the parent image's healthcheck (moby daemon/commit.go merge);
#    BuildKit, and we, leave them unset. Only the healthcheck's Test is compared;
#  - stage pruning: the classic builder runs every stage, so cases with a
#    failing unused stage (multistage) are not marked classic;
#  - WORKDIR after USER: BuildKit (and we) create it owned by that user; the
#    classic builder leaves it root's, so the `workdir` case is not classic;
#  - FROM --platform=$BUILDPLATFORM: the classic builder has no automatic
#    platform ARGs (`platform_args` is not classic);
#  - --chmod, --exclude, heredocs, RUN --mount, named contexts: BuildKit only;
#  - a case's `classic-ignore` file lists paths whose content is not
#    compared (type, mode and owner still are), each with its reason.
#
# XBUILD_CORPUS_CASES="a b" runs only those cases.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/dockerd.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
xb_require_cmd skopeo skopeo

CORPUS="$XBUILD_SOURCE_DIR/tests/data/dockerfiles"
xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
BASE="$REG/base/busybox:latest"
X="$XBUILD_BIN"
xb_seed_busybox "$BASE" amd64 >/dev/null
xb_private_builder e2e
xb_dockerd_start --insecure-registry "$REG"
# The classic builder pulls FROM images itself; the same base for both.
docker pull -q "$BASE" >/dev/null

case_flags() {
  CASE_FLAGS=()
  [[ -f "$1/flags" ]] || return 0
  local line
  while IFS= read -r line; do
    [[ -n "$line" ]] || continue
    line="${line//@CASE@/$1}"
    CASE_FLAGS+=("${line//@BASE@/$BASE}")
  done <"$1/flags"
}

# describe IMAGE OUT : the image's file tree and run config as canonical JSON.
describe() {
  local img="$1" out="$2" ignore="$3" cid
  cid="$(docker create "$img" /bin/true)"
  docker export "$cid" >"$out.tar"
  docker rm -f "$cid" >/dev/null
  docker image inspect -f '{{json .Config}}' "$img" >"$out.config"
  python3 - "$out.tar" "$out.config" "$ignore" >"$out" <<'PY'
import hashlib, json, sys, tarfile
no_content = {l.strip() for l in open(sys.argv[3]) if l.strip() and not l.startswith("#")}
skip = {"etc/hostname", "etc/hosts", "etc/resolv.conf", ".dockerenv", "etc/mtab"}
skip_under = ("dev/", "proc/", "sys/")
tree = {}
with tarfile.open(sys.argv[1]) as t:
    for m in t.getmembers():
        name = m.name.lstrip("./").rstrip("/")
        if not name or name in skip or name in ("dev", "proc", "sys") or name.startswith(skip_under):
            continue
        entry = {"type": m.type.decode() if isinstance(m.type, bytes) else m.type,
                 "mode": oct(m.mode), "owner": f"{m.uid}:{m.gid}"}
        if m.isfile() and name not in no_content:
            entry["size"] = m.size
            entry["sha256"] = hashlib.sha256(t.extractfile(m).read()).hexdigest()
        if m.issym() or m.islnk():
            entry["link"] = m.linkname
        tree[name] = entry
c = json.load(open(sys.argv[2]))
keys = ["Env", "Cmd", "Entrypoint", "WorkingDir", "User", "ExposedPorts", "Labels", "Volumes",
        "StopSignal", "Healthcheck", "OnBuild", "Shell"]
config = {k: c.get(k) or None for k in keys}
if config["Healthcheck"]:
    config["Healthcheck"] = {"Test": config["Healthcheck"].get("Test")}
print(json.dumps({"config": config, "tree": tree}, indent=1, sort_keys=True))
PY
}

cases=()
if [[ -n "${XBUILD_CORPUS_CASES:-}" ]]; then
  read -ra cases <<<"$XBUILD_CORPUS_CASES"
else
  for d in "$CORPUS"/*/; do [[ -f "$d/classic" ]] && cases+=("$(basename "$d")"); done
fi
((${#cases[@]} >= 10)) || [[ -n "${XBUILD_CORPUS_CASES:-}" ]] ||
  xb_fail "only ${#cases[@]} corpus cases are marked classic; expected at least 10"

failed=()
start=$SECONDS
for CASE in "${cases[@]}"; do
  dir="$CORPUS/$CASE"
  case_flags "$dir"
  rc=0
  "$X" build --progress plain --load -t "ours/$CASE" --build-arg "BASE=$BASE" "${CASE_FLAGS[@]}" \
    "$dir" >"$XB_TMP/$CASE.ours.log" 2>&1 || rc=$?
  if [[ $rc != 0 ]]; then
    xb_log "$CASE: our build failed:"$'\n'"$(tail -n 20 "$XB_TMP/$CASE.ours.log")"
    failed+=("$CASE")
    continue
  fi
  DOCKER_BUILDKIT=0 docker build -q -t "classic/$CASE" --build-arg "BASE=$BASE" "${CASE_FLAGS[@]}" \
    "$dir" >"$XB_TMP/$CASE.classic.log" 2>&1 || rc=$?
  if [[ $rc != 0 ]]; then
    xb_log "$CASE: the classic builder failed:"$'\n'"$(tail -n 20 "$XB_TMP/$CASE.classic.log")"
    failed+=("$CASE")
    continue
  fi
  ignore="$dir/classic-ignore"
  [[ -f "$ignore" ]] || ignore=/dev/null
  describe "ours/$CASE" "$XB_TMP/$CASE.ours.json" "$ignore"
  describe "classic/$CASE" "$XB_TMP/$CASE.classic.json" "$ignore"
  if diff -u "$XB_TMP/$CASE.classic.json" "$XB_TMP/$CASE.ours.json" >"$XB_TMP/$CASE.diff"; then
    xb_log "$CASE: same tree and config"
  else
    xb_log "$CASE: differs from the classic builder (- classic, + ours):"$'\n'"$(head -n 60 "$XB_TMP/$CASE.diff")"
    failed+=("$CASE")
  fi
done
xb_log "${#cases[@]} cases in $((SECONDS - start)) s"
((${#failed[@]} == 0)) || xb_fail "differential cases failed: ${failed[*]}"
