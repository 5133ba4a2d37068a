#!/usr/bin/env bash
# `docker xbuild build` on the embedded engine, end to end: a base image from
# the real registry, RUN in the sandbox, COPY (context, --from, .dockerignore),
# config instructions; the result loaded into a private dockerd and run;
# pushed and checked with skopeo; rebuilds hit the cache exactly as they should.
source "$(dirname "$0")/lib/common.sh"
source "$XB_E2E_LIB/registry.sh"
source "$XB_E2E_LIB/dockerd.sh"
source "$XBUILD_SOURCE_DIR/tests/e2e/tools/seed_images.sh"
xb_require_plugin_binary
xb_require_root "the RUN sandbox"
xb_require_cmd skopeo skopeo

xb_registry_start --name main
REG="$XB_REGISTRY_HOST"
X="$XBUILD_BIN"
xb_seed_busybox "$REG/base/busybox:latest" amd64 >/dev/null

# A private builder: its state lives in this test's temp dir.
"$X" create --name e2e --driver local --driver-opt "root=$XB_TMP/state" >/dev/null
# Named, not `use`d: the current builder is chosen per docker endpoint, and
# starting the private dockerd below changes the endpoint.
export XBUILD_BUILDER=e2e

ctx="$XB_TMP/ctx"
mkdir -p "$ctx/src"
echo "one" >"$ctx/src/a.txt"
echo "two" >"$ctx/src/b.txt"
echo "never copied" >"$ctx/secret.key"
printf 'secret.key\n' >"$ctx/.dockerignore"
echo "host-only" >"$XB_TMP/host-marker"
cat >"$ctx/Dockerfile" <<DOCKERFILE
ARG BASE=$REG/base/busybox:latest
FROM \$BASE AS tools
RUN echo built-in-tools > /tool.txt

FROM \$BASE
RUN echo 'app:x:1234:1234::/home/app:/bin/sh' >> /etc/passwd && echo 'app:x:1234:' >> /etc/group
COPY --from=tools /tool.txt /opt/tool.txt
COPY src/ /data/
COPY . /ctx/
ENV GREETING=hello PATH=/opt/bin:\$PATH
WORKDIR /work
RUN echo "\$GREETING from \$(id -un)" > /work/greeting && cat /data/a.txt
RUN ls /proc | grep -E '^[0-9]+\$' | sort -n | head -1 > /work/pid1; cat $XB_TMP/host-marker > /work/marker 2>&1 || echo refused > /work/marker
USER app
LABEL org.example.kind=e2e
CMD ["cat", "/work/greeting"]
DOCKERFILE

xb_run b1 "$X" build --progress plain -t "$REG/app:1" --push \
  --metadata-file "$XB_TMP/meta.json" "$ctx"
[[ $b1_rc == 0 ]] || xb_fail "first build failed: $b1_err"
xb_assert_contains "$b1_err" "#" "plain progress"

# --- the pushed image, checked with skopeo -----------------------------------
skopeo inspect --tls-verify=false "docker://$REG/app:1" >"$XB_TMP/inspect.json"
skopeo inspect --tls-verify=false --config "docker://$REG/app:1" >"$XB_TMP/config.json"
python3 - "$XB_TMP/config.json" "$XB_TMP/meta.json" <<'PY'
import json, sys
cfg = json.load(open(sys.argv[1]))
c = cfg["config"]
assert c["User"] == "app", c
assert c["WorkingDir"] == "/work", c
assert c["Cmd"] == ["cat", "/work/greeting"], c
env = dict(e.split("=", 1) for e in c["Env"])
assert env["GREETING"] == "hello", env
assert env["PATH"].startswith("/opt/bin:"), env  # the base image's PATH was extended
assert c["Labels"]["org.example.kind"] == "e2e", c
assert len([h for h in cfg["history"] if not h.get("empty_layer")]) == len(cfg["rootfs"]["diff_ids"])
meta = json.load(open(sys.argv[2]))
assert meta["containerimage.digest"].startswith("sha256:"), meta
assert meta["containerimage.config.digest"].startswith("sha256:"), meta
PY
skopeo copy -q --src-tls-verify=false "docker://$REG/app:1" "oci:$XB_TMP/copy:app"

# --- --load into a private dockerd, then run it ------------------------------
xb_dockerd_start
xb_run load "$X" build --progress quiet --load -t xbuild-e2e/app:1 "$ctx"
[[ $load_rc == 0 ]] || xb_fail "--load failed: $load_err"
xb_assert_contains "$load_err" "Loaded image" "daemon's answer"
xb_assert_eq "hello from root" "$(docker run --rm xbuild-e2e/app:1)" "docker run of the loaded image"
xb_assert_eq "app" "$(docker run --rm xbuild-e2e/app:1 id -un)" "USER in the loaded image"
xb_assert_eq "one" "$(docker run --rm xbuild-e2e/app:1 cat /data/a.txt)" "COPY in the loaded image"

