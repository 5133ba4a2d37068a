// Evaluation of HCL bake files, after buildx's bake/hcl.go and
// bake/hclparser/hclparser.go.
//
// Everything named at the top level is resolved lazily through the global
// scope's resolver: a variable or constant is evaluated the first time an
// expression reads it, which gives the order of evaluation for free and
// lets an "in progress" set report cycles (`variable cycle not allowed for
// X`). User functions are closures over the same global scope.
//
// `target.<name>.<attr>` references are found by walking an attribute's
// expression before evaluating it; each referenced attribute is evaluated
// first (memoised, with its own cycle check) and the expression then sees a
// `target` object holding just those values.

#include "bakefile/hcl_loader.hpp"

#include <regex>
#include <set>

#include "bakefile/hcl/evaluator.hpp"
#include "bakefile/hcl/functions.hpp"
#include "bakefile/hcl/parser.hpp"
#include "bakefile/hcl/type.hpp"
#include "bakefile/json_syntax.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile {

using hcl::Value;
using nlohmann::json;

namespace {

struct VariableDef {
  const hcl::Attribute* default_attr = nullptr;
  const hcl::Attribute* type_attr = nullptr;
  const hcl::Attribute* description_attr = nullptr;
  std::vector<const hcl::Block*> validations;
  hcl::Range range;
};

tl::unexpected<Error> error_at(const hcl::Range& r, std::string_view message) {
  return tl::unexpected(hcl::make_error(r, message));
}

// The position and source snippet of `r`, kept with the evaluated model
// for errors found later (SourceSpot).
SourceSpot spot_of(const hcl::Range& r) {
  std::string d = hcl::format_diagnostic(r, "");
  size_t nl = d.find('\n');
  if (r.file == nullptr || nl == std::string::npos || nl < 2)
    return {};
  return SourceSpot{d.substr(0, nl - 2), d.substr(nl + 1)};
}

bool valid_name(const std::string& name) {
  static const std::regex k_name("^[a-zA-Z0-9_-]+$");
  return std::regex_match(name, k_name);
}

// Go's encoding/csv for one record: fields split on ',', a field may be
// double-quoted ("" inside is a quote); a quote left open is an error.
Result<std::vector<std::string>> csv_fields(const std::string& s) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        out.back() += c;
      }
    } else if (c == '"' && out.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  if (quoted)
    return fail("extraneous or missing \" in quoted-field");
  return out;
}

bool is_primitive(const hcl::Type& t) {
  using K = hcl::Type::Kind;
  return t.kind == K::string || t.kind == K::number || t.kind == K::boolean || t.kind == K::any;
}

// A typed variable's value from its CSV environment string (buildx
// hclparser, TestTypedVarOverrides): lists, sets and tuples of primitives
// are comma-separated, maps are `k:v` pairs, objects and nested
// collections are not supported. Errors have no position.
Result<Value> typed_from_csv(const std::string& name, const std::string& s, const hcl::Type& type) {
  using K = hcl::Type::Kind;
  if (is_primitive(type)) {
    auto v = hcl::convert(Value::string(s), type);
    if (!v)
      return fail("failed to parse " + name + " as " + type.to_string() + ": " + v.error().message);
    return v;
  }
  auto unsupported = [&] { return fail("unsupported type " + type.to_string() + " for variable " + name); };
  if (type.kind == K::object)
    return unsupported();
  auto fields = csv_fields(s);
  if (!fields)
    return fail("failed to convert variable " + name + " from CSV: " + fields.error().message +
                (type.kind == K::map ? " (k/v pairs are parsed as CSV)" : ""));
  if (s.empty())
    fields->clear();
  if (type.kind == K::tuple && fields->size() != type.elems.size())
    return fail("failed to convert variable " + name + " from CSV: expected " +
                std::to_string(type.elems.size()) + " values, got " + std::to_string(fields->size()));
  for (const hcl::Type& e : type.elems)
    if (!is_primitive(e))
      return unsupported();
  auto element = [&](const std::string& text, const hcl::Type& t) -> Result<Value> {
    auto v = hcl::convert(Value::string(text), t);
    if (!v)
      return fail("failed to convert variable " + name + " from CSV: failed to parse element " +
                  text + " as " + t.to_string());
    return v;
  };
  if (type.kind == K::map) {
    Value::Object attrs;
    for (const std::string& f : *fields) {
      size_t colon = f.find(':');
      if (colon == std::string::npos || f.find(':', colon + 1) != std::string::npos)
        return fail("failed to convert variable " + name + " from CSV: expected one k/v pair in \"" +
                    f + "\"");
      attrs[f.substr(0, colon)] = TRY(element(f.substr(colon + 1), type.elems[0]));
    }
    return hcl::convert(Value::object(std::move(attrs)), type);
  }
  Value::List items;
  for (size_t i = 0; i < fields->size(); ++i)
    items.push_back(TRY(element((*fields)[i], type.kind == K::tuple ? type.elems[i] : type.elems[0])));
  auto v = hcl::convert(Value::list(std::move(items)), type);
  if (!v)
    return fail("failed to convert variable " + name + " from CSV: " + v.error().message);
  return v;
}

