#pragma once
// Cache keys are sha256 over tagged, length-prefixed fields, so that no two
// different splits of the same bytes ("ab"+"c" vs "a"+"bc") or fields of
// different meaning can ever produce the same key.

#include <string>
#include <string_view>

#include "util/sha256.hpp"

namespace xbuild::engine::solver {

class KeyHasher {
public:
  explicit KeyHasher(std::string_view domain) { field("domain", domain); }
  KeyHasher& field(std::string_view tag, std::string_view value);
  // "sha256:<hex>"
  std::string finish();

private:
  util::Sha256 m_hash;
};

} // namespace xbuild::engine::solver
