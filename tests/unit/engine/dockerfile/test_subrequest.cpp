#include <catch2/catch.hpp>

#include "engine/dockerfile/subrequest.hpp"
#include "util/fs.hpp"

using namespace xbuild::engine::dockerfile;

namespace {
const char* k_dockerfile = R"(# syntax=docker/dockerfile:1
# GO_VERSION the Go toolchain to build with
ARG GO_VERSION=1.22

# build compiles the binary
FROM golang:${GO_VERSION} AS build
# CGO_ENABLED set to 1 for cgo
ARG CGO_ENABLED=0
RUN --mount=type=secret,id=netrc,required --mount=type=ssh make

FROM scratch AS release
COPY --from=build /out /
CMD app
)";

CallResult run(const char* method, std::map<std::string, std::string> args = {},
               std::string target = "") {
  CallRequest req;
  req.dockerfile_text = k_dockerfile;
  req.build_args = std::move(args);
  req.target = std::move(target);
  auto opt = parse_call(method);
  REQUIRE(opt);
  auto r = run_call(req, *opt);
  if (!r)
    FAIL(r.error().message);
  return *r;
}
} // namespace

TEST_CASE("option --call=targets lists stages with descriptions and the default", "[dockerfile][call]") {
  CHECK(run("targets").output == "TARGET              DESCRIPTION\n"
                                 "build               compiles the binary\n"
                                 "release (default)\n");
}

TEST_CASE("option --call=outline lists the target's args, secrets and ssh", "[dockerfile][call]") {
  CHECK(run("outline", {{"GO_VERSION", "1.23"}}, "build").output ==
        "TARGET:      build\n"
        "DESCRIPTION: compiles the binary\n"
        "\n"
        "BUILD ARG     VALUE   DESCRIPTION\n"
        "GO_VERSION    1.23    the Go toolchain to build with\n"
        "CGO_ENABLED   0       set to 1 for cgo\n"
        "\n"
        "SECRET   REQUIRED\n"
        "netrc    true\n"
        "\n"
        "SSH       REQUIRED\n"
        "default   false\n");
}

TEST_CASE("option --call=outline,format=json prints the same facts as JSON", "[dockerfile][call]") {
  CHECK(run("outline,format=json").output == R"({
  "name": "release",
  "description": "",
  "args": [
    {
      "name": "GO_VERSION",
      "value": "1.22",
      "description": "the Go toolchain to build with",
      "line": 3
    },
    {
      "name": "CGO_ENABLED",
      "value": "0",
      "description": "set to 1 for cgo",
      "line": 8
    }
  ],
  "secrets": [
    {
      "name": "netrc",
      "required": true
    }
  ],
  "ssh": [
    {
      "name": "default",
      "required": false
    }
  ]
}
)");
}

TEST_CASE("option --call=check prints each warning with its source and exits 1", "[dockerfile][call]") {
  auto r = run("check");
  CHECK(r.exit_code == 1);
  CHECK(r.output == "Check complete, 1 warning has been found!\n"
                    "\n"
                    "WARNING: JSONArgsRecommended - "
                    "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/\n"
                    "JSON arguments recommended for CMD to prevent unintended behavior related to OS "
                    "signals\n"
                    "Dockerfile:13\n"
                    "--------------------\n"
                    "  11 |     FROM scratch AS release\n"
                    "  12 |     COPY --from=build /out /\n"
                    "  13 | >>> CMD app\n"
                    "  14 |\n"
                    "--------------------\n");
  CHECK(run("check,ignorestatus=true").exit_code == 0);
}

TEST_CASE("option --call=check,format=json and the skip build arg", "[dockerfile][call]") {
  auto r = run("check,format=json");
  CHECK(r.output == R"({
  "warnings": [
    {
      "ruleName": "JSONArgsRecommended",
      "description": "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals",
      "url": "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/",
      "detail": "JSON arguments recommended for CMD to prevent unintended behavior related to OS signals",
      "location": {
        "file": "Dockerfile",
        "start": 13,
        "end": 13
      }
    }
  ]
}
)");
  auto skipped = run("check", {{"BUILDKIT_DOCKERFILE_CHECK", "skip=JSONArgsRecommended"}});
  CHECK(skipped.exit_code == 0);
  CHECK(skipped.output == "Check complete, no warnings found.\n");
}

TEST_CASE("a normal build fails on warnings only with check=error=true", "[dockerfile][call]") {
  CallRequest req;
  req.dockerfile_text = "# check=error=true\nFROM alpine\nCMD app\n";
  auto r = lint_before_build(req);
  REQUIRE(r);
  CHECK(r->exit_code == 1);
  CHECK(r->output.find("ERROR: lint violation found for rules: JSONArgsRecommended") != std::string::npos);
  req.dockerfile_text = "FROM alpine\nCMD app\n";
  auto soft = lint_before_build(req);
  REQUIRE(soft);
  CHECK(soft->exit_code == 0);
  CHECK(soft->output == "1 warning found:\n - JSONArgsRecommended: JSON arguments recommended for CMD "
                        "to prevent unintended behavior related to OS signals (line 2)\n");
}

TEST_CASE("subrequests report Dockerfile errors and bad --call values", "[dockerfile][call]") {
  CHECK_FALSE(parse_call("lnt"));
  CHECK_FALSE(parse_call("check,format=xml"));
  CallRequest req;
  req.dockerfile_text = "FROM a\nCOPPY x y\n";
  auto r = run_call(req, *parse_call("targets"));
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("Dockerfile:2: unknown instruction: COPPY (did you mean COPY?)") == 0);
  req.dockerfile_text = "FROM a\n";
  req.target = "nope";
  CHECK_FALSE(run_call(req, *parse_call("outline")));
}

TEST_CASE("JSON output survives invalid UTF-8 in the Dockerfile", "[dockerfile][call]") {
  CallRequest req;
  req.dockerfile_text = "FROM a AS b\nARG X=\xff\xfe\nCMD x\n";
  auto r = run_call(req, *parse_call("outline,format=json"));
  REQUIRE(r);
  CHECK(r->output.find("\"value\": \"\xEF\xBF\xBD\xEF\xBF\xBD\"") != std::string::npos);
}
