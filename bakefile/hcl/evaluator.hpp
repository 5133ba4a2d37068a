#pragma once
// Evaluation of HCL expressions over a scope of variables and functions.

#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "bakefile/hcl/ast.hpp"
#include "bakefile/hcl/type.hpp"
#include "bakefile/hcl/value.hpp"
#include "util/error.hpp"

namespace xbuild::bakefile::hcl {

// A function callable from expressions. Arguments arrive already evaluated;
// an error message is written without position or function name (the
// evaluator adds both).
struct Function {
  static constexpr size_t k_variadic = std::numeric_limits<size_t>::max();
  size_t min_args = 0;
  size_t max_args = 0; // k_variadic: any number from min_args
  std::function<Result<Value>(const std::vector<Value>& args)> impl;
};
using FunctionTable = std::map<std::string, Function, std::less<>>;

// Variables visible to an expression. A child scope (a `for` iteration)
// shadows its parent. A resolver, when set, is asked for names not in the
// map: the bake loader uses it to evaluate variables lazily and detect
// cycles. It returns nullopt for unknown names.
class Scope {
public:
  using Resolver = std::function<Result<std::optional<Value>>(std::string_view name)>;

  explicit Scope(const FunctionTable* functions = nullptr, const Scope* parent = nullptr)
      : m_functions(functions), m_parent(parent) {}

  void set(std::string name, Value value) { m_vars[std::move(name)] = std::move(value); }
  void set_resolver(Resolver r) { m_resolver = std::move(r); }

  // The value of `name`, searching parents; nullopt if no scope knows it.
  Result<std::optional<Value>> lookup(std::string_view name) const;
  const Function* function(std::string_view name) const;
  // Every name visible from here, for "did you mean" suggestions.
  std::vector<std::string> names() const;
  std::vector<std::string> function_names() const;

  // The element a splat's traversal is applied to (set by the evaluator).
  const Value* splat_item = nullptr;

private:
  const FunctionTable* m_functions;
  const Scope* m_parent;
  std::map<std::string, Value, std::less<>> m_vars;
  Resolver m_resolver;
};

Result<Value> evaluate(const Expr& expr, const Scope& scope);

// A type constraint written as an expression: `string`, `list(number)`,
// `map(string)`, `object({a = string})`, `tuple([string, bool])`, `any`.
Result<Type> evaluate_type(const Expr& expr);

// Root names an expression reads (`a` in `a.b[0]`), excluding names bound
// by `for` expressions inside it; in source order, possibly repeated.
void collect_variables(const Expr& expr, std::vector<const VariableExpr*>& out);

} // namespace xbuild::bakefile::hcl
