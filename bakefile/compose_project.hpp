#pragma once
// The compose project bake reads: all compose files parsed, normalised,
// interpolated, with `include` and `extends` applied, and merged into one
// YAML tree (compose-go's loader, for the keys bake looks at).

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "bakefile/compose.hpp"
#include "bakefile/compose_yaml.hpp"

namespace xbuild::bakefile::compose {

struct Project {
  yaml::Node model;                                          // the merged tree
  std::vector<std::shared_ptr<const hcl::SourceFile>> extra; // included / extended files
  std::set<std::string> unset;                               // variables used but not set
  std::vector<std::string> warnings;                         // keys read but not supported
};

// Parses one file and checks it is a compose file: a mapping with a
// `services` mapping, or a `secrets` or `include` key ("empty compose file"
// otherwise).
Result<yaml::Node> parse_compose_file(const hcl::SourceFile& file);

// Loads `files` in order into one model. Nodes point into `files` and into
// Project::extra, which must outlive the model.
Result<Project> load_project(const std::vector<std::shared_ptr<const hcl::SourceFile>>& files,
                             const ComposeOptions& options);

} // namespace xbuild::bakefile::compose
