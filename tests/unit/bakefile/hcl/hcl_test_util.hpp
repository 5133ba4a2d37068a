#pragma once
// Helpers shared by the HCL unit tests: parse and evaluate a snippet, and
// write expected values as JSON so a test reads like the HCL docs.

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "bakefile/hcl/evaluator.hpp"
#include "bakefile/hcl/functions.hpp"
#include "bakefile/hcl/parser.hpp"

namespace xbuild::bakefile::hcl::test {

// Evaluates `text` as one expression with the buildx function library and
// the given variables. The source stays alive as long as the result.
inline Result<Value> eval(const std::string& text, const Scope* parent = nullptr) {
  static const FunctionTable functions = standard_functions();
  auto source = std::make_shared<SourceFile>(SourceFile{"expr.hcl", text});
  auto expr = parse_expression(*source);
  if (!expr)
    return tl::unexpected(expr.error());
  Scope scope(&functions, parent);
  return evaluate(**expr, scope);
}

// The value of `text` as JSON (numbers exact, objects sorted); on error the
// error message, so failed CHECKs show it.
inline nlohmann::json eval_json(const std::string& text, const Scope* parent = nullptr) {
  auto v = eval(text, parent);
  if (!v)
    return "ERROR: " + v.error().message;
  return v->to_json();
}

// The error message of evaluating `text`, or "" if it succeeded.
inline std::string eval_error(const std::string& text, const Scope* parent = nullptr) {
  auto v = eval(text, parent);
  return v ? std::string() : v.error().message;
}

// `text` evaluated as a string.
inline std::string eval_str(const std::string& text, const Scope* parent = nullptr) {
  auto v = eval(text, parent);
  if (!v)
    return "ERROR: " + v.error().message;
  if (!v->is_string())
    return "NOT A STRING: " + v->to_json().dump();
  return v->as_string();
}

using nlohmann::json;

} // namespace xbuild::bakefile::hcl::test
