#pragma once
// `bake --list=targets|variables[,format=json]` (also `type=targets,...`):
// what a bake definition offers, printed as buildx prints it: a table
// aligned like Go's tabwriter with tab padding, or indented JSON.

#include <string>

#include "bakefile/model/target.hpp"
#include "util/error.hpp"

namespace xbuild::plugin {

struct BakeListRequest {
  enum class Type { targets, variables };
  Type type = Type::targets;
  bool json = false; // format=json (default: table)
};

// "targets", "variables", "type=targets,format=json", ... Errors are usage
// errors (125) with buildx's wording: `invalid list type "x"`.
Result<BakeListRequest> parse_bake_list(const std::string& value);

// TARGET/DESCRIPTION rows for every target and group, sorted by name,
// without private names (leading `_`); a group shows its description and
// its sorted members. JSON: [{"name", "description"?, "group"?}].
std::string list_bake_targets(const bakefile::Config& config, bool json);

// VARIABLE/TYPE/VALUE/DESCRIPTION rows sorted by name; a null value shows
// as <null>. JSON: [{"name", "description"?, "type"?, "value"?}].
std::string list_bake_variables(const bakefile::Config& config, bool json);

// Go's text/tabwriter as buildx configures it (minwidth 1, tabwidth 8,
// padding 1, padchar '\t'): every cell but a row's last is padded with tabs
// to its column's width rounded up to a multiple of 8.
std::string tab_table(const std::vector<std::vector<std::string>>& rows);

} // namespace xbuild::plugin
