#include <catch2/catch.hpp>

#include "engine/dockerfile/instructions.hpp"
#include "engine/dockerfile/parser.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
xbuild::Result<Instruction> one(const std::string& line) {
  auto ast = parse("FROM x\n" + line + "\n");
  if (!ast)
    return tl::unexpected(ast.error());
  return parse_instruction(*ast->root.children.back());
}
template <typename T>
T must(const std::string& line) {
  auto r = one(line);
  if (!r)
    FAIL(r.error().message);
  REQUIRE(std::holds_alternative<T>(r->data));
  return std::get<T>(r->data);
}
std::string error_of(const std::string& line) {
  auto r = one(line);
  REQUIRE_FALSE(r);
  return r.error().message;
}
} // namespace

TEST_CASE("FROM takes a platform, an image and an optional lower-cased stage name",
          "[dockerfile][instructions]") {
  auto f = must<FromCmd>("FROM --platform=$BUILDPLATFORM golang:1.22 AS Build");
  CHECK(f.base == "golang:1.22");
  CHECK(f.platform == "$BUILDPLATFORM");
  CHECK(f.stage_name == "build");
  CHECK(f.stage_name_as_written == "Build");
  CHECK(error_of("FROM a b").find("one or three arguments") != std::string::npos);
  CHECK(error_of("FROM a IS b").find("must be \"AS\"") != std::string::npos);
  CHECK(error_of("FROM a AS 1st").find("invalid name for build stage") != std::string::npos);
}

TEST_CASE("RUN flags cover mounts, network, security and devices", "[dockerfile][instructions]") {
  auto r = must<RunCmd>("RUN --mount=type=cache,target=/root/.cache,sharing=locked "
                        "--mount=type=secret,id=npm,env=NPM_TOKEN --network=none "
                        "--security=insecure --device=nvidia.com/gpu=all make");
  REQUIRE(r.mounts.size() == 2);
  CHECK(r.mounts[0].type == MountType::cache);
  CHECK(r.mounts[0].id == "/root/.cache");
  CHECK(r.mounts[0].sharing == CacheSharing::locked);
  CHECK_FALSE(r.mounts[0].read_only);
  CHECK(r.mounts[1].type == MountType::secret);
  CHECK(r.mounts[1].env == "NPM_TOKEN");
  CHECK(r.mounts[1].target.empty());
  CHECK(r.network == "none");
  CHECK(r.security == "insecure");
  CHECK(r.devices == std::vector<std::string>{"nvidia.com/gpu=all"});
  CHECK(r.command.shell_form);
  CHECK(r.command.args == std::vector<std::string>{"make"});
  CHECK(error_of("RUN --network=bridge x").find("unsupported network mode") != std::string::npos);
  CHECK(error_of("RUN --security=x y").find("unsupported security mode") != std::string::npos);
}

TEST_CASE("mount options follow BuildKit's matrix and defaults", "[dockerfile][instructions][mount]") {
  auto bind = parse_mount("target=/src,from=build,source=/out");
  REQUIRE(bind);
  CHECK(bind->type == MountType::bind);
  CHECK(bind->read_only);
  auto rw = parse_mount("type=bind,target=/src,rw");
  REQUIRE(rw);
  CHECK_FALSE(rw->read_only);
  auto tmp = parse_mount("type=tmpfs,target=/tmp,size=64m");
  REQUIRE(tmp);
  CHECK(tmp->size_bytes == 64ull * 1024 * 1024);
  auto secret = parse_mount("type=secret,target=/etc/aws/credentials,required,mode=0440,uid=1000");
  REQUIRE(secret);
  CHECK(secret->id == "credentials");
  CHECK(secret->required);
  CHECK(secret->mode == 0440u);
  CHECK(secret->uid == 1000u);
  auto secret_id = parse_mount("type=secret,id=tok");
  REQUIRE(secret_id);
  CHECK(secret_id->target == "/run/secrets/tok");
  auto ssh = parse_mount("type=ssh");
  REQUIRE(ssh);
  CHECK(ssh->id == "default");
  auto cache = parse_mount("type=cache,id=go,target=/go,from=base,source=/c,mode=0777,uid=1,gid=2,ro");
  REQUIRE(cache);
  CHECK(cache->id == "go");
  CHECK(cache->read_only);

  struct Bad { const char* mount; const char* message; };
  for (auto [m, msg] : {Bad{"type=tmpfs,target=/t,mode=0700", "mode not allowed"},
                        Bad{"type=bind,target=/t,uid=1", "uid not allowed"},
                        Bad{"type=bind,target=/t,sharing=locked", "invalid cache sharing"},
                        Bad{"type=cache,target=/t,sharing=bogus", "unsupported sharing value"},
                        Bad{"type=secret,from=x,id=a", "should not have a from"},
                        Bad{"type=secret,source=a,id=b", "both source and id"},
                        Bad{"type=secret", "invalid secret mount"},
                        Bad{"type=bind,target=/t,required", "unexpected key 'required'"},
                        Bad{"type=cahce,target=/t", "did you mean cache?"},
                        Bad{"type=cache", "needs a target"},
                        Bad{"type=bind,target=/t,from=$X", "doesn't support variable expansion"},
                        Bad{"type=bind,target=/t,bogus=1", "unexpected key 'bogus'"},
                        Bad{"type=bind,target=/t,size=1m", "only supported for tmpfs"}}) {
    INFO(m);
    auto r = parse_mount(m);
    REQUIRE_FALSE(r);
    CHECK(r.error().message.find(msg) != std::string::npos);
  }
}

