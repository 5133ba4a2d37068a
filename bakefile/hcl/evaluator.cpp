// A tree-walking evaluator. Each ExprKind has one function below; errors
// carry the range of the sub-expression at fault, with HCL's summary text
// ("Unknown variable; ...") so messages read like buildx's.
//
// Deliberate choices, each matching HCL/cty behaviour:
//  - `"${x}"` alone yields x's value unchanged (TemplateWrapExpr).
//  - Arithmetic and logic convert operands as cty function parameters do
//    ("2" + 1 == 3); `==` never converts (1 == "1" is false).
//  - `&&`, `||` and `?:` evaluate only what they need.
//  - A splat over null is an empty tuple; over a non-list value it applies
//    to that value as a one-element tuple.
//  - Object keys iterate in lexical order, as cty's do.

#include "bakefile/hcl/evaluator.hpp"

#include <set>

#include "util/strings.hpp"

namespace xbuild::bakefile::hcl {

Result<std::optional<Value>> Scope::lookup(std::string_view name) const {
  for (const Scope* s = this; s != nullptr; s = s->m_parent) {
    if (auto it = s->m_vars.find(name); it != s->m_vars.end())
      return std::optional<Value>(it->second);
    if (s->m_resolver) {
      auto v = TRY(s->m_resolver(name));
      if (v)
        return v;
    }
  }
  return std::optional<Value>();
}

const Function* Scope::function(std::string_view name) const {
  for (const Scope* s = this; s != nullptr; s = s->m_parent) {
    if (s->m_functions == nullptr)
      continue;
    if (auto it = s->m_functions->find(name); it != s->m_functions->end())
      return &it->second;
  }
  return nullptr;
}

std::vector<std::string> Scope::names() const {
  std::vector<std::string> out;
  for (const Scope* s = this; s != nullptr; s = s->m_parent)
    for (const auto& [k, v] : s->m_vars)
      out.push_back(k);
  return out;
}

std::vector<std::string> Scope::function_names() const {
  std::vector<std::string> out;
  for (const Scope* s = this; s != nullptr; s = s->m_parent)
    if (s->m_functions)
      for (const auto& [k, f] : *s->m_functions)
        out.push_back(k);
  return out;
}

namespace {

constexpr int k_max_eval_depth = 400;
thread_local int t_eval_depth = 0;

tl::unexpected<Error> error_at(const Expr& e, std::string_view message) {
  return tl::unexpected(make_error(e.range, message));
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  std::string best = util::closest_match(word, candidates);
  return best.empty() ? "" : " Did you mean \"" + best + "\"?";
}

Result<std::string> template_part_string(const Expr& part, const Value& v) {
  if (v.is_null())
    return error_at(part, "Invalid template interpolation value; the expression result is "
                          "null. Cannot include a null value in a string template.");
  if (v.is_list() || v.is_object())
    return error_at(part, "Invalid template interpolation value; cannot include the given "
                          "value in a string template: string required, but have " +
                              v.type_name() + ".");
  return to_string_value(v);
}

Result<bool> condition_value(const Expr& e, const Value& v, std::string_view what) {
  if (v.is_null())
    return error_at(e, "Null condition; the " + std::string(what) +
                           " value is null. Conditions must either be true or false.");
  auto b = to_bool_value(v);
  if (!b)
    return error_at(e, "Incorrect condition type; the " + std::string(what) +
                           " expression must be of type bool: " + b.error().message + ".");
  return *b;
}

// Calls `body(key, value)` for each element of a list (key = index) or an
// object (key = attribute name).
template <typename F>
Result<void> for_each_element(const Expr& coll_expr, const Value& coll, F&& body) {
  if (coll.is_null())
    return error_at(coll_expr, "Iteration over null value; a null value cannot be used as the "
                               "collection in a 'for' expression.");
  if (coll.is_list()) {
    const auto& items = coll.as_list();
    for (size_t i = 0; i < items.size(); ++i)
      TRY_VOID(body(Value::number(static_cast<int64_t>(i)), items[i]));
    return {};
  }
  if (coll.is_object()) {
    for (const auto& [k, v] : coll.as_object())
      TRY_VOID(body(Value::string(k), v));
    return {};
  }
  return error_at(coll_expr, "Iteration over non-iterable value; a value of type " +
                                 coll.type_name() +
                                 " cannot be used as the collection in a 'for' expression.");
}

void bind_iterators(Scope& scope, const std::string& key_var, const std::string& value_var,
                    const Value& key, const Value& value) {
  if (!key_var.empty())
    scope.set(key_var, key);
  scope.set(value_var, value);
}

Result<Value> eval_template(const TemplateExpr& t, const Scope& scope) {
  std::string out;
  for (const ExprPtr& part : t.parts) {
    Value v = TRY(evaluate(*part, scope));
    if (v.is_string())
      out += v.as_string();
    else
      out += TRY(template_part_string(*part, v));
  }
  return Value::string(std::move(out));
}

Result<Value> eval_template_if(const TemplateIfExpr& t, const Scope& scope) {
  Value c = TRY(evaluate(*t.cond, scope));
  bool b = TRY(condition_value(*t.cond, c, "template if condition"));
  if (b)
    return evaluate(*t.then_part, scope);
  if (t.else_part)
    return evaluate(*t.else_part, scope);
  return Value::string("");
}

Result<Value> eval_template_for(const TemplateForExpr& t, const Scope& scope) {
  Value coll = TRY(evaluate(*t.collection, scope));
  std::string out;
  TRY_VOID(for_each_element(*t.collection, coll, [&](const Value& k, const Value& v) -> Result<void> {
    Scope child(nullptr, &scope);
    bind_iterators(child, t.key_var, t.value_var, k, v);
    Value part = TRY(evaluate(*t.body, child));
    out += part.as_string();
    return {};
  }));
  return Value::string(std::move(out));
}

Result<Value> eval_variable(const VariableExpr& v, const Scope& scope) {
  auto found = TRY(scope.lookup(v.name));
  if (found)
    return *found;
  return error_at(v, "Unknown variable; There is no variable named \"" + v.name + "\"." +
                         suggestion(v.name, scope.names()));
}

Result<Value> get_attr(const Expr& at, const Value& source, const std::string& name) {
  if (source.is_null())
    return error_at(at, "Attempt to get attribute from null value; this value is null, so it "
                        "does not have any attributes.");
  if (!source.is_object())
    return error_at(at, "Unsupported attribute; can't access attributes on a value of type " +
                            source.type_name() + ".");
  auto it = source.as_object().find(name);
  if (it == source.as_object().end()) {
    std::vector<std::string> keys;
    for (const auto& [k, v] : source.as_object())
      keys.push_back(k);
    return error_at(at, "Unsupported attribute; This object does not have an attribute named \"" +
                            name + "\"." + suggestion(name, keys));
  }
  return it->second;
}

Result<Value> index_value(const Expr& at, const Value& source, const Value& key) {
  if (source.is_null())
    return error_at(at, "Attempt to index null value; this value is null, so it does not have "
                        "any indices.");
  if (key.is_null())
    return error_at(at, "Invalid index; can't use a null value as an indexing key.");
  if (source.is_list()) {
    auto n = to_number_value(key);
    if (!n || !n->is_int())
      return error_at(at, "Invalid index; the given key does not identify an element in this "
                          "collection value: a whole number is required.");
    int64_t i = n->as_int();
    if (i < 0 || static_cast<size_t>(i) >= source.as_list().size())
      return error_at(at, "Invalid index; the given key does not identify an element in this "
                          "collection value.");
    return source.as_list()[static_cast<size_t>(i)];
  }
  if (source.is_object()) {
    auto k = to_string_value(key);
    if (!k)
      return error_at(at, "Invalid index; the given key does not identify an element in this "
                          "collection value: string required.");
    auto it = source.as_object().find(*k);
    if (it == source.as_object().end())
      return error_at(at, "Invalid index; the given key does not identify an element in this "
                          "collection value.");
    return it->second;
  }
  return error_at(at, "Invalid index; this value does not have any indices.");
}

Result<Value> eval_splat(const SplatExpr& s, const Scope& scope) {
  Value source = TRY(evaluate(*s.source, scope));
  if (source.is_null())
    return Value::list({});
  Value::List items = source.is_list() ? source.as_list() : Value::List{source};
  Value::List out;
  out.reserve(items.size());
  Scope child(nullptr, &scope);
  for (const Value& item : items) {
    child.splat_item = &item;
    out.push_back(TRY(evaluate(*s.each, child)));
  }
  return Value::list(std::move(out));
}

// try(a, b, ...) and can(expr) receive expressions, not values: they catch
// evaluation errors, so they cannot be ordinary functions.
std::optional<Result<Value>> eval_special_call(const CallExpr& c, const Scope& scope) {
  if (c.name == "try") {
    if (c.args.empty())
      return Result<Value>(error_at(c, "Not enough function arguments; function \"try\" "
                                       "requires at least one argument."));
    for (const ExprPtr& arg : c.args) {
      auto v = evaluate(*arg, scope);
      if (v)
        return v;
    }
    return Result<Value>(error_at(c, "Error in function call; Call to function \"try\" failed: "
                                     "no expression succeeded."));
  }
  if (c.name == "can") {
    if (c.args.size() != 1)
      return Result<Value>(error_at(c, "Invalid number of arguments; function \"can\" expects "
                                       "exactly one argument."));
    return Result<Value>(Value::boolean(evaluate(*c.args[0], scope).has_value()));
  }
  if (c.name == "convert") {
    // The second argument is a type expression, not a value.
    if (c.args.size() != 2)
      return Result<Value>(error_at(c, "Invalid number of arguments; function \"convert\" "
                                       "expects a value and a type."));
    auto v = evaluate(*c.args[0], scope);
    if (!v)
      return v;
    auto t = evaluate_type(*c.args[1]);
    if (!t)
      return Result<Value>(tl::unexpected(t.error()));
    auto converted = convert(*v, *t);
    if (!converted)
      return Result<Value>(error_at(*c.args[0], "Invalid value for \"value\" parameter; " +
                                                    converted.error().message + "."));
    return converted;
  }
  return std::nullopt;
}

Result<std::vector<Value>> eval_call_args(const CallExpr& c, const Scope& scope) {
  std::vector<Value> args;
  args.reserve(c.args.size());
  for (const ExprPtr& arg : c.args)
    args.push_back(TRY(evaluate(*arg, scope)));
  if (c.expand_final) {
    Value last = std::move(args.back());
    args.pop_back();
    if (!last.is_list())
      return error_at(*c.args.back(), "Invalid expanding argument value; the expanding argument "
                                      "(indicated by ...) must be of a tuple, list, or set type.");
    for (const Value& v : last.as_list())
      args.push_back(v);
  }
  return args;
}

Result<Value> eval_call(const CallExpr& c, const Scope& scope) {
  if (auto special = eval_special_call(c, scope))
    return std::move(*special);
  const Function* fn = scope.function(c.name);
  if (fn == nullptr)
    return error_at(c, "Call to unknown function; There is no function named \"" + c.name +
                           "\"." + suggestion(c.name, scope.function_names()));
  std::vector<Value> args = TRY(eval_call_args(c, scope));
  if (args.size() < fn->min_args)
    return error_at(c, "Not enough function arguments; function \"" + c.name + "\" expects " +
                           (fn->max_args == fn->min_args ? "" : "at least ") +
                           std::to_string(fn->min_args) + " argument(s), got " +
                           std::to_string(args.size()) + ".");
  if (fn->max_args != Function::k_variadic && args.size() > fn->max_args)
    return error_at(c, "Too many function arguments; function \"" + c.name + "\" expects " +
                           (fn->max_args == fn->min_args ? "" : "at most ") +
                           std::to_string(fn->max_args) + " argument(s), got " +
                           std::to_string(args.size()) + ".");
  auto result = fn->impl(args);
  if (!result) {
    // A user-defined function's own diagnostics already carry a position.
    if (result.error().message.find('\n') != std::string::npos)
      return result;
    return error_at(c, "Error in function call; Call to function \"" + c.name +
                           "\" failed: " + result.error().message + ".");
  }
  return result;
}

Result<Value> eval_tuple(const TupleExpr& t, const Scope& scope) {
  Value::List items;
  items.reserve(t.items.size());
  for (const ExprPtr& e : t.items)
    items.push_back(TRY(evaluate(*e, scope)));
  return Value::list(std::move(items));
}

Result<std::string> object_key(const Expr& e, const Value& k) {
  if (k.is_null())
    return error_at(e, "Null value as key; can't use a null value as a key.");
  auto s = to_string_value(k);
  if (!s)
    return error_at(e, "Incorrect key type; can't use this value as a key: " + s.error().message +
                           ".");
  return *s;
}

Result<Value> eval_object(const ObjectExpr& o, const Scope& scope) {
  Value::Object attrs;
  for (const auto& [ke, ve] : o.items) {
    std::string k = TRY(object_key(*ke, TRY(evaluate(*ke, scope))));
    attrs[k] = TRY(evaluate(*ve, scope));
  }
  return Value::object(std::move(attrs));
}

Result<Value> eval_for(const ForExpr& f, const Scope& scope) {
  Value coll = TRY(evaluate(*f.collection, scope));
  Value::List items;
  std::map<std::string, Value::List, std::less<>> groups;
  Value::Object attrs;
  TRY_VOID(for_each_element(*f.collection, coll, [&](const Value& k, const Value& v) -> Result<void> {
    Scope child(nullptr, &scope);
    bind_iterators(child, f.key_var, f.value_var, k, v);
    if (f.cond) {
      Value c = TRY(evaluate(*f.cond, child));
      if (!TRY(condition_value(*f.cond, c, "'for' filter")))
        return {};
    }
    Value value = TRY(evaluate(*f.value_expr, child));
    if (!f.key_expr) {
      items.push_back(std::move(value));
      return {};
    }
    std::string key = TRY(object_key(*f.key_expr, TRY(evaluate(*f.key_expr, child))));
    if (f.group) {
      groups[key].push_back(std::move(value));
      return {};
    }
    if (!attrs.emplace(key, std::move(value)).second)
      return error_at(*f.key_expr, "Duplicate object key; two different items produced the key \"" +
                                       key + "\" in this 'for' expression. If duplicates are "
                                             "expected, use the ellipsis (...) after the value "
                                             "expression to enable grouping by key.");
    return {};
  }));
  if (!f.key_expr)
    return Value::list(std::move(items));
  if (f.group)
    for (auto& [k, vs] : groups)
      attrs.emplace(k, Value::list(std::move(vs)));
  return Value::object(std::move(attrs));
}

Result<Number> number_operand(const Expr& e, const Value& v, std::string_view side) {
  auto n = to_number_value(v);
  if (!n)
    return error_at(e, "Invalid operand; unsuitable value for " + std::string(side) +
                           " operand: " + n.error().message + ".");
  return *n;
}

Result<bool> bool_operand(const Expr& e, const Value& v, std::string_view side) {
  auto b = v.is_null() ? Result<bool>(fail("argument must not be null")) : to_bool_value(v);
  if (!b)
    return error_at(e, "Invalid operand; unsuitable value for " + std::string(side) +
                           " operand: " + b.error().message + ".");
  return *b;
}

Result<Value> eval_arithmetic(const BinaryExpr& b, const Number& x, const Number& y) {
  switch (b.op) {
  case BinaryOp::add:
    return Value::number(x + y);
  case BinaryOp::subtract:
    return Value::number(x - y);
  case BinaryOp::multiply:
    return Value::number(x * y);
  case BinaryOp::divide:
    // cty: x/0 is infinite; 0/0 cannot be represented.
    if (y.as_double() == 0 && x.as_double() == 0)
      return error_at(b, "Error in function call; Call to function \"divide\" failed: can't "
                         "divide zero by zero or infinity by infinity.");
    return Value::number(x / y);
  case BinaryOp::modulo:
    if (y.as_double() == 0)
      return error_at(b, "Error in function call; Call to function \"modulo\" failed: can't "
                         "use modulo with zero.");
    return Value::number(x % y);
  case BinaryOp::less:
    return Value::boolean(x < y);
  case BinaryOp::less_equal:
    return Value::boolean(!(y < x));
  case BinaryOp::greater:
    return Value::boolean(y < x);
  case BinaryOp::greater_equal:
    return Value::boolean(!(x < y));
  default:
    return Value();
  }
}

Result<Value> eval_binary(const BinaryExpr& b, const Scope& scope) {
  Value lhs = TRY(evaluate(*b.lhs, scope));
  if (b.op == BinaryOp::logical_and || b.op == BinaryOp::logical_or) {
    bool l = TRY(bool_operand(*b.lhs, lhs, "left"));
    if (l == (b.op == BinaryOp::logical_or))
      return Value::boolean(l);
    Value rhs = TRY(evaluate(*b.rhs, scope));
    return Value::boolean(TRY(bool_operand(*b.rhs, rhs, "right")));
  }
  Value rhs = TRY(evaluate(*b.rhs, scope));
  if (b.op == BinaryOp::equal)
    return Value::boolean(lhs == rhs);
  if (b.op == BinaryOp::not_equal)
    return Value::boolean(lhs != rhs);
  Number x = TRY(number_operand(*b.lhs, lhs, "left"));
  Number y = TRY(number_operand(*b.rhs, rhs, "right"));
  return eval_arithmetic(b, x, y);
}

Result<Value> eval_unary(const UnaryExpr& u, const Scope& scope) {
  Value v = TRY(evaluate(*u.operand, scope));
  if (u.op == UnaryOp::negate)
    return Value::number(-TRY(number_operand(*u.operand, v, "unary")));
  return Value::boolean(!TRY(bool_operand(*u.operand, v, "unary")));
}

Result<Value> eval_conditional(const ConditionalExpr& c, const Scope& scope) {
  Value cond = TRY(evaluate(*c.cond, scope));
  bool b = TRY(condition_value(*c.cond, cond, "condition"));
  return evaluate(b ? *c.then_expr : *c.else_expr, scope);
}

Result<Value> dispatch(const Expr& e, const Scope& scope) {
  switch (e.kind) {
  case ExprKind::literal:
    return static_cast<const LiteralExpr&>(e).value;
  case ExprKind::template_:
    return eval_template(static_cast<const TemplateExpr&>(e), scope);
  case ExprKind::template_wrap:
    return evaluate(*static_cast<const TemplateWrapExpr&>(e).inner, scope);
  case ExprKind::template_if:
    return eval_template_if(static_cast<const TemplateIfExpr&>(e), scope);
  case ExprKind::template_for:
    return eval_template_for(static_cast<const TemplateForExpr&>(e), scope);
  case ExprKind::variable:
    return eval_variable(static_cast<const VariableExpr&>(e), scope);
  case ExprKind::get_attr: {
    const auto& g = static_cast<const GetAttrExpr&>(e);
    return get_attr(e, TRY(evaluate(*g.source, scope)), g.name);
  }
  case ExprKind::index: {
    const auto& ix = static_cast<const IndexExpr&>(e);
    Value source = TRY(evaluate(*ix.source, scope));
    return index_value(e, source, TRY(evaluate(*ix.key, scope)));
  }
  case ExprKind::splat:
    return eval_splat(static_cast<const SplatExpr&>(e), scope);
  case ExprKind::splat_item:
    return scope.splat_item ? *scope.splat_item : Value();
  case ExprKind::call:
    return eval_call(static_cast<const CallExpr&>(e), scope);
  case ExprKind::tuple:
    return eval_tuple(static_cast<const TupleExpr&>(e), scope);
  case ExprKind::object:
    return eval_object(static_cast<const ObjectExpr&>(e), scope);
  case ExprKind::for_:
    return eval_for(static_cast<const ForExpr&>(e), scope);
  case ExprKind::unary:
    return eval_unary(static_cast<const UnaryExpr&>(e), scope);
  case ExprKind::binary:
    return eval_binary(static_cast<const BinaryExpr&>(e), scope);
  case ExprKind::conditional:
    return eval_conditional(static_cast<const ConditionalExpr&>(e), scope);
  }
  return Value();
}

} // namespace

Result<Value> evaluate(const Expr& expr, const Scope& scope) {
  // User functions can recurse; a depth limit turns that into an error.
  if (t_eval_depth >= k_max_eval_depth)
    return error_at(expr, "Evaluation too deep; is a function calling itself?");
  ++t_eval_depth;
  auto result = dispatch(expr, scope);
  --t_eval_depth;
  return result;
}

Result<Type> evaluate_type(const Expr& expr) {
  // HCL typeexpr's wording ("... is not a valid type specification"),
  // which buildx users and tests (TestVarTypingSpec) match on.
  auto bad = [&]() -> Result<Type> {
    return error_at(expr, "Invalid type specification; this is not a valid type specification: "
                          "use a type keyword (string, number, bool, any) or a constructor such "
                          "as list(string).");
  };
  if (expr.kind == ExprKind::variable) {
    const std::string& n = static_cast<const VariableExpr&>(expr).name;
    auto bad_keyword = [&]() -> Result<Type> {
      return error_at(expr, "Invalid type specification; the keyword \"" + n +
                                "\" is not a valid type specification.");
    };
    if (n == "string")
      return Type::primitive(Type::Kind::string);
    if (n == "number")
      return Type::primitive(Type::Kind::number);
    if (n == "bool")
      return Type::primitive(Type::Kind::boolean);
    if (n == "any")
      return Type::any();
    return bad_keyword();
  }
  if (expr.kind != ExprKind::call)
    return bad();
  const auto& c = static_cast<const CallExpr&>(expr);
  if (c.args.size() != 1)
    return bad();
  const Expr& arg = *c.args[0];
  if (c.name == "list" || c.name == "set" || c.name == "map") {
    Type::Kind k = c.name == "list" ? Type::Kind::list
                   : c.name == "set" ? Type::Kind::set
                                     : Type::Kind::map;
    return Type::collection(k, TRY(evaluate_type(arg)));
  }
  if (c.name == "tuple" && arg.kind == ExprKind::tuple) {
    Type t{Type::Kind::tuple, {}, {}};
    for (const ExprPtr& e : static_cast<const TupleExpr&>(arg).items)
      t.elems.push_back(TRY(evaluate_type(*e)));
    return t;
  }
  if (c.name == "object" && arg.kind == ExprKind::object) {
    Type t{Type::Kind::object, {}, {}};
    for (const auto& [k, v] : static_cast<const ObjectExpr&>(arg).items) {
      if (k->kind != ExprKind::literal || !static_cast<const LiteralExpr&>(*k).value.is_string())
        return bad();
      t.attrs[static_cast<const LiteralExpr&>(*k).value.as_string()] = TRY(evaluate_type(*v));
    }
    return t;
  }
  return bad();
}

namespace {

void collect(const Expr& e, std::vector<const VariableExpr*>& out, std::set<std::string>& bound);

void collect_bound(const Expr& e, const std::string& k, const std::string& v,
                   std::vector<const VariableExpr*>& out, std::set<std::string> bound) {
  if (!k.empty())
    bound.insert(k);
  bound.insert(v);
  collect(e, out, bound);
}

void collect(const Expr& e, std::vector<const VariableExpr*>& out, std::set<std::string>& bound) {
  // Only variables, and the iteration variables `for` binds, need care here;
  // everything else is a plain walk over the children.
  switch (e.kind) {
  case ExprKind::variable:
    if (!bound.count(static_cast<const VariableExpr&>(e).name))
      out.push_back(&static_cast<const VariableExpr&>(e));
    return;
  case ExprKind::for_: {
    const auto& f = static_cast<const ForExpr&>(e);
    if (f.collection)
      collect(*f.collection, out, bound);
    for (const ExprPtr* p : {&f.key_expr, &f.value_expr, &f.cond})
      if (*p)
        collect_bound(**p, f.key_var, f.value_var, out, bound);
    return;
  }
  case ExprKind::template_for: {
    const auto& t = static_cast<const TemplateForExpr&>(e);
    if (t.collection)
      collect(*t.collection, out, bound);
    return collect_bound(*t.body, t.key_var, t.value_var, out, bound);
  }
  default:
    for_each_child(e, [&](const Expr& child) { collect(child, out, bound); });
  }
}

} // namespace

void collect_variables(const Expr& expr, std::vector<const VariableExpr*>& out) {
  std::set<std::string> bound;
  collect(expr, out, bound);
}

} // namespace xbuild::bakefile::hcl