# --- the filesystem: export it and look --------------------------------------
"$X" build --progress quiet -o "type=local,dest=$XB_TMP/rootfs" "$ctx" 2>/dev/null
r="$XB_TMP/rootfs"
xb_assert_eq "hello from root" "$(cat "$r/work/greeting")" "RUN output with ENV"
xb_assert_eq "built-in-tools" "$(cat "$r/opt/tool.txt")" "COPY --from stage"
xb_assert_eq "one" "$(cat "$r/data/a.txt")" "COPY dir contents"
[[ ! -e "$r/ctx/secret.key" ]] || xb_fail ".dockerignore'd file was copied"
[[ -e "$r/ctx/Dockerfile" ]] || xb_fail "COPY . missed the Dockerfile"
xb_assert_eq "1" "$(cat "$r/work/pid1")" "RUN sees its own PID namespace"
xb_assert_eq "refused" "$(cat "$r/work/marker")" "host file outside the context"
grep -q '^app:x:1234:' "$r/etc/passwd" || xb_fail "adduser result missing"
[[ ! -e "$r/etc/hostname" || "$(cat "$r/etc/hostname" 2>/dev/null)" != buildkitsandbox ]] ||
  xb_fail "the sandbox's /etc/hostname leaked into the image"

# --- cache: identical rebuild runs nothing ------------------------------------
xb_run b2 "$X" build --progress plain "$ctx"
[[ $b2_rc == 0 ]] || xb_fail "rebuild failed: $b2_err"
xb_assert_not_contains "$b2_err" " DONE " "a vertex ran on an identical rebuild"

# touching mtimes keeps the cache
touch -d '2001-01-01' "$ctx/src/a.txt" "$ctx/Dockerfile"
xb_run b3 "$X" --debug build --progress plain "$ctx"
xb_assert_not_contains "$b3_err" " DONE " "mtime change invalidated the cache"

# one changed byte re-runs that COPY and what follows it, nothing before it
echo "One" >"$ctx/src/a.txt"
xb_run b4 "$X" --debug build --progress plain "$ctx"
[[ $b4_rc == 0 ]] || xb_fail "build after change failed: $b4_err"
python3 - "$b4_err" <<'PY'
import re, sys
out = sys.argv[1]
names, state = {}, {}
for line in out.splitlines():
    m = re.match(r"#(\d+) (\[.*)", line)
    if m: names[m.group(1)] = m.group(2)
    m = re.match(r"#(\d+) (CACHED|DONE)", line)
    if m: state[m.group(1)] = m.group(2)
ran = sorted(names[k] for k, v in state.items() if v == "DONE")
assert any("COPY src/ /data/" in n for n in ran), (ran, out)
assert any("COPY . /ctx/" in n for n in ran), ran
assert not any("/etc/passwd" in n for n in ran), ran
assert not any("COPY --from=tools" in n for n in ran), ran
assert not any("built-in-tools" in n for n in ran), ran
PY

# --- a failing RUN names the command and exit code ---------------------------
printf 'FROM %s\nRUN echo about to fail && exit 3\n' "$REG/base/busybox:latest" >"$XB_TMP/Dockerfile.fail"
xb_run bad "$X" build --progress plain -f "$XB_TMP/Dockerfile.fail" "$ctx"
[[ $bad_rc != 0 ]] || xb_fail "a failing RUN succeeded"
xb_assert_contains "$bad_err" "exit code: 3"
xb_assert_contains "$bad_err" "about to fail"

# --- COPY --exclude: an excluded file is not part of the step's cache key ----
mkdir -p "$ctx/ex/logs"
echo "app" >"$ctx/ex/app.txt"
echo "log 1" >"$ctx/ex/debug.log"
echo "old" >"$ctx/ex/logs/old.txt"
printf '# syntax=docker/dockerfile:1.7\nFROM %s\nCOPY --exclude=*.log --exclude=logs ex/ /ex/\n' \
  "$REG/base/busybox:latest" >"$XB_TMP/Dockerfile.exclude"
# copy_state LOG: CACHED or DONE, what the COPY --exclude vertex did.
copy_state() {
  local n
  n=$(sed -n 's/^#\([0-9]*\) \[.*COPY --exclude.*/\1/p' <<<"$1" | head -1)
  [[ -n $n ]] || xb_fail "no COPY --exclude vertex in: $1"
  sed -n "s/^#$n \(CACHED\|DONE\).*/\1/p" <<<"$1" | head -1
}
xb_run ex1 "$X" build --progress plain -f "$XB_TMP/Dockerfile.exclude" "$ctx"
[[ $ex1_rc == 0 ]] || xb_fail "COPY --exclude build failed: $ex1_err"
echo "log 2" >"$ctx/ex/debug.log"
echo "new" >"$ctx/ex/logs/new.txt"
xb_run ex2 "$X" build --progress plain -f "$XB_TMP/Dockerfile.exclude" "$ctx"
xb_assert_eq CACHED "$(copy_state "$ex2_err")" "COPY after changing only excluded files"
echo "app 2" >"$ctx/ex/app.txt"
xb_run ex3 "$X" build --progress plain -f "$XB_TMP/Dockerfile.exclude" "$ctx"
xb_assert_eq DONE "$(copy_state "$ex3_err")" "COPY after changing an included file"
