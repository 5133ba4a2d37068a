#include <catch2/catch.hpp>

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/parser.hpp"
#include "engine/dockerfile/stage_graph.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
StageGraph graph_of(const std::string& text, const GlobalScope& scope = {}) {
  auto ast = parse(text);
  if (!ast)
    FAIL(ast.error().message);
  auto ins = parse_instructions(*ast, text);
  if (!ins)
    FAIL(ins.error().message);
  auto g = build_stage_graph(std::move(*ins), *ast, scope);
  if (!g)
    FAIL(g.error().message);
  return std::move(*g);
}

std::vector<std::string> names(const StageGraph& g, const std::vector<size_t>& order) {
  std::vector<std::string> out;
  for (auto i : order)
    out.push_back(g.stages[i].display_name());
  return out;
}

const std::string k_multi = R"(ARG GO=1.22
FROM golang:${GO} AS base
FROM base AS build
RUN --mount=type=cache,target=/c,from=cachesrc make
FROM alpine AS cachesrc
FROM alpine AS unused
FROM scratch AS final
COPY --from=build /out /
COPY --from=0 /etc/passwd /
)";
} // namespace

TEST_CASE("stages link through FROM, COPY --from and RUN --mount from", "[dockerfile][stages]") {
  auto g = graph_of(k_multi);
  REQUIRE(g.stages.size() == 5);
  CHECK(g.global_args.size() == 1);
  CHECK(g.stages[0].base == "golang:1.22");
  CHECK(g.stages[1].base_stage == 0u);
  CHECK(g.dump() == "stage 0 \"base\" base=\"golang:1.22\" instructions=0\n"
                    "stage 1 \"build\" base=\"base\" instructions=1 dep=from:0 dep=mount from:2\n"
                    "stage 2 \"cachesrc\" base=\"alpine\" instructions=0\n"
                    "stage 3 \"unused\" base=\"alpine\" instructions=0\n"
                    "stage 4 \"final\" base=\"scratch\" instructions=2 dep=copy --from:1 "
                    "dep=copy --from:0\n");
}

TEST_CASE("the build order puts dependencies first and prunes unreachable stages",
          "[dockerfile][stages]") {
  auto g = graph_of(k_multi);
  auto all = g.build_order("");
  REQUIRE(all);
  CHECK(names(g, *all) == std::vector<std::string>{"base", "cachesrc", "build", "final"});
  auto build = g.build_order("BUILD");
  REQUIRE(build);
  CHECK(names(g, *build) == std::vector<std::string>{"base", "cachesrc", "build"});
  auto missing = g.build_order("biuld");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().message == "target stage \"biuld\" could not be found (did you mean build?)");
}

TEST_CASE("a cycle between stages is reported with the stage name", "[dockerfile][stages]") {
  auto g = graph_of("FROM alpine AS a\nCOPY --from=b /x /\nFROM alpine AS b\nCOPY --from=a /y /\n");
  auto r = g.build_order("a");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("circular dependency detected on stage: a") != std::string::npos);
}

TEST_CASE("FROM naming a later stage is an image, not a dependency", "[dockerfile][stages]") {
  auto g = graph_of("FROM later AS first\nFROM alpine AS later\n");
  CHECK_FALSE(g.stages[0].base_stage.has_value());
  CHECK(g.stages[0].deps.empty());
}

TEST_CASE("global ARGs, build args and platform ARGs expand in FROM", "[dockerfile][stages][args]") {
  GlobalScope scope;
  scope.build_args = {{"TAG", "3.19"}};
  scope.target_platform = "linux/arm64/v8";
  auto g = graph_of("ARG TAG=3.18\nARG IMG=alpine\nFROM --platform=$BUILDPLATFORM ${IMG}:${TAG}\n"
                    "FROM busybox:${TARGETARCH}${TARGETVARIANT}\n",
                    scope);
  CHECK(g.stages[0].base == "alpine:3.19");
  CHECK(g.stages[0].platform == "linux/amd64");
  CHECK(g.stages[1].base == "busybox:arm64v8");
}

TEST_CASE("an instruction other than ARG before FROM is an error", "[dockerfile][stages]") {
  std::string text = "RUN x\nFROM a\n";
  auto ast = parse(text);
  REQUIRE(ast);
  auto ins = parse_instructions(*ast, text);
  REQUIRE(ins);
  auto g = build_stage_graph(std::move(*ins), *ast, {});
  REQUIRE_FALSE(g);
  CHECK(g.error().message.find("Dockerfile:1: run before the first FROM") == 0);
}

TEST_CASE("ARG scoping: globals need re-declaring, stages inherit from their base",
          "[dockerfile][stages][args]") {
  GlobalScope scope;
  scope.build_args = {{"CLI", "from-cli"}, {"UNUSED", "x"}, {"HTTP_PROXY", "http://p"}};
  auto g = graph_of(R"(ARG G=global
ARG CLI=default
FROM alpine AS one
WORKDIR /$G
ARG G
ARG CLI
ARG LOCAL=l-$G
WORKDIR /$G/$CLI/$LOCAL
FROM one AS two
WORKDIR /$LOCAL
FROM alpine AS three
WORKDIR /$LOCAL
ARG TARGETOS
ENV LOCAL=env-wins
ARG LOCAL=arg
WORKDIR /$LOCAL/$TARGETOS
)",
                    scope);
  auto ev = evaluate(g, scope);
  REQUIRE(ev);
  auto workdir = [&](size_t stage, size_t i) {
    return std::get<WorkdirCmd>(ev->stages[stage].instructions[i].data).path;
  };
  CHECK(workdir(0, 0) == "/");
  CHECK(workdir(0, 4) == "/global/from-cli/l-global");
  CHECK(workdir(1, 0) == "/l-global");
  CHECK(workdir(2, 0) == "/");
  CHECK(workdir(2, 4) == "/env-wins/linux");
  REQUIRE(ev->undefined.size() == 2);
  CHECK(ev->undefined[0].name == "G");
  CHECK(ev->undefined[0].line == 4);
  CHECK(ev->undefined[1].name == "LOCAL");
  CHECK(ev->undefined[1].line == 12);
  CHECK(ev->unused_build_args == std::vector<std::string>{"UNUSED"});
  CHECK(ev->stages[0].proxy_env == EnvList{{"HTTP_PROXY", "http://p"}});
}

