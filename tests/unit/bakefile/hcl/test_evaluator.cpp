#include <catch2/catch.hpp>

#include "hcl_test_util.hpp"

using namespace xbuild::bakefile::hcl;
using namespace xbuild::bakefile::hcl::test;

TEST_CASE("operators bind with HCL's precedence", "[bakefile][hcl][eval]") {
  // HCL spec, "Operations": * / % bind tighter than + -, which bind tighter
  // than comparisons, then ==/!=, then &&, then ||; ?: is loosest.
  CHECK(eval_json("1 + 2 * 3") == 7);
  CHECK(eval_json("(1 + 2) * 3") == 9);
  CHECK(eval_json("10 - 4 - 3") == 3); // left associative
  CHECK(eval_json("7 % 4 * 2") == 6);
  CHECK(eval_json("1 + 1 == 2 && 3 > 2") == true);
  CHECK(eval_json("true || false && false") == true);
  CHECK(eval_json("-2 * -3") == 6);
  CHECK(eval_json("!true == false") == true);
  CHECK(eval_json("1 < 2 ? \"a\" : \"b\"") == "a");
  CHECK(eval_json("false ? 1 : true ? 2 : 3") == 2);
}

TEST_CASE("arithmetic converts strings as cty number parameters do", "[bakefile][hcl][eval]") {
  CHECK(eval_json("\"2\" + 1") == 3);
  CHECK(eval_json("1 / 4") == 0.25);
  CHECK(eval_error("\"a\" + 1").find("Invalid operand") != std::string::npos);
  CHECK(eval_error("0 / 0").find("can't divide zero by zero") != std::string::npos);
  CHECK(eval_json("1 == \"1\"") == false);
  CHECK(eval_json("[1, \"a\"] == [1, \"a\"]") == true);
}

TEST_CASE("logical operators evaluate only what they need", "[bakefile][hcl][eval]") {
  CHECK(eval_json("false && undefined_var") == false);
  CHECK(eval_json("true || undefined_var") == true);
  CHECK(eval_json("true ? 1 : undefined_var") == 1);
}

TEST_CASE("templates interpolate and convert primitives to strings", "[bakefile][hcl][eval]") {
  Scope vars;
  vars.set("name", Value::string("app"));
  vars.set("n", Value::number(3));
  vars.set("tags", Value::list({Value::string("a"), Value::string("b")}));
  CHECK(eval_str("\"${name}-v${n}-${true}\"", &vars) == "app-v3-true");
  // A lone interpolation keeps its value's type (HCL TemplateWrapExpr).
  CHECK(eval_json("\"${tags}\"", &vars) == json({"a", "b"}));
  CHECK(eval_error("\"x${tags}\"", &vars).find("Invalid template interpolation value") !=
        std::string::npos);
  CHECK(eval_error("\"x${null}\"").find("null") != std::string::npos);
  // $${ and %%{ escape template sequences.
  CHECK(eval_str("\"$${name} %%{if}\"", &vars) == "${name} %{if}");
}

TEST_CASE("template directives branch and loop", "[bakefile][hcl][eval]") {
  Scope vars;
  vars.set("xs", Value::list({Value::string("a"), Value::string("b")}));
  CHECK(eval_str("\"%{if true}yes%{else}no%{endif}\"") == "yes");
  CHECK(eval_str("\"%{if 1 > 2}yes%{else}no%{endif}\"") == "no");
  CHECK(eval_str("\"%{if false}yes%{endif}\"") == "");
  CHECK(eval_str("\"%{for x in xs}[${x}]%{endfor}\"", &vars) == "[a][b]");
  CHECK(eval_str("\"%{for i, x in xs}${i}=${x};%{endfor}\"", &vars) == "0=a;1=b;");
  CHECK(eval_str("\"%{for k, v in {b = 2, a = 1}}${k}${v}%{endfor}\"") == "a1b2");
}

TEST_CASE("strip markers remove whitespace next to template sequences",
          "[bakefile][hcl][eval]") {
  // HCL spec, "Template Strip Markers": ~ removes all adjacent whitespace
  // including newlines on its side.
  CHECK(eval_str("\"a  ${~ \"b\" ~}  c\"") == "abc");
  CHECK(eval_str("\"a  ${\"b\" ~}  c\"") == "a  bc");
  std::string heredoc = "<<EOT\n%{ for x in [1, 2] ~}\nitem ${x}\n%{ endfor ~}\nEOT\n";
  CHECK(eval_str(heredoc) == "item 1\nitem 2\n");
}