TEST_CASE("COPY flags include from, chown, chmod, link, parents and repeated excludes",
          "[dockerfile][instructions]") {
  auto c = must<CopyCmd>("COPY --from=build --chown=1:1 --chmod=u=rwX,go=rX --link --parents "
                         "--exclude=*.md --exclude=tmp a b /dst/");
  CHECK(c.from == "build");
  CHECK(c.spec.chown == "1:1");
  CHECK(c.spec.chmod == "u=rwX,go=rX");
  CHECK(c.spec.link);
  CHECK(c.parents);
  CHECK(c.spec.excludes == std::vector<std::string>{"*.md", "tmp"});
  CHECK(c.spec.sources == std::vector<std::string>{"a", "b"});
  CHECK(c.spec.dest == "/dst/");
  CHECK_FALSE(must<CopyCmd>("COPY --link=false a b").spec.link);
  CHECK(error_of("COPY --from=$X a b").find("variable expansion is not supported for --from") !=
        std::string::npos);
  CHECK(error_of("COPY --chonw=1 a b").find("did you mean --chown?") != std::string::npos);
  CHECK(error_of("COPY --link=maybe a b").find("expecting boolean") != std::string::npos);
  CHECK(error_of("COPY a").find("requires at least two arguments") != std::string::npos);
  CHECK(error_of("COPY --from a b").find("missing a value") != std::string::npos);
}

TEST_CASE("ADD flags include keep-git-dir, checksum and unpack", "[dockerfile][instructions]") {
  auto a = must<AddCmd>("ADD --keep-git-dir --checksum=sha256:abc --unpack=false --chmod=644 "
                        "https://x/y.tgz /y");
  CHECK(a.keep_git_dir == true);
  CHECK(a.checksum == "sha256:abc");
  CHECK(a.unpack == false);
  CHECK(a.spec.chmod == "644");
  CHECK_FALSE(must<AddCmd>("ADD a b").unpack.has_value());
  CHECK(error_of("ADD --parents a b").find("unknown flag: --parents") != std::string::npos);
}

