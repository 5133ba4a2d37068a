#pragma once
// UTF-8 <-> code points, for the functions that count or cut characters
// (strlen, substr, reverse, title). Invalid bytes decode as U+FFFD.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace xbuild::bakefile::hcl::utf8 {

inline std::vector<uint32_t> decode(std::string_view s) {
  std::vector<uint32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    if (n == 0 || i + n > s.size()) {
      out.push_back(0xFFFD);
      ++i;
      continue;
    }
    uint32_t cp = n == 1 ? c : c & (0x7F >> n);
    bool ok = true;
    for (size_t k = 1; k < n; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      ok = ok && (cc & 0xC0) == 0x80;
      cp = (cp << 6) | (cc & 0x3F);
    }
    out.push_back(ok ? cp : 0xFFFD);
    i += ok ? n : 1;
  }
  return out;
}

inline void append(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

inline std::string encode(const std::vector<uint32_t>& cps, size_t from = 0,
                          size_t to = std::string::npos) {
  std::string out;
  for (size_t i = from; i < cps.size() && i < to; ++i)
    append(out, cps[i]);
  return out;
}

} // namespace xbuild::bakefile::hcl::utf8

namespace xbuild::bakefile::hcl::utf8 {

// True for code points that extend the previous character: combining
// marks, variation selectors, zero-width joiner and emoji modifiers. An
// approximation of Unicode grapheme clusters, enough for strlen/substr of
// names and tags.
inline bool is_extender(uint32_t cp) {
  return (cp >= 0x300 && cp <= 0x36F) || (cp >= 0x1AB0 && cp <= 0x1AFF) ||
         (cp >= 0x1DC0 && cp <= 0x1DFF) || (cp >= 0x20D0 && cp <= 0x20FF) ||
         (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0x200D ||
         (cp >= 0x1F3FB && cp <= 0x1F3FF);
}

// The string split into user-perceived characters.
inline std::vector<std::string> graphemes(std::string_view s) {
  std::vector<uint32_t> cps = decode(s);
  std::vector<std::string> out;
  bool join_next = false;
  for (uint32_t cp : cps) {
    if (out.empty() || (!is_extender(cp) && !join_next))
      out.emplace_back();
    append(out.back(), cp);
    join_next = cp == 0x200D;
  }
  return out;
}

} // namespace xbuild::bakefile::hcl::utf8
