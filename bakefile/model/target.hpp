#pragma once
// The bake model: targets and groups after evaluation, the table of target
// attributes with buildx's merge rule for each (Target.Merge, bake.go), and
// the `--print` JSON shape.
//
// A target keeps each attribute it sets as a normalised JSON value, which is
// the form `--print` shows: strings, bools, lists of strings, maps of
// strings (null = unset), and composable entries (`output`, `cache-from`,
// `secret`, ...) as objects even when written as CSV strings.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bakefile/hcl/value.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile {

enum class AttrKind {
  string,          // "context": "."
  boolean,         // "pull": true
  string_list,     // "tags": ["a", "b"]
  string_map,      // "args": {"K": "v"} (null values mean "unset")
  composable_list, // "output": [{"type": "tar", "dest": "x"}]
  object,          // "resources": {...}
};

// How a later definition of an attribute combines with an earlier one, for
// inherits, duplicate blocks and multi-file merging (buildx Target.Merge).
enum class MergeRule {
  replace,       // the later value wins
  per_key,       // maps: later keys win, null values skipped
  append,        // lists: concatenated
  append_dedupe, // lists: concatenated without duplicates (cache-from)
  keyed_by_id,   // composable entries: a later entry replaces the one with its "id"
  keyed_by_type, // composable entries: a later entry replaces the one with its "type"
  fieldwise,     // objects: later fields win
};

struct AttrSpec {
  std::string_view name;
  AttrKind kind;
  MergeRule merge;
  bool escape_on_print = false; // re-escape ${ and %{ in --print output
};

// Every attribute a target accepts (buildx bake.go Target), besides the
// structural `inherits`, `matrix` and `name`.
const std::vector<AttrSpec>& target_attributes();
const AttrSpec* find_attribute(std::string_view name);

// Where an attribute was written, for errors found after evaluation (an
// unknown parent, a link loop): "docker-bake.hcl:3:3" and the source line
// with a caret under the column. Empty for definitions without a source
// position (compose files).
struct SourceSpot {
  std::string position;
  std::string snippet;
};

// "position: message\nsnippet", or just the message without a spot.
Error error_at_spot(const SourceSpot* spot, const std::string& message);

struct Target {
  std::string name;
  std::vector<std::string> inherits;          // parents, merged left to right
  std::map<std::string, nlohmann::json> attrs; // only the attributes set, normalised
  // Spots of `inherits` and `contexts` (the attributes whose errors come
  // after evaluation), from the last block that set them.
  std::map<std::string, SourceSpot> spots = {};
};

struct Group {
  std::string name;
  std::vector<std::string> targets;
  std::string description;
  SourceSpot targets_spot = {}; // where `targets` was written
};

// A declared variable as `--list=variables` shows it.
struct VariableInfo {
  std::string name;
  std::string type;        // "list(string)", or "" when untyped
  std::string description; // "" when not given
  nlohmann::json value;    // the resolved value
};

// The evaluated definitions of all loaded files.
struct Config {
  std::vector<VariableInfo> variables; // sorted by name
  std::map<std::string, Target> targets;
  std::map<std::string, Group> groups;
  std::vector<std::string> target_order; // first-definition order
};

// Converts an evaluated HCL value into the normalised form of attribute
// `spec`; the error message has no position (the caller adds it).
Result<nlohmann::json> attribute_value(const AttrSpec& spec, const hcl::Value& v);

// Parses a composable CSV entry ("type=tar,dest=x") for attribute `attr`.
Result<nlohmann::json> parse_composable(std::string_view attr, std::string_view csv);

// Merges `src`'s attributes onto `dst` with each attribute's merge rule.
void merge_target(Target& dst, const Target& src);

// Deduplicates and drops empty entries as buildx's normalize does.
void normalize_target(Target& t);

// The target as `--print` shows it: defaults for context and dockerfile,
// sorted keys, `${` re-escaped in args, labels, annotations...
nlohmann::json print_target(const Target& t);

} // namespace xbuild::bakefile