// cty's typed JSON decoding is strict where convert() is lenient: a JSON
// number is no string, a string no number (TestTypedVarOverrides_JSON:
// [99, 100] is no tuple([number, string])). Returns "" when `j` fits.
std::string json_type_mismatch(const json& j, const hcl::Type& t) {
  using K = hcl::Type::Kind;
  if (j.is_null() || t.kind == K::any)
    return "";
  auto want = [&](bool ok, const char* what) { return ok ? "" : std::string(what) + " required"; };
  switch (t.kind) {
  case K::string:
    return want(j.is_string(), "string");
  case K::number:
    return want(j.is_number(), "number");
  case K::boolean:
    return want(j.is_boolean(), "bool");
  case K::list:
  case K::set:
  case K::tuple: {
    if (!j.is_array())
      return "array required";
    if (t.kind == K::tuple && j.size() != t.elems.size())
      return std::to_string(t.elems.size()) + " elements required";
    for (size_t i = 0; i < j.size(); ++i)
      if (auto m = json_type_mismatch(j[i], t.kind == K::tuple ? t.elems[i] : t.elems[0]); !m.empty())
        return m;
    return "";
  }
  case K::map:
  case K::object:
    if (!j.is_object())
      return "object required";
    for (const auto& [k, v] : j.items()) {
      const hcl::Type* et = &t.elems[0];
      if (t.kind == K::object) {
        auto a = t.attrs.find(k);
        if (a == t.attrs.end())
          continue;
        et = &a->second;
      }
      if (auto m = json_type_mismatch(v, *et); !m.empty())
        return m;
    }
    return "";
  case K::any:
    break;
  }
  return "";
}

class Loader {
public:
  explicit Loader(const LoadOptions& options) : m_options(options) {}

  Result<Config> run(const std::vector<std::shared_ptr<const hcl::SourceFile>>& sources) {
    for (const auto& src : sources)
      m_files.push_back(TRY(parse_source(src)));
    TRY_VOID(collect_definitions());
    m_functions = hcl::standard_functions();
    TRY_VOID(define_user_functions());
    m_global = std::make_unique<hcl::Scope>(&m_functions);
    m_global->set_resolver([this](std::string_view n) { return resolve_name(std::string(n)); });
    for (const auto& [name, def] : m_variables)
      TRY(resolve_name(name));
    TRY_VOID(validate_variables());
    Config config;
    config.variables = TRY(variable_infos());
    for (const hcl::Block* b : m_target_blocks)
      TRY_VOID(evaluate_target_block(*b, config));
    for (const hcl::Block* b : m_group_blocks)
      TRY_VOID(evaluate_group_block(*b, config));
    return config;
  }

private:
  const LoadOptions& m_options;
  std::vector<hcl::File> m_files;
  std::map<std::string, VariableDef> m_variables;
  std::map<std::string, const hcl::Attribute*> m_constants;
  std::vector<const hcl::Block*> m_function_blocks;
  std::vector<const hcl::Block*> m_target_blocks;
  std::vector<const hcl::Block*> m_group_blocks;
  std::map<std::string, std::vector<const hcl::Block*>> m_targets_by_label;
  hcl::FunctionTable m_functions;
  std::unique_ptr<hcl::Scope> m_global;
  std::map<std::string, Value> m_resolved;
  std::set<std::string> m_in_progress;
  std::set<std::string> m_functions_in_progress;
  std::map<std::string, Value> m_target_attr_values; // "label.attr"
  std::set<std::string> m_target_attrs_in_progress;
  // Targets generated by matrix blocks: name → (block, combination), built
  // the first time a `target.<name>` reference misses the block labels.
  using Generated = std::map<std::string, std::pair<const hcl::Block*, Value::Object>>;
  std::optional<Generated> m_generated;

