#include <catch2/catch.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "plugin/progress/renderer.hpp"
#include "util/fs.hpp"

using namespace xbuild;
using namespace xbuild::plugin;
using engine::Clock;

namespace {

// Runs `events` through a renderer writing to a temp file; returns the text.
template <typename F>
std::string render(ProgressMode mode, F&& events) {
  std::FILE* f = std::tmpfile();
  {
    auto r = make_renderer(mode, f);
    events(*r);
    r->finish();
  }
  std::rewind(f);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;)
    out.append(buf, n);
  std::fclose(f);
  return out;
}

void sample(engine::ProgressSink& s) {
  auto t0 = Clock::now();
  engine::VertexEvent base{"sha256:aaa", "[1/2] FROM busybox", {}, t0, t0, true, ""};
  s.vertex(base);
  engine::VertexEvent run{"sha256:bbb", "[2/2] RUN echo hi", {"sha256:aaa"}, t0, {}, false, ""};
  s.vertex(run);
  s.log({"sha256:bbb", 1, "hi\nthere", t0});
  s.log({"sha256:bbb", 2, "\n", t0});
  run.completed = t0 + std::chrono::milliseconds(1500);
  s.vertex(run);
  engine::VertexEvent bad{"sha256:ccc", "[3/3] RUN false", {}, t0, t0, false, "exit code: 1"};
  s.vertex(bad);
}

} // namespace

TEST_CASE("plain progress numbers steps like BuildKit", "[plugin][progress]") {
  std::string out = render(ProgressMode::plain, sample);
  CHECK(out.find("#1 [1/2] FROM busybox\n#1 CACHED\n") != std::string::npos);
  CHECK(out.find("#2 [2/2] RUN echo hi\n") != std::string::npos);
  CHECK(out.find("#2 0.000 hi\n") != std::string::npos);
  CHECK(out.find("#2 0.000 there\n") != std::string::npos);
  CHECK(out.find("#2 DONE 1.5s\n") != std::string::npos);
  CHECK(out.find("#3 ERROR: exit code: 1\n") != std::string::npos);
}

TEST_CASE("rawjson prints one SolveStatus object per line", "[plugin][progress]") {
  std::string out = render(ProgressMode::rawjson, sample);
  std::vector<nlohmann::json> lines;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1)
    lines.push_back(nlohmann::json::parse(out.substr(start, nl - start)));
  REQUIRE(lines.size() == 6);
  CHECK(lines[0]["vertexes"][0]["digest"] == "sha256:aaa");
  CHECK(lines[0]["vertexes"][0]["cached"] == true);
  CHECK(lines[1]["vertexes"][0]["inputs"][0] == "sha256:aaa");
  CHECK_FALSE(lines[1]["vertexes"][0].contains("completed"));
  // Log data is base64 ("hi\nthere"), as Go marshals []byte.
  CHECK(lines[2]["logs"][0]["data"] == "aGkKdGhlcmU=");
  CHECK(lines[2]["logs"][0]["stream"] == 1);
  CHECK(lines[5]["vertexes"][0]["error"] == "exit code: 1");
}

TEST_CASE("the tty view ends with a finished frame listing every step", "[plugin][progress]") {
  std::string out = render(ProgressMode::tty, sample);
  auto last = out.rfind("[+] Building");
  REQUIRE(last != std::string::npos);
  std::string frame = out.substr(last);
  CHECK(frame.find("FINISHED") != std::string::npos);
  CHECK(frame.find("CACHED [1/2] FROM busybox") != std::string::npos);
  CHECK(frame.find("ERROR [3/3] RUN false") != std::string::npos);
}

TEST_CASE("progress modes parse like buildx's --progress", "[plugin][progress]") {
  std::FILE* f = std::tmpfile();
  CHECK(parse_progress_mode("plain", f).value() == ProgressMode::plain);
  CHECK(parse_progress_mode("rawjson", f).value() == ProgressMode::rawjson);
  CHECK(parse_progress_mode("none", f).value() == ProgressMode::quiet);
  CHECK(parse_progress_mode("auto", f).value() != ProgressMode::tty); // a file is not a terminal
  CHECK_FALSE(parse_progress_mode("fancy", f));
  std::fclose(f);
}
