#include <catch2/catch.hpp>

#include "engine/dockerfile/evaluate.hpp"
#include "engine/dockerfile/instructions.hpp"
#include "engine/dockerfile/lint.hpp"
#include "engine/dockerfile/parser.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
struct Fixture {
  ParseResult ast;
  StageGraph graph;
};

std::vector<std::string> lint_text(const std::string& text, const CheckConfig& cfg = {},
                                   const IgnoreMatcher* ignore = nullptr, GlobalScope scope = {},
                                   std::map<size_t, EnvList> image_env = {}) {
  auto ast = parse(text);
  if (!ast)
    FAIL(ast.error().message);
  auto ins = parse_instructions(*ast, text);
  if (!ins)
    FAIL(ins.error().message);
  auto g = build_stage_graph(std::move(*ins), *ast, scope);
  if (!g)
    FAIL(g.error().message);
  LintInput in{&*ast, &*g, scope, ignore, std::move(image_env)};
  std::vector<std::string> out;
  for (const auto& w : lint(in, cfg))
    out.push_back(std::to_string(w.start_line) + " " + w.rule + ": " + w.detail);
  return out;
}

using Lines = std::vector<std::string>;
} // namespace

TEST_CASE("stage name rules: casing, FROM/AS casing, duplicates, reserved names", "[dockerfile][lint]") {
  CHECK(lint_text("FROM alpine AS Base\nFROM alpine as b\nFROM alpine AS base\nFROM alpine AS scratch\n") ==
        Lines{"1 StageNameCasing: Stage name 'Base' should be lowercase",
              "2 FromAsCasing: 'as' and 'FROM' keywords' casing do not match",
              "3 DuplicateStageName: Duplicate stage name \"base\", stage names should be unique",
              "4 ReservedStageName: Stage name should not use the same name as reserved stage \"scratch\""});
}

TEST_CASE("instruction rules: casing, JSON args, maintainer, multiple CMD, legacy ENV",
          "[dockerfile][lint]") {
  CHECK(lint_text("FROM alpine\nrun true\nMAINTAINER me\nCMD echo a\nCMD [\"b\"]\nENV a b\n"
                  "ENTRYPOINT [\"x\"]\n") ==
        Lines{"2 ConsistentInstructionCasing: Command 'run' should match the case of the command "
              "majority (uppercase)",
              "3 MaintainerDeprecated: Maintainer instruction is deprecated in favor of using label",
              "4 JSONArgsRecommended: JSON arguments recommended for CMD to prevent unintended "
              "behavior related to OS signals",
              "4 MultipleInstructionsDisallowed: Multiple CMD instructions should not be used in the "
              "same stage because only the last one will be used",
              "6 LegacyKeyValueFormat: \"ENV key=value\" should be used instead of legacy \"ENV key "
              "value\" format"});
}

TEST_CASE("variable rules: undefined vars, undefined and invalid ARGs in FROM", "[dockerfile][lint]") {
  CHECK(lint_text("ARG TAG\nARG IMG=\nFROM alpine:${TAG}\nFROM ${IMG}\nFROM busybox:$VERSON\n"
                  "ARG VERSION=1\nWORKDIR /$VERSIOn\nENV X=$Y\n") ==
        Lines{"3 InvalidDefaultArgInFrom: Default value for ARG alpine:${TAG} results in empty or "
              "invalid base image name",
              "4 InvalidDefaultArgInFrom: Default value for ARG ${IMG} results in empty or invalid "
              "base image name",
              "5 UndefinedArgInFrom: FROM argument 'VERSON' is not declared",
              "5 InvalidDefaultArgInFrom: Default value for ARG busybox:$VERSON results in empty or "
              "invalid base image name",
              "7 UndefinedVar: Usage of undefined variable '$VERSIOn' (did you mean $VERSION?)",
              "8 UndefinedVar: Usage of undefined variable '$Y'"});
}

