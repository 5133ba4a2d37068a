#pragma once
// The syntax tree of HCL native syntax: a file is a body; a body holds
// attributes (`name = expr`) and blocks (`type "label" { body }`).
// Expressions are plain structs tagged with ExprKind; the evaluator switches
// on the kind. Every node knows its source range for diagnostics.

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bakefile/hcl/source.hpp"
#include "bakefile/hcl/value.hpp"

namespace xbuild::bakefile::hcl {

enum class ExprKind {
  literal,       // LiteralExpr: a constant (number, bool, null, plain string)
  template_,     // TemplateExpr: parts concatenated into a string
  template_wrap, // TemplateWrapExpr: "${x}" alone, which yields x's value unchanged
  template_if,   // TemplateIfExpr: %{if}...%{else}...%{endif}
  template_for,  // TemplateForExpr: %{for}...%{endfor}
  variable,      // VariableExpr: a root name
  get_attr,      // GetAttrExpr: source.name
  index,         // IndexExpr: source[key] (also legacy source.0)
  splat,         // SplatExpr: source[*].each / source.*.each
  splat_item,    // SplatItemExpr: the current element inside a splat
  call,          // CallExpr: name(args...)
  tuple,         // TupleExpr: [a, b]
  object,        // ObjectExpr: {k = v}
  for_,          // ForExpr: [for ...] / {for ...}
  unary,         // UnaryExpr: -x, !x
  binary,        // BinaryExpr: a op b
  conditional,   // ConditionalExpr: c ? a : b
};

struct Expr {
  explicit Expr(ExprKind k, Range r) : kind(k), range(r) {}
  virtual ~Expr() = default;
  ExprKind kind;
  Range range;
};
using ExprPtr = std::unique_ptr<Expr>;

struct LiteralExpr : Expr {
  LiteralExpr(Range r, Value v) : Expr(ExprKind::literal, r), value(std::move(v)) {}
  Value value;
};

struct TemplateExpr : Expr {
  explicit TemplateExpr(Range r) : Expr(ExprKind::template_, r) {}
  std::vector<ExprPtr> parts; // literals, interpolated expressions, directives
};

struct TemplateWrapExpr : Expr {
  TemplateWrapExpr(Range r, ExprPtr e) : Expr(ExprKind::template_wrap, r), inner(std::move(e)) {}
  ExprPtr inner;
};

struct TemplateIfExpr : Expr {
  explicit TemplateIfExpr(Range r) : Expr(ExprKind::template_if, r) {}
  ExprPtr cond;
  ExprPtr then_part; // a TemplateExpr
  ExprPtr else_part; // a TemplateExpr, or null without %{else}
};

struct TemplateForExpr : Expr {
  explicit TemplateForExpr(Range r) : Expr(ExprKind::template_for, r) {}
  std::string key_var; // empty when only one variable is named
  std::string value_var;
  ExprPtr collection;
  ExprPtr body; // a TemplateExpr
};

struct VariableExpr : Expr {
  VariableExpr(Range r, std::string n) : Expr(ExprKind::variable, r), name(std::move(n)) {}
  std::string name;
};

struct GetAttrExpr : Expr {
  GetAttrExpr(Range r, ExprPtr s, std::string n)
      : Expr(ExprKind::get_attr, r), source(std::move(s)), name(std::move(n)) {}
  ExprPtr source;
  std::string name;
};

struct IndexExpr : Expr {
  IndexExpr(Range r, ExprPtr s, ExprPtr k)
      : Expr(ExprKind::index, r), source(std::move(s)), key(std::move(k)) {}
  ExprPtr source;
  ExprPtr key;
};

struct SplatExpr : Expr {
  SplatExpr(Range r, ExprPtr s) : Expr(ExprKind::splat, r), source(std::move(s)) {}
  ExprPtr source;
  ExprPtr each; // traversal applied to a SplatItemExpr
};

struct SplatItemExpr : Expr {
  explicit SplatItemExpr(Range r) : Expr(ExprKind::splat_item, r) {}
};

struct CallExpr : Expr {
  CallExpr(Range r, std::string n) : Expr(ExprKind::call, r), name(std::move(n)) {}
  std::string name;
  std::vector<ExprPtr> args;
  bool expand_final = false; // f(a, list...)
};

struct TupleExpr : Expr {
  explicit TupleExpr(Range r) : Expr(ExprKind::tuple, r) {}
  std::vector<ExprPtr> items;
};

struct ObjectExpr : Expr {
  explicit ObjectExpr(Range r) : Expr(ExprKind::object, r) {}
  // Keys written as bare identifiers are string literals, as in HCL.
  std::vector<std::pair<ExprPtr, ExprPtr>> items;
};

struct ForExpr : Expr {
  explicit ForExpr(Range r) : Expr(ExprKind::for_, r) {}
  std::string key_var; // empty when only one variable is named
  std::string value_var;
  ExprPtr collection;
  ExprPtr key_expr; // null for a tuple-producing [for ...]
  ExprPtr value_expr;
  ExprPtr cond;       // optional `if` filter
  bool group = false; // `value...`: collect values per key into lists
};

enum class UnaryOp { negate, logical_not };

struct UnaryExpr : Expr {
  UnaryExpr(Range r, UnaryOp o, ExprPtr e)
      : Expr(ExprKind::unary, r), op(o), operand(std::move(e)) {}
  UnaryOp op;
  ExprPtr operand;
};

enum class BinaryOp {
  logical_or,
  logical_and,
  equal,
  not_equal,
  less,
  less_equal,
  greater,
  greater_equal,
  add,
  subtract,
  multiply,
  divide,
  modulo,
};

struct BinaryExpr : Expr {
  BinaryExpr(Range r, BinaryOp o, ExprPtr a, ExprPtr b)
      : Expr(ExprKind::binary, r), op(o), lhs(std::move(a)), rhs(std::move(b)) {}
  BinaryOp op;
  ExprPtr lhs;
  ExprPtr rhs;
};

struct ConditionalExpr : Expr {
  explicit ConditionalExpr(Range r) : Expr(ExprKind::conditional, r) {}
  ExprPtr cond;
  ExprPtr then_expr;
  ExprPtr else_expr;
};

struct Body;

struct Attribute {
  std::string name;
  ExprPtr expr;
  Range range;      // the whole `name = expr`
  Range name_range; // just the name
};

struct Block {
  std::string type;
  std::vector<std::string> labels;
  std::vector<Range> label_ranges;
  std::unique_ptr<Body> body;
  Range range; // from the type name to the closing brace
};

struct Body {
  std::vector<Attribute> attributes; // in source order, names unique
  std::vector<Block> blocks;         // in source order
  Range range;

  const Attribute* attribute(std::string_view name) const;
};

// Calls `visit` on `expr` and every expression inside it, parents first.
void walk(const Expr& expr, const std::function<void(const Expr&)>& visit);
// Calls `visit` on each direct, non-null child expression of `expr`.
void for_each_child(const Expr& expr, const std::function<void(const Expr&)>& visit);

// A parsed file: owns its source text, which every Range points into.
struct File {
  std::shared_ptr<const SourceFile> source;
  Body body;
  // Texts the tree also points into (the strings of a JSON file, each
  // parsed as a template on its own).
  std::vector<std::shared_ptr<const SourceFile>> extra_sources;
};

} // namespace xbuild::bakefile::hcl