  // --- definitions -------------------------------------------------------

  // .json is HCL's JSON syntax and .hcl the native syntax; any other name
  // is tried as native HCL first, then as JSON (bake.go's fallbacks).
  static Result<hcl::File> parse_source(const std::shared_ptr<const hcl::SourceFile>& src) {
    if (util::ends_with(src->name, ".json"))
      return parse_json_file(src);
    auto native = hcl::parse_file(src);
    if (native || util::ends_with(src->name, ".hcl"))
      return native;
    auto as_json = parse_json_file(src);
    return as_json ? std::move(as_json) : std::move(native);
  }

  Result<std::string> single_label(const hcl::Block& b) {
    if (b.labels.size() != 1)
      return error_at(b.range, "invalid block label; a " + b.type + " block needs exactly one "
                               "label, its name");
    return b.labels[0];
  }

  Result<void> collect_definitions() {
    for (const hcl::File& f : m_files) {
      for (const hcl::Attribute& a : f.body.attributes)
        m_constants[a.name] = &a;
      for (const hcl::Block& b : f.body.blocks)
        TRY_VOID(collect_block(b));
    }
    return {};
  }

  Result<void> collect_block(const hcl::Block& b) {
    std::string name = TRY(single_label(b));
    if (b.type == "variable") {
      // Built-in names are reserved: a user variable of that name is
      // ignored (buildx hclparser), and must not shadow the built-in.
      if (name == "BAKE_CMD_CONTEXT" || name == "BAKE_LOCAL_PLATFORM")
        return {};
      // A later block overrides an earlier one attribute by attribute.
      VariableDef& def = m_variables[name];
      def.range = b.range;
      if (auto* a = b.body->attribute("default"))
        def.default_attr = a;
      if (auto* a = b.body->attribute("type"))
        def.type_attr = a;
      if (auto* a = b.body->attribute("description"))
        def.description_attr = a;
      for (const hcl::Block& v : b.body->blocks)
        if (v.type == "validation")
          def.validations.push_back(&v);
      return {};
    }
    if (b.type == "function") {
      m_function_blocks.push_back(&b);
      return {};
    }
    if (b.type == "target" || b.type == "group") {
      if (!valid_name(name))
        return error_at(b.label_ranges[0], "Invalid name; name \"" + name + "\" is invalid: only "
                                           "\"[a-zA-Z0-9_-]+\" are allowed");
      if (b.type == "target") {
        m_target_blocks.push_back(&b);
        m_targets_by_label[name].push_back(&b);
      } else {
        m_group_blocks.push_back(&b);
      }
      return {};
    }
    return error_at(b.range, "Unsupported block type; blocks of type \"" + b.type +
                                 "\" are not expected here");
  }

  // --- user functions ----------------------------------------------------

  Result<std::vector<std::string>> param_names(const hcl::Block& b, const hcl::Attribute& a) {
    std::vector<std::string> out;
    if (a.expr->kind != hcl::ExprKind::tuple)
      return error_at(a.expr->range, "Invalid params; params of function \"" + b.labels[0] +
                                         "\" must be a list of names");
    for (const hcl::ExprPtr& e : static_cast<const hcl::TupleExpr&>(*a.expr).items) {
      if (e->kind != hcl::ExprKind::variable)
        return error_at(e->range, "Invalid param; a parameter must be a bare name");
      out.push_back(static_cast<const hcl::VariableExpr&>(*e).name);
    }
    return out;
  }

