#pragma once
// The HCL native-syntax parser: tokens -> Body / Expr trees.

#include <memory>
#include <string>

#include "bakefile/hcl/ast.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile::hcl {

// Parses a whole file (a body of attributes and blocks).
Result<File> parse_file(std::shared_ptr<const SourceFile> source);
Result<File> parse_file(std::string name, std::string text);

// Parses `source` as one expression (e.g. `a + 1`). The returned tree points
// into `source`, which must outlive it. Parsing starts at `start`.
Result<ExprPtr> parse_expression(const SourceFile& source, Pos start = {});

// Parses `source` as the contents of a template, without quotes: how HCL's
// JSON syntax reads string values ("${foo}-bar").
Result<ExprPtr> parse_template(const SourceFile& source, Pos start = {});

} // namespace xbuild::bakefile::hcl
