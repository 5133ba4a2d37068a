#include <catch2/catch.hpp>

#include "engine/exec/output.hpp"

using namespace xbuild::engine::exec;

TEST_CASE("lines split across chunks are joined and CRLF is trimmed", "[engine][exec][output]") {
  std::vector<std::string> lines;
  LineSplitter s([&](std::string_view l) { lines.emplace_back(l); });
  s.feed("hel");
  s.feed("lo\r\nwor");
  s.feed("ld\n\nlast");
  CHECK(lines == std::vector<std::string>{"hello", "world", ""});
  s.finish();
  CHECK(lines.back() == "last");
  s.finish();
  CHECK(lines.size() == 4);
}

TEST_CASE("a line longer than the limit is delivered in pieces", "[engine][exec][output]") {
  std::vector<std::string> lines;
  LineSplitter s([&](std::string_view l) { lines.emplace_back(l); }, 4);
  s.feed("abcdefghij\n");
  CHECK(lines == std::vector<std::string>{"abcd", "efgh", "ij"});
}

TEST_CASE("the tail keeps only the most recent lines", "[engine][exec][output]") {
  LineTail t(3);
  for (auto l : {"1", "2", "3", "4", "5"})
    t.push(l);
  CHECK(t.lines() == std::vector<std::string>{"3", "4", "5"});
  LineTail none(0);
  none.push("x");
  CHECK(none.lines().empty());
}