  Result<void> define_user_functions() {
    for (const hcl::Block* b : m_function_blocks) {
      const std::string& name = b->labels[0];
      const hcl::Attribute* params = b->body->attribute("params");
      const hcl::Attribute* variadic = b->body->attribute("variadic_params");
      const hcl::Attribute* result = b->body->attribute("result");
      if (params == nullptr)
        return error_at(b->range, "empty params not allowed for " + name);
      if (result == nullptr)
        return error_at(b->range, "empty result not allowed for " + name);
      std::vector<std::string> names = TRY(param_names(*b, *params));
      std::string rest;
      if (variadic) {
        if (variadic->expr->kind != hcl::ExprKind::variable)
          return error_at(variadic->expr->range, "Invalid variadic_params; must be a bare name");
        rest = static_cast<const hcl::VariableExpr&>(*variadic->expr).name;
      }
      size_t max = rest.empty() ? names.size() : hcl::Function::k_variadic;
      m_functions[name] = hcl::Function{
          names.size(), max, [this, name, names, rest, result](const std::vector<Value>& args) {
            return call_user_function(name, names, rest, *result, args);
          }};
    }
    return {};
  }

  Result<Value> call_user_function(const std::string& name, const std::vector<std::string>& names,
                                   const std::string& rest, const hcl::Attribute& result,
                                   const std::vector<Value>& args) {
    if (m_functions_in_progress.count(name))
      return error_at(result.expr->range, "function cycle not allowed for " + name);
    m_functions_in_progress.insert(name);
    hcl::Scope scope(nullptr, m_global.get());
    for (size_t i = 0; i < names.size(); ++i)
      scope.set(names[i], args[i]);
    if (!rest.empty())
      scope.set(rest, Value::list(Value::List(args.begin() + static_cast<long>(names.size()), args.end())));
    auto v = hcl::evaluate(*result.expr, scope);
    m_functions_in_progress.erase(name);
    return v;
  }

  // --- variables and constants ------------------------------------------

  Result<std::optional<Value>> resolve_name(const std::string& name) {
    if (name == "BAKE_CMD_CONTEXT")
      return std::optional<Value>(Value::string(m_options.cmd_context));
    if (name == "BAKE_LOCAL_PLATFORM")
      return std::optional<Value>(Value::string(m_options.local_platform));
    if (auto it = m_resolved.find(name); it != m_resolved.end())
      return std::optional<Value>(it->second);
    auto var = m_variables.find(name);
    auto constant = m_constants.find(name);
    if (var == m_variables.end() && constant == m_constants.end())
      return std::optional<Value>();
    if (m_in_progress.count(name)) {
      hcl::Range r = var != m_variables.end() ? var->second.range : constant->second->range;
      return error_at(r, "variable cycle not allowed for " + name);
    }
    m_in_progress.insert(name);
    Result<Value> v = Value();
    if (var == m_variables.end()) {
      // A constant may read targets too (`x = target.foo.dockerfile`).
      v = eval_with_target_refs(*constant->second->expr, *m_global);
    } else if (constant != m_constants.end()) {
      // A top-level attribute named like a variable replaces its default
      // (TestHCLMultiFileAttrs): --var and the environment still win.
      VariableDef def = var->second;
      def.default_attr = constant->second;
      v = resolve_variable(name, def);
    } else {
      v = resolve_variable(name, var->second);
    }
    m_in_progress.erase(name);
    if (!v)
      return tl::unexpected(v.error());
    m_resolved[name] = *v;
    return std::optional<Value>(*v);
  }

  bool env_lookup_enabled() const {
    auto it = m_options.env.find("BUILDX_BAKE_DISABLE_VARS_ENV_LOOKUP");
    return it == m_options.env.end() || !(it->second == "1" || it->second == "true");
  }