TEST_CASE("every reference in one ENV sees the values from before it", "[dockerfile][stages][args]") {
  auto g = graph_of("FROM a\nENV abc=hi\nENV abc=bye def=$abc\n");
  auto ev = evaluate(g, {});
  REQUIRE(ev);
  CHECK(ev->stages[0].env == EnvList{{"abc", "bye"}, {"def", "hi"}});
}

TEST_CASE("RUN sees ARG values as environment and ENV overrides them", "[dockerfile][stages][args]") {
  auto g = graph_of("FROM a\nARG V=1\nRUN echo $V\nENV V=2\nRUN echo $V\n");
  auto ev = evaluate(g, {});
  REQUIRE(ev);
  CHECK(ev->stages[0].env_at[1] == EnvList{{"V", "1"}});
  CHECK(ev->stages[0].env_at[3] == EnvList{{"V", "2"}});
  // RUN is left to the shell.
  CHECK(std::get<RunCmd>(ev->stages[0].instructions[1].data).command.args[0] == "echo $V");
}

TEST_CASE("ONBUILD triggers of a base image run right after its FROM", "[dockerfile][stages]") {
  auto g = graph_of("FROM base AS app\nRUN own\n");
  REQUIRE(apply_onbuild(g.stages[0], {"COPY . /app", "RUN make"}));
  REQUIRE(g.stages[0].instructions.size() == 3);
  CHECK(g.stages[0].instructions[0].keyword == "copy");
  CHECK(g.stages[0].instructions[1].keyword == "run");
  auto bad = apply_onbuild(g.stages[0], {"FROM x"});
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message.find("isn't allowed as an ONBUILD trigger") != std::string::npos);
}

TEST_CASE("a reachable stage whose base expands to nothing is an error", "[dockerfile][stages]") {
  auto g = graph_of("ARG IMG\nFROM ${IMG} AS a\nFROM alpine AS b\n");
  CHECK(g.build_order("b"));
  auto r = g.build_order("a");
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("Dockerfile:2: base name (${IMG}) should not be blank") == 0);
}

TEST_CASE("heredoc content is tab-stripped for <<- and expanded unless quoted",
          "[dockerfile][heredoc]") {
  auto env = env_from_list({{"NAME", "world"}});
  Heredoc h;
  h.content = "\t\thello $NAME \"q\" \\$x\n\tbye\n";
  h.chomp = true;
  auto r = heredoc_content(h, env);
  REQUIRE(r);
  CHECK(*r == "hello world \"q\" \\$x\nbye\n");
  h.expand = false;
  CHECK(*heredoc_content(h, env) == "hello $NAME \"q\" \\$x\nbye\n");
}

TEST_CASE("ONBUILD triggers that copy from a stage add that dependency", "[dockerfile][stages]") {
  auto g = graph_of("FROM alpine AS assets\nFROM base AS app\n");
  CHECK(g.stages[1].deps.empty());
  REQUIRE(apply_onbuild(g, 1, {"COPY --from=assets /a /a"}));
  REQUIRE(g.stages[1].deps.size() == 1);
  CHECK(g.stages[1].deps[0].stage == 0);
  CHECK(g.stages[1].deps[0].kind == DepKind::copy_from);
}

TEST_CASE("SOURCE_DATE_EPOCH comes from the build arg or a global ARG default",
          "[dockerfile][stages][args]") {
  auto g = graph_of("ARG SOURCE_DATE_EPOCH=100\nFROM a\n");
  auto ev = evaluate(g, {});
  REQUIRE(ev);
  CHECK(ev->source_date_epoch == "100");
  GlobalScope scope;
  scope.build_args = {{"SOURCE_DATE_EPOCH", "200"}};
  auto ev2 = evaluate(g, scope);
  REQUIRE(ev2);
  CHECK(ev2->source_date_epoch == "200");
  CHECK(ev2->unused_build_args.empty());
  auto none = evaluate(graph_of("FROM a\n"), {});
  REQUIRE(none);
  CHECK_FALSE(none->source_date_epoch.has_value());
}

TEST_CASE("an expansion error names the line and shows the instruction", "[dockerfile][stages][args]") {
  auto g = graph_of("FROM a\nARG X\nWORKDIR ${X:?set X with --build-arg}\n");
  auto ev = evaluate(g, {});
  REQUIRE_FALSE(ev);
  CHECK(ev.error().message.find("Dockerfile:3: failed to process \"${X:?set X with --build-arg}\": "
                                "X: set X with --build-arg") == 0);
  CHECK(ev.error().message.find("   3 | >>> WORKDIR ${X:?set X with --build-arg}") != std::string::npos);
}
