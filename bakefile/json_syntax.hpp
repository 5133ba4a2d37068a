#pragma once
// Bake files in HCL's JSON syntax (docker-bake.json), converted into the
// same syntax tree as native HCL so one loader evaluates both.

#include <memory>

#include "bakefile/hcl/ast.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile {

// Reads `source` as a JSON bake file: `variable`, `target`, `group` and
// `function` keys hold blocks by label (an object, or a list of them for
// repeated blocks); other keys are top-level attributes; keys starting with
// "//" are comments. Strings are templates (`"${TAG}"`), except a
// variable's `type` (an expression) and a function's `params` and
// `variadic_params` (names).
Result<hcl::File> parse_json_file(std::shared_ptr<const hcl::SourceFile> source);

} // namespace xbuild::bakefile