  const std::string* env(const std::string& name) const {
    auto it = m_options.env.find(name);
    return it == m_options.env.end() ? nullptr : &it->second;
  }

  Result<Value> resolve_variable(const std::string& name, const VariableDef& def) {
    std::optional<hcl::Type> type;
    if (def.type_attr)
      type = TRY(hcl::evaluate_type(*def.type_attr->expr));
    std::optional<Value> default_value;
    if (def.default_attr)
      default_value = TRY(hcl::evaluate(*def.default_attr->expr, *m_global));
    if (auto it = m_options.vars.find(name); it != m_options.vars.end())
      return from_string(name, def, type, default_value, it->second);
    if (env_lookup_enabled()) {
      const std::string* plain = env(name);
      const std::string* as_json = m_variables.count(name + "_JSON") ? nullptr : env(name + "_JSON");
      if (as_json && (type || !plain)) {
        // An untyped variable with a collection default takes no override
        // (TestJSONOverridePriority "JSON override ignored if var is untyped").
        if (!type && default_value && (default_value->is_list() || default_value->is_object()))
          return error_at(def.range, "unsupported type " + default_value->type_name() +
                                         " for variable " + name);
        return from_json(name, def, type, *as_json);
      }
      if (plain)
        return from_string(name, def, type, default_value, *plain);
    }
    if (!default_value)
      return type ? Value() : Value::string("");
    if (!type)
      return *default_value;
    auto converted = hcl::convert(*default_value, *type);
    if (!converted)
      return error_at(def.default_attr->expr->range, "invalid type " + type->to_string() +
                                                         " for variable " + name +
                                                         " default value: " +
                                                         converted.error().message);
    return converted;
  }

