#pragma once
// The function library of bake files: go-cty's stdlib as buildx exposes it
// (bake/hclparser/stdlib.go) plus buildx's own functions. `try`, `can` and
// `convert` take unevaluated expressions and live in the evaluator.

#include "bakefile/hcl/evaluator.hpp"

namespace xbuild::bakefile::hcl {

// Every function buildx offers, by name.
FunctionTable standard_functions();

// The parts, registered by the files that implement them.
void add_string_functions(FunctionTable& table);
void add_collection_functions(FunctionTable& table);
void add_number_functions(FunctionTable& table);
void add_encoding_functions(FunctionTable& table);
void add_buildx_functions(FunctionTable& table);
void add_format_functions(FunctionTable& table);
void add_time_functions(FunctionTable& table);
void add_network_functions(FunctionTable& table);
void add_crypto_functions(FunctionTable& table);

// cty's printf (format()'s implementation), exposed for formatlist and tests.
Result<std::string> format_values(const std::string& fmt, const std::vector<Value>& values);

} // namespace xbuild::bakefile::hcl
