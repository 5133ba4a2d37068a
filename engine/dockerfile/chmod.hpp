#pragma once
// `COPY/ADD --chmod`: octal (`755`, `0644`) or symbolic (`u=rwX,go=rX`,
// `+x`, `a-w`) modes, applied to each copied file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/error.hpp"

namespace xbuild::engine::dockerfile {

struct ChmodSpec {
  std::optional<uint32_t> octal; // set for numeric modes
  struct Clause {
    uint32_t who = 07777; // bits the clause may touch (u/g/o/a)
    char op = '=';        // '+', '-' or '='
    uint32_t perms = 0;   // r/w/x/s/t bits, before masking with `who`
    bool cond_exec = false; // `X`: execute only for directories or already-executable files
  };
  std::vector<Clause> clauses; // symbolic form, applied in order
};

Result<ChmodSpec> parse_chmod(std::string_view spec);

// The mode a file gets: `mode` is its current permission bits.
uint32_t apply_chmod(const ChmodSpec& spec, uint32_t mode, bool is_dir);

} // namespace xbuild::engine::dockerfile
