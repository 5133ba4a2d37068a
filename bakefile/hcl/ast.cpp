#include "bakefile/hcl/ast.hpp"

namespace xbuild::bakefile::hcl {

void for_each_child(const Expr& e, const std::function<void(const Expr&)>& visit) {
  auto sub = [&](const ExprPtr& p) {
    if (p)
      visit(*p);
  };
  switch (e.kind) {
  case ExprKind::literal:
  case ExprKind::variable:
  case ExprKind::splat_item:
    return;
  case ExprKind::template_:
    for (const ExprPtr& p : static_cast<const TemplateExpr&>(e).parts)
      sub(p);
    return;
  case ExprKind::template_wrap:
    return sub(static_cast<const TemplateWrapExpr&>(e).inner);
  case ExprKind::template_if: {
    const auto& t = static_cast<const TemplateIfExpr&>(e);
    sub(t.cond);
    sub(t.then_part);
    return sub(t.else_part);
  }
  case ExprKind::template_for:
    sub(static_cast<const TemplateForExpr&>(e).collection);
    return sub(static_cast<const TemplateForExpr&>(e).body);
  case ExprKind::get_attr:
    return sub(static_cast<const GetAttrExpr&>(e).source);
  case ExprKind::index:
    sub(static_cast<const IndexExpr&>(e).source);
    return sub(static_cast<const IndexExpr&>(e).key);
  case ExprKind::splat:
    sub(static_cast<const SplatExpr&>(e).source);
    return sub(static_cast<const SplatExpr&>(e).each);
  case ExprKind::call:
    for (const ExprPtr& p : static_cast<const CallExpr&>(e).args)
      sub(p);
    return;
  case ExprKind::tuple:
    for (const ExprPtr& p : static_cast<const TupleExpr&>(e).items)
      sub(p);
    return;
  case ExprKind::object:
    for (const auto& [k, v] : static_cast<const ObjectExpr&>(e).items) {
      sub(k);
      sub(v);
    }
    return;
  case ExprKind::for_: {
    const auto& f = static_cast<const ForExpr&>(e);
    sub(f.collection);
    sub(f.key_expr);
    sub(f.value_expr);
    return sub(f.cond);
  }
  case ExprKind::unary:
    return sub(static_cast<const UnaryExpr&>(e).operand);
  case ExprKind::binary:
    sub(static_cast<const BinaryExpr&>(e).lhs);
    return sub(static_cast<const BinaryExpr&>(e).rhs);
  case ExprKind::conditional: {
    const auto& c = static_cast<const ConditionalExpr&>(e);
    sub(c.cond);
    sub(c.then_expr);
    return sub(c.else_expr);
  }
  }
}

void walk(const Expr& expr, const std::function<void(const Expr&)>& visit) {
  visit(expr);
  for_each_child(expr, [&](const Expr& child) { walk(child, visit); });
}

} // namespace xbuild::bakefile::hcl