TEST_CASE("heredocs keep text verbatim and <<- removes common indentation",
          "[bakefile][hcl][eval]") {
  CHECK(eval_str("<<EOT\n  hello\n    world\nEOT\n") == "  hello\n    world\n");
  CHECK(eval_str("<<-EOT\n    hello\n      world\n    EOT\n") == "hello\n  world\n");
  CHECK(eval_str("<<-EOT\n    a ${1 + 1}\n\n    b\n  EOT\n") == "a 2\n\nb\n");
  // Backslashes are not escapes inside heredocs.
  CHECK(eval_str("<<EOT\nC:\\path\nEOT\n") == "C:\\path\n");
}

TEST_CASE("index and attribute access, including legacy .N", "[bakefile][hcl][eval]") {
  CHECK(eval_json("[10, 20, 30][1]") == 20);
  CHECK(eval_json("[10, 20, 30].2") == 30);
  CHECK(eval_json("{a = {b = [1, 2]}}.a.b[0]") == 1);
  CHECK(eval_json("{a = 1}[\"a\"]") == 1);
  CHECK(eval_json("[10, 20][\"1\"]") == 20);
  CHECK(eval_error("[1][5]").find("Invalid index") != std::string::npos);
  CHECK(eval_error("{a = 1}.b").find("This object does not have an attribute named \"b\"") !=
        std::string::npos);
  CHECK(eval_error("null.a").find("null value") != std::string::npos);
}

TEST_CASE("splats apply the following traversal to each element", "[bakefile][hcl][eval]") {
  Scope vars;
  vars.set("objs", Value::from_json(json::parse(R"([{"a":{"b":1}},{"a":{"b":2}}])")));
  CHECK(eval_json("objs[*].a.b", &vars) == json({1, 2}));
  CHECK(eval_json("objs.*.a.b", &vars) == json({1, 2}));
  CHECK(eval_json("[[1, 2], [3, 4]][*][0]") == json({1, 3}));
  // HCL spec: a splat on null is an empty tuple; on a non-list it wraps it.
  CHECK(eval_json("null[*]") == json::array());
  CHECK(eval_json("{a = 1}[*].a") == json({1}));
  // An attribute-only splat ends before an index, which then applies to the result.
  CHECK(eval_json("objs.*.a[1]", &vars) == json({{"b", 2}}));
}

TEST_CASE("for expressions build tuples and objects with filters and grouping",
          "[bakefile][hcl][eval]") {
  CHECK(eval_json("[for x in [1, 2, 3] : x * 2]") == json({2, 4, 6}));
  CHECK(eval_json("[for i, x in [\"a\", \"b\"] : \"${i}${x}\"]") == json({"0a", "1b"}));
  CHECK(eval_json("[for x in [1, 2, 3, 4] : x if x % 2 == 0]") == json({2, 4}));
  CHECK(eval_json("{for k, v in {a = 1, b = 2} : v => k}") == json({{"1", "a"}, {"2", "b"}}));
  CHECK(eval_json("{for x in [\"a\", \"bb\", \"c\"] : length(x) => x...}") ==
        json({{"1", {"a", "c"}}, {"2", {"bb"}}}));
  CHECK(eval_error("{for x in [\"a\", \"a\"] : x => x}").find("Duplicate object key") !=
        std::string::npos);
  CHECK(eval_error("[for x in null : x]").find("Iteration over null value") !=
        std::string::npos);
}

TEST_CASE("function calls expand a final list argument with ...", "[bakefile][hcl][eval]") {
  CHECK(eval_json("max([3, 9, 2]...)") == 9);
  CHECK(eval_json("concat([1], [[2, 3], [4]]...)") == json({1, 2, 3, 4}));
  CHECK(eval_error("max(1...)").find("Invalid expanding argument value") != std::string::npos);
}

TEST_CASE("unknown names get HCL's message and a suggestion", "[bakefile][hcl][eval]") {
  Scope vars;
  vars.set("TAG", Value::string("v1"));
  CHECK(eval_error("\"${TAGS}\"", &vars) ==
        "expr.hcl:1:4: Unknown variable; There is no variable named \"TAGS\". Did you mean "
        "\"TAG\"?\n\"${TAGS}\"\n   ^");
  CHECK(eval_error("lowr(\"A\")").find("There is no function named \"lowr\". Did you mean "
                                       "\"lower\"?") != std::string::npos);
  CHECK(eval_error("upper()").find("Not enough function arguments") != std::string::npos);
  CHECK(eval_error("upper(\"a\", \"b\")").find("Too many function arguments") !=
        std::string::npos);
}