TEST_CASE("platform rules: constant and redundant --platform", "[dockerfile][lint]") {
  CHECK(lint_text("FROM --platform=linux/arm64 alpine\nFROM --platform=$TARGETPLATFORM alpine\n"
                  "FROM --platform=linux/amd64 alpine AS build-amd64\n"
                  "FROM --platform=$BUILDPLATFORM alpine\n") ==
        Lines{"1 FromPlatformFlagConstDisallowed: FROM --platform flag should not use constant value "
              "\"linux/arm64\"",
              "2 RedundantTargetPlatform: Setting platform to predefined $TARGETPLATFORM in FROM is "
              "redundant as this is the default behavior"});
}

TEST_CASE("secrets, workdir, expose and continuation rules", "[dockerfile][lint]") {
  CHECK(lint_text("ARG GITHUB_TOKEN\nFROM alpine\nENV DB_PASSWORD=x PUBLIC_KEY=y\nWORKDIR app\n"
                  "WORKDIR /abs\nWORKDIR rel\nEXPOSE 80/TCP 127.0.0.1:8080:80\nRUN a \\\n\n b\n") ==
        Lines{"1 SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ARG "
              "\"GITHUB_TOKEN\")",
              "3 SecretsUsedInArgOrEnv: Do not use ARG or ENV instructions for sensitive data (ENV "
              "\"DB_PASSWORD\")",
              "4 WorkdirRelativePath: Relative workdir \"app\" can have unexpected results if the base "
              "image changes",
              "7 ExposeProtoCasing: Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
              "7 ExposeInvalidFormat: EXPOSE instruction should not define an IP address or host-port "
              "mapping, found '127.0.0.1:8080:80'",
              "8 NoEmptyContinuation: Empty continuation line"});
}

TEST_CASE("copying a file excluded by .dockerignore is reported", "[dockerfile][lint]") {
  auto ignore = IgnoreMatcher::compile({"secrets", "*.log"});
  REQUIRE(ignore);
  CHECK(lint_text("FROM alpine\nCOPY app.log secrets/x ok /dst/\nCOPY --from=alpine app.log /\n"
                  "ADD https://x/app.log /\n",
                  {}, &*ignore) ==
        Lines{"2 CopyIgnoredFile: Attempting to Copy file \"app.log\" that is excluded by .dockerignore",
              "2 CopyIgnoredFile: Attempting to Copy file \"secrets/x\" that is excluded by .dockerignore"});
}

TEST_CASE("check configuration skips rules, all rules, and reads error=", "[dockerfile][lint]") {
  auto cfg = parse_check_config("skip=JSONArgsRecommended, MaintainerDeprecated;error=true");
  REQUIRE(cfg);
  CHECK(cfg->error);
  CHECK(lint_text("FROM a\nMAINTAINER me\nCMD x\n", *cfg).empty());
  auto all = parse_check_config("skip=all");
  REQUIRE(all);
  CHECK(lint_text("from a AS B\n", *all).empty());
  CHECK_FALSE(parse_check_config("error=maybe"));
  CHECK_FALSE(parse_check_config("skip"));
}

TEST_CASE("a clean Dockerfile has no warnings", "[dockerfile][lint]") {
  CHECK(lint_text("# syntax=docker/dockerfile:1\nARG BASE=alpine:3.19\nFROM ${BASE} AS build\n"
                  "ARG BASE\nWORKDIR /src\nCOPY . .\nRUN --mount=type=cache,target=/c make\n"
                  "FROM scratch\nCOPY --from=build /src/out /\nENTRYPOINT [\"/out\"]\n")
            .empty());
}

TEST_CASE("variables from the base image's ENV are not undefined", "[dockerfile][lint]") {
  const char* text = "FROM golang\nENV GOFLAGS=$GOFLAGS\nWORKDIR $GOPATH/src\n";
  CHECK(lint_text(text) == Lines{"2 UndefinedVar: Usage of undefined variable '$GOFLAGS'",
                                 "3 UndefinedVar: Usage of undefined variable '$GOPATH'"});
  CHECK(lint_text(text, {}, nullptr, {}, {{0, {{"GOPATH", "/go"}, {"GOFLAGS", ""}}}}).empty());
}