  Result<Value> from_json(const std::string& name, const VariableDef& def,
                          const std::optional<hcl::Type>& type, const std::string& text) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded())
      return error_at(def.range, "failed to convert variable " + name + " from JSON");
    Value v = Value::from_json(j);
    if (!type)
      return v;
    if (std::string m = json_type_mismatch(j, *type); !m.empty())
      return error_at(def.range, "failed to convert variable " + name +
                                     " from JSON: Unsuitable value type: " + m);
    auto converted = hcl::convert(v, *type);
    if (!converted)
      return error_at(def.range, "failed to convert variable " + name + " from JSON: " +
                                     converted.error().message);
    return converted;
  }

  Result<Value> from_string(const std::string& name, const VariableDef& def,
                            const std::optional<hcl::Type>& type,
                            const std::optional<Value>& default_value, const std::string& s) {
    if (type) {
      auto v = typed_from_csv(name, s, *type);
      if (!v)
        return error_at(def.range, v.error().message);
      return v;
    }
    // Untyped: the default's type decides how the string is read.
    if (default_value && (default_value->is_bool() || default_value->is_number())) {
      auto converted = hcl::convert(Value::string(s), default_value->is_bool()
                                                          ? hcl::Type::primitive(hcl::Type::Kind::boolean)
                                                          : hcl::Type::primitive(hcl::Type::Kind::number));
      if (!converted)
        return error_at(def.range, "failed to parse " + name + " as " + default_value->type_name() +
                                       ": " + converted.error().message);
      return converted;
    }
    if (default_value && (default_value->is_list() || default_value->is_object()))
      return error_at(def.range, "unsupported type " + default_value->type_name() +
                                     " for variable " + name);
    return Value::string(s);
  }

  Result<std::vector<VariableInfo>> variable_infos() {
    std::vector<VariableInfo> out;
    for (const auto& [name, def] : m_variables) {
      VariableInfo info;
      info.name = name;
      if (def.type_attr)
        info.type = TRY(hcl::evaluate_type(*def.type_attr->expr)).to_string();
      if (def.description_attr)
        info.description = TRY(hcl::to_string_value(TRY(hcl::evaluate(*def.description_attr->expr, *m_global))));
      info.value = m_resolved.at(name).to_json();
      out.push_back(std::move(info));
    }
    return out;
  }

  Result<void> validate_variables() {
    for (const auto& [name, def] : m_variables) {
      for (const hcl::Block* v : def.validations) {
        const hcl::Attribute* cond = v->body->attribute("condition");
        if (cond == nullptr)
          return error_at(v->range, "Missing required argument; the argument \"condition\" is "
                                    "required in a validation block");
        Value c = TRY(hcl::evaluate(*cond->expr, *m_global));
        if (c.is_null() || !c.is_bool())
          return error_at(cond->expr->range, "Invalid condition result; condition expression "
                                             "must return either true or false");
        if (c.as_bool())
          continue;
        std::string message = "validation failed for variable " + name;
        if (const hcl::Attribute* msg = v->body->attribute("error_message"))
          message = TRY(hcl::to_string_value(TRY(hcl::evaluate(*msg->expr, *m_global))));
        return error_at(cond->expr->range, "Validation failed; " + message);
      }
    }
    return {};
  }

  // --- targets -----------------------------------------------------------

  // `target.<label>.<attr>` references inside `e`.
  static std::vector<std::pair<std::string, std::string>> target_refs(const hcl::Expr& e) {
    std::vector<std::pair<std::string, std::string>> refs;
    hcl::walk(e, [&](const hcl::Expr& x) {
      if (x.kind != hcl::ExprKind::get_attr)
        return;
      const auto& outer = static_cast<const hcl::GetAttrExpr&>(x);
      if (outer.source->kind != hcl::ExprKind::get_attr)
        return;
      const auto& mid = static_cast<const hcl::GetAttrExpr&>(*outer.source);
      if (mid.source->kind == hcl::ExprKind::variable &&
          static_cast<const hcl::VariableExpr&>(*mid.source).name == "target")
        refs.emplace_back(mid.name, outer.name);
    });
    return refs;
  }

  Result<Value> eval_with_target_refs(const hcl::Expr& e, const hcl::Scope& scope) {
    auto refs = target_refs(e);
    if (refs.empty())
      return hcl::evaluate(e, scope);
    std::map<std::string, Value::Object> objects;
    for (const auto& [label, attr] : refs) {
      // An attribute no block sets reads as null (TestHCLTargetAttrEmptyChain).
      auto v = TRY(target_attr_value(label, attr, e.range));
      objects[label][attr] = v ? *v : Value();
    }
    Value::Object all;
    for (auto& [label, attrs] : objects)
      all[label] = Value::object(std::move(attrs));
    hcl::Scope child(nullptr, &scope);
    child.set("target", Value::object(std::move(all)));
    return hcl::evaluate(e, child);
  }

  // The raw value of attribute `attr` of target `label` (the last block
  // setting it wins), or nullopt if no block sets it.
  Result<std::optional<Value>> target_attr_value(const std::string& label, const std::string& attr,
                                                 const hcl::Range& where) {
    std::string key = label + "." + attr;
    if (auto it = m_target_attr_values.find(key); it != m_target_attr_values.end())
      return std::optional<Value>(it->second);
    const hcl::Attribute* found = nullptr;
    hcl::Scope scope(nullptr, m_global.get());
    if (auto blocks = m_targets_by_label.find(label); blocks != m_targets_by_label.end()) {
      for (const hcl::Block* b : blocks->second)
        if (const hcl::Attribute* a = b->body->attribute(attr))
          found = a;
    } else {
      // A name generated by a matrix block: its attribute evaluates with
      // that combination's values bound.
      const Generated* generated = TRY(generated_targets());
      auto g = generated->find(label);
      if (g == generated->end())
        return error_at(where, "failed to find target " + label);
      found = g->second.first->body->attribute(attr);
      for (const auto& [k, v] : g->second.second)
        scope.set(k, v);
    }
    if (attr == "name")
      return std::optional<Value>(Value::string(label)); // TestHCLTargetAttrName
    if (found == nullptr)
      return std::optional<Value>();
    if (m_target_attrs_in_progress.count(key))
      return error_at(where, "reference cycle not allowed for target." + key);
    m_target_attrs_in_progress.insert(key);
    auto v = eval_with_target_refs(*found->expr, scope);
    m_target_attrs_in_progress.erase(key);
    if (!v)
      return tl::unexpected(v.error());
    // Composable entries read as the objects they decode to, CSV strings
    // included (`target.app.cache-from[1].type`, TestHCLAttrsCapsuleType_ObjectVars).
    if (const AttrSpec* spec = find_attribute(attr); spec && spec->kind == AttrKind::composable_list)
      if (auto decoded = attribute_value(*spec, *v); decoded && decoded->is_array())
        v = Value::from_json(*decoded);
    m_target_attr_values[key] = *v;
    return std::optional<Value>(*v);
  }

  Result<const Generated*> generated_targets() {
    if (!m_generated) {
      Generated out;
      for (const hcl::Block* b : m_target_blocks) {
        const hcl::Attribute* matrix = b->body->attribute("matrix");
        const hcl::Attribute* name_attr = b->body->attribute("name");
        if (matrix == nullptr || name_attr == nullptr)
          continue;
        for (Value::Object& combo : TRY(matrix_combinations(*matrix))) {
          hcl::Scope scope(nullptr, m_global.get());
          for (const auto& [k, v] : combo)
            scope.set(k, v);
          std::string name = TRY(hcl::to_string_value(TRY(hcl::evaluate(*name_attr->expr, scope))));
          out.emplace(std::move(name), std::make_pair(b, std::move(combo)));
        }
      }
      m_generated = std::move(out);
    }
    return &*m_generated;
  }

  Result<std::vector<std::string>> string_list(const hcl::Attribute& a, const hcl::Scope& scope) {
    Value v = TRY(eval_with_target_refs(*a.expr, scope));
    std::vector<std::string> out;
    if (v.is_null())
      return out;
    if (!v.is_list())
      return error_at(a.expr->range, "Incorrect attribute value type; \"" + a.name +
                                         "\" must be a list of strings");
    for (const Value& e : v.as_list()) {
      auto s = hcl::to_string_value(e);
      if (!s)
        return error_at(a.expr->range, "Incorrect attribute value type; \"" + a.name +
                                           "\" must be a list of strings");
      out.push_back(*s);
    }
    return out;
  }

  Result<Target> evaluate_target_body(const std::string& name, const hcl::Body& body,
                                      const hcl::Scope& scope) {
    Target t;
    t.name = name;
    for (const hcl::Attribute& a : body.attributes) {
      if (a.name == "matrix" || a.name == "name")
        continue;
      if (a.name == "inherits") {
        t.inherits = TRY(string_list(a, scope));
        t.spots["inherits"] = spot_of(a.name_range);
        continue;
      }
      const AttrSpec* spec = find_attribute(a.name);
      if (spec == nullptr) {
        std::vector<std::string> known;
        for (const AttrSpec& k : target_attributes())
          known.emplace_back(k.name);
        std::string best = util::closest_match(a.name, known);
        return error_at(a.name_range, "Unsupported argument; an argument named \"" + a.name +
                                          "\" is not expected here." +
                                          (best.empty() ? "" : " Did you mean \"" + best + "\"?"));
      }
      Value v = TRY(eval_with_target_refs(*a.expr, scope));
      auto converted = attribute_value(*spec, v);
      if (!converted)
        return error_at(a.expr->range, "Incorrect attribute value type; \"" + a.name + "\": " +
                                           converted.error().message);
      t.attrs[a.name] = std::move(*converted);
      if (a.name == "contexts")
        t.spots["contexts"] = spot_of(a.name_range);
    }
    if (!body.blocks.empty())
      return error_at(body.blocks[0].range, "Unsupported block type; blocks of type \"" +
                                                body.blocks[0].type + "\" are not expected here");
    return t;
  }

  // The cartesian product of a matrix, each combination as a scope.
  Result<std::vector<Value::Object>> matrix_combinations(const hcl::Attribute& m) {
    Value v = TRY(hcl::evaluate(*m.expr, *m_global));
    if (!v.is_object())
      return error_at(m.expr->range, "matrix must be a map");
    std::vector<Value::Object> combos{{}};
    for (const auto& [key, values] : v.as_object()) {
      if (!values.is_list())
        return error_at(m.expr->range, "matrix values must be a list");
      std::vector<Value::Object> next;
      for (const Value::Object& c : combos)
        for (const Value& item : values.as_list()) {
          Value::Object n = c;
          n[key] = item;
          next.push_back(std::move(n));
        }
      combos = std::move(next);
    }
    return combos;
  }

  void add_target(Config& config, Target t) {
    auto it = config.targets.find(t.name);
    if (it == config.targets.end()) {
      config.target_order.push_back(t.name);
      config.targets.emplace(t.name, std::move(t));
      return;
    }
    // Duplicate blocks merge; later ones win for replaced attributes.
    if (!t.inherits.empty())
      it->second.inherits = t.inherits;
    merge_target(it->second, t);
  }

  Result<void> evaluate_target_block(const hcl::Block& b, Config& config) {
    const std::string& label = b.labels[0];
    const hcl::Attribute* matrix = b.body->attribute("matrix");
    const hcl::Attribute* name_attr = b.body->attribute("name");
    if (matrix == nullptr) {
      if (name_attr)
        return error_at(name_attr->range, "name requires matrix");
      add_target(config, TRY(evaluate_target_body(label, *b.body, *m_global)));
      return {};
    }
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const Value::Object& combo : TRY(matrix_combinations(*matrix))) {
      hcl::Scope scope(nullptr, m_global.get());
      for (const auto& [k, v] : combo)
        scope.set(k, v);
      std::string name = label;
      if (name_attr)
        name = TRY(hcl::to_string_value(TRY(hcl::evaluate(*name_attr->expr, scope))));
      if (!seen.insert(name).second)
        return error_at(name_attr ? name_attr->expr->range : matrix->range,
                        "duplicate name \"" + name + "\"");
      if (!valid_name(name))
        return error_at(name_attr ? name_attr->expr->range : matrix->range,
                        "Invalid name; name \"" + name + "\" is invalid: only "
                        "\"[a-zA-Z0-9_-]+\" are allowed");
      names.push_back(name);
      add_target(config, TRY(evaluate_target_body(name, *b.body, scope)));
    }
    // The label names a group of the generated targets (bake.go).
    if (!(names.size() == 1 && names[0] == label)) {
      Group& g = config.groups[label];
      g.name = label;
      for (const std::string& n : names)
        if (std::find(g.targets.begin(), g.targets.end(), n) == g.targets.end())
          g.targets.push_back(n);
    }
    return {};
  }

  Result<void> evaluate_group_block(const hcl::Block& b, Config& config) {
    Group& g = config.groups[b.labels[0]];
    g.name = b.labels[0];
    for (const hcl::Attribute& a : b.body->attributes) {
      if (a.name == "matrix")
        return error_at(a.name_range, "matrix is not supported for groups");
      if (a.name == "name")
        return error_at(a.name_range, "name is not supported for groups");
      if (a.name == "targets") {
        g.targets_spot = spot_of(a.name_range);
        // Members in order, without repeats; a set keeps that linear for
        // groups of thousands of targets.
        std::set<std::string> seen(g.targets.begin(), g.targets.end());
        for (std::string& t : TRY(string_list(a, *m_global)))
          if (seen.insert(t).second)
            g.targets.push_back(std::move(t));
      } else if (a.name == "description") {
        g.description = TRY(hcl::to_string_value(TRY(hcl::evaluate(*a.expr, *m_global))));
      } else {
        return error_at(a.name_range, "Unsupported argument; an argument named \"" + a.name +
                                          "\" is not expected here");
      }
    }
    return {};
  }
};

} // namespace

Result<Config> load_hcl(const std::vector<std::shared_ptr<const hcl::SourceFile>>& files,
                        const LoadOptions& options) {
  return Loader(options).run(files);
}

} // namespace xbuild::bakefile