TEST_CASE("function failures are reported at the call", "[bakefile][hcl][eval]") {
  CHECK(eval_error("  element([], 0)") ==
        "expr.hcl:1:3: Error in function call; Call to function \"element\" failed: cannot use "
        "element function with an empty list.\n  element([], 0)\n  ^");
}

TEST_CASE("try, can and convert take expressions", "[bakefile][hcl][eval]") {
  CHECK(eval_json("try(undefined_var, \"fallback\")") == "fallback");
  CHECK(eval_json("try({a = 1}.a, 2)") == 1);
  CHECK(eval_json("can(undefined_var)") == false);
  CHECK(eval_json("can(1 + 1)") == true);
  CHECK(eval_json("convert(1, string)") == "1");
  CHECK(eval_json("convert([\"a\", \"a\"], set(string))") == json({"a"}));
  CHECK(eval_error("convert(\"x\", number)").find("a number is required") != std::string::npos);
}

TEST_CASE("type expressions parse into types", "[bakefile][hcl][eval]") {
  SourceFile f{"t.hcl", "object({a = list(string), b = tuple([number, bool]), c = map(any)})"};
  auto e = parse_expression(f);
  REQUIRE(e);
  auto t = evaluate_type(**e);
  REQUIRE(t);
  CHECK(t->to_string() == "object({a=list(string), b=tuple([number, bool]), c=map(any)})");
  SourceFile bad{"t.hcl", "list(strin)"};
  CHECK_FALSE(evaluate_type(**parse_expression(bad)));
}

TEST_CASE("variables are collected without names bound by for", "[bakefile][hcl][eval]") {
  SourceFile g{"t.hcl", "concat([for x in xs : x + y if z], [a.b])"};
  auto e = parse_expression(g);
  REQUIRE(e);
  std::vector<const VariableExpr*> vars;
  collect_variables(**e, vars);
  std::vector<std::string> names;
  for (auto* v : vars)
    names.push_back(v->name);
  CHECK(names == std::vector<std::string>{"xs", "y", "z", "a"});
}

TEST_CASE("a resolver supplies variables lazily", "[bakefile][hcl][eval]") {
  Scope vars;
  int calls = 0;
  vars.set_resolver([&](std::string_view name) -> xbuild::Result<std::optional<Value>> {
    ++calls;
    if (name == "LAZY")
      return std::optional<Value>(Value::string("ok"));
    return std::optional<Value>();
  });
  CHECK(eval_json("LAZY", &vars) == "ok");
  CHECK(calls == 1);
  CHECK(eval_error("OTHER", &vars).find("Unknown variable") != std::string::npos);
}

TEST_CASE("runaway recursion is an error, not a crash", "[bakefile][hcl][eval]") {
  FunctionTable fns;
  SourceFile body{"f.hcl", "self()"};
  auto expr = parse_expression(body);
  REQUIRE(expr);
  Scope* scope_ptr = nullptr;
  fns["self"] = Function{0, 0, [&](const std::vector<Value>&) { return evaluate(**expr, *scope_ptr); }};
  Scope scope(&fns);
  scope_ptr = &scope;
  auto r = evaluate(**expr, scope);
  REQUIRE_FALSE(r);
  CHECK(r.error().message.find("Evaluation too deep") != std::string::npos);
}

TEST_CASE("object keys are literal names unless parenthesized", "[bakefile][hcl][eval]") {
  // HCL spec, "Collection Values": `(k) = v` evaluates k; `k = v` is the name "k".
  Scope vars;
  vars.set("k", Value::string("dynamic"));
  CHECK(eval_json("{k = 1}", &vars) == json({{"k", 1}}));
  CHECK(eval_json("{(k) = 1}", &vars) == json({{"dynamic", 1}}));
  CHECK(eval_json("{\"${k}-x\" = 1}", &vars) == json({{"dynamic-x", 1}}));
}

TEST_CASE("nested templates and heredoc arguments evaluate", "[bakefile][hcl][eval]") {
  CHECK(eval_str("\"${\"${\"deep\"}-x\"}\"") == "deep-x");
  CHECK(eval_str("upper(<<EOT\nx\nEOT\n)") == "X\n");
  CHECK(eval_str("\"%{ for x in [1, 2] ~} ${x} %{~ endfor }\"") == "12");
  CHECK(eval_str("\"%{ if true ~}  yes  %{~ else ~} no %{~ endif }\"") == "yes");
}
