// libFuzzer target: shell-word expansion. The first byte picks the options
// (escape character, raw quotes/escapes, skip unset); the rest is the word.

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/dockerfile/shell_lexer.hpp"

using namespace xbuild::engine::dockerfile;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0)
    return 0;
  ShellOptions o;
  o.escape = (data[0] & 1) ? '`' : '\\';
  o.raw_quotes = data[0] & 2;
  o.raw_escapes = data[0] & 4;
  o.skip_unset = data[0] & 8;
  o.skip_process_quotes = data[0] & 16;
  std::string word(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto env = env_from_list({{"a", "foo/bar/baz"}, {"b", ""}, {"sp", "x  y"}, {"nl", "a\nb"}});
  auto r = expand(word, env, o);
  if (!r && r.error().message.empty())
    __builtin_trap(); // every failure must explain itself
  (void)shell_pattern_match(word, "foo/bar/baz");
  return 0;
}