TEST_CASE("HEALTHCHECK parses durations, retries, CMD forms and NONE", "[dockerfile][instructions]") {
  auto h = must<HealthcheckCmd>("HEALTHCHECK --interval=1m30s --timeout=500ms --start-period=2s "
                                "--start-interval=1s --retries=4 CMD curl -f http://x/");
  CHECK(h.interval_ns == 90'000'000'000);
  CHECK(h.timeout_ns == 500'000'000);
  CHECK(h.start_period_ns == 2'000'000'000);
  CHECK(h.start_interval_ns == 1'000'000'000);
  CHECK(h.retries == 4);
  CHECK(h.test == std::vector<std::string>{"CMD-SHELL", "curl -f http://x/"});
  CHECK(must<HealthcheckCmd>("HEALTHCHECK CMD [\"a\", \"b\"]").test ==
        std::vector<std::string>{"CMD", "a", "b"});
  CHECK(must<HealthcheckCmd>("HEALTHCHECK NONE").none);
  CHECK(error_of("HEALTHCHECK NONE x").find("takes no arguments") != std::string::npos);
  CHECK(error_of("HEALTHCHECK CONNECT x").find("try CMD") != std::string::npos);
  CHECK(error_of("HEALTHCHECK --interval=1us CMD x").find("less than 1ms") != std::string::npos);
  CHECK(error_of("HEALTHCHECK --retries=-1 CMD x").find("cannot be negative") != std::string::npos);
  CHECK(error_of("HEALTHCHECK --interval=5 CMD x").find("invalid duration") != std::string::npos);
}

TEST_CASE("ENV and LABEL keep both forms and mark the legacy one", "[dockerfile][instructions]") {
  auto e = must<EnvCmd>("ENV a=1 b=\"2 3\"");
  REQUIRE(e.env.size() == 2);
  CHECK(e.env[1].value == "\"2 3\"");
  CHECK_FALSE(e.env[0].legacy);
  auto l = must<EnvCmd>("ENV a 1 2");
  REQUIRE(l.env.size() == 1);
  CHECK(l.env[0].legacy);
  CHECK(l.env[0].value == "1 2");
  CHECK(must<LabelCmd>("LABEL a=b c=d").labels.size() == 2);
}

TEST_CASE("the other instructions check their argument counts", "[dockerfile][instructions]") {
  CHECK(must<ArgCmd>("ARG a b=2").args[1].default_value == "2");
  CHECK_FALSE(must<ArgCmd>("ARG a").args[0].default_value.has_value());
  CHECK(must<ShellCmd>("SHELL [\"bash\", \"-c\"]").shell.size() == 2);
  CHECK(error_of("SHELL bash -c").find("JSON form") != std::string::npos);
  CHECK(must<CmdCmd>("CMD [\"a\"]").command.shell_form == false);
  CHECK(must<EntrypointCmd>("ENTRYPOINT a b").command.args == std::vector<std::string>{"a b"});
  CHECK(must<ExposeCmd>("EXPOSE 80/tcp 53/udp").ports.size() == 2);
  CHECK(must<VolumeCmd>("VOLUME [\"/a\", \"/b\"]").paths.size() == 2);
  CHECK(error_of("VOLUME [\"\"]").find("empty string") != std::string::npos);
  CHECK(must<UserCmd>("USER app:app").user == "app:app");
  CHECK(must<WorkdirCmd>("WORKDIR /app").path == "/app");
  CHECK(must<StopsignalCmd>("STOPSIGNAL SIGKILL").signal == "SIGKILL");
  CHECK(must<MaintainerCmd>("MAINTAINER me").maintainer == "me");
  CHECK(must<OnbuildCmd>("onbuild RUN echo hi").expression == "RUN echo hi");
  CHECK(error_of("ONBUILD ONBUILD RUN x").find("isn't allowed") != std::string::npos);
  CHECK(error_of("ONBUILD FROM x").find("isn't allowed as an ONBUILD trigger") != std::string::npos);
  CHECK(error_of("USER").find("exactly one argument") != std::string::npos);
  CHECK(error_of("WORKDIR --x=1 /a").find("takes no flags") != std::string::npos);
}

TEST_CASE("an unknown instruction is reported with file, line, suggestion and source",
          "[dockerfile][instructions]") {
  std::string text = "FROM x\n\nCOPPY . /\n";
  auto ast = parse(text);
  REQUIRE(ast);
  auto r = parse_instructions(*ast, text);
  REQUIRE_FALSE(r);
  CHECK(r.error().message == "Dockerfile:3: unknown instruction: COPPY (did you mean COPY?)\n"
                             "   3 | >>> COPPY . /\n"
                             "     |     ^^^^^");
  std::string flags = "FROM x\nCOPY --chonw=1 a b\n";
  auto fast = parse(flags);
  REQUIRE(fast);
  auto f = parse_instructions(*fast, flags);
  REQUIRE_FALSE(f);
  CHECK(f.error().message == "Dockerfile:2: unknown flag: --chonw for COPY (did you mean --chown?)\n"
                             "   2 | >>> COPY --chonw=1 a b\n"
                             "     |          ^^^^^^^");
}

TEST_CASE("go durations parse like time.ParseDuration", "[dockerfile][instructions]") {
  CHECK(parse_duration_ns("0") == 0);
  CHECK(parse_duration_ns("1h2m3s") == 3723'000'000'000);
  CHECK(parse_duration_ns("1.5s") == 1'500'000'000);
  CHECK_FALSE(parse_duration_ns("10"));
  CHECK_FALSE(parse_duration_ns("1x"));
}
