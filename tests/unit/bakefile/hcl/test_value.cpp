#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "bakefile/hcl/type.hpp"
#include "bakefile/hcl/value.hpp"

using namespace xbuild::bakefile::hcl;

TEST_CASE("integral numbers stay exact beyond the 53 bits of a double", "[bakefile][hcl][value]") {
  // cty numbers are arbitrary precision: 2^62 + 1 must not round.
  auto n = Number::parse("4611686018427387905");
  REQUIRE(n);
  CHECK(n->to_string() == "4611686018427387905");
  CHECK((*n + Number::from_int(1)).to_string() == "4611686018427387906");
}

TEST_CASE("fractions format in the shortest fixed notation", "[bakefile][hcl][value]") {
  // cty formats numbers with big.Float Text('f', -1): no exponent, no
  // trailing zeros, whole numbers without a point.
  CHECK(Number::parse("0.000001")->to_string() == "0.000001");
  CHECK(Number::parse("1e21")->to_string() == "1000000000000000000000");
  CHECK(Number::parse("1.5")->to_string() == "1.5");
  CHECK(Number::parse("1e3")->to_string() == "1000");
  CHECK(Number::parse("1.0")->is_int());
  CHECK((Number::from_int(7) / Number::from_int(2)).to_string() == "3.5");
  CHECK((Number::from_int(-7) % Number::from_int(2)).to_string() == "-1");
}

TEST_CASE("number parsing rejects text that is not a decimal number", "[bakefile][hcl][value]") {
  CHECK_FALSE(Number::parse("abc"));
  CHECK_FALSE(Number::parse("1x"));
  CHECK_FALSE(Number::parse(""));
  CHECK(Number::parse("-12")->as_int() == -12);
}

TEST_CASE("equality never converts between kinds", "[bakefile][hcl][value]") {
  // HCL spec: `==` compares type and value; 1 == "1" is false.
  CHECK(Value::number(1) != Value::string("1"));
  CHECK(Value::list({Value::number(1)}) == Value::list({Value::number(1)}));
  CHECK(Value() == Value::null());
}

TEST_CASE("primitive conversions follow cty's convert rules", "[bakefile][hcl][type]") {
  Type str = Type::primitive(Type::Kind::string);
  Type num = Type::primitive(Type::Kind::number);
  Type boolean = Type::primitive(Type::Kind::boolean);
  CHECK(convert(Value::number(5), str)->as_string() == "5");
  CHECK(convert(Value::boolean(true), str)->as_string() == "true");
  CHECK(convert(Value::string("12"), num)->as_number().as_int() == 12);
  CHECK(convert(Value::string("true"), boolean)->as_bool());
  CHECK(convert(Value::string("nope"), num).error().message == "a number is required");
  CHECK(convert(Value::string("yes"), boolean).error().message == "a bool is required");
  CHECK(convert(Value::null(), num)->is_null()); // null converts to any type
}

TEST_CASE("collection conversions convert elements and sets drop duplicates",
          "[bakefile][hcl][type]") {
  Type list_str = Type::collection(Type::Kind::list, Type::primitive(Type::Kind::string));
  Type set_str = Type::collection(Type::Kind::set, Type::primitive(Type::Kind::string));
  Value v = Value::list({Value::string("b"), Value::number(1), Value::string("b")});
  CHECK(convert(v, list_str)->to_json() == nlohmann::json({"b", "1", "b"}));
  CHECK(convert(v, set_str)->to_json() == nlohmann::json({"1", "b"}));
  CHECK(list_str.to_string() == "list(string)");
  CHECK_FALSE(convert(Value::string("x"), list_str));
}

TEST_CASE("object conversion requires declared attributes and drops others",
          "[bakefile][hcl][type]") {
  Type t{Type::Kind::object, {}, {{"a", Type::primitive(Type::Kind::number)}}};
  Value ok = Value::object({{"a", Value::string("1")}, {"extra", Value::boolean(true)}});
  CHECK(convert(ok, t)->to_json() == nlohmann::json({{"a", 1}}));
  Value missing = Value::object({{"b", Value::number(1)}});
  CHECK(convert(missing, t).error().message == "attribute \"a\" is required");
}

TEST_CASE("values round-trip through JSON with sorted object keys", "[bakefile][hcl][value]") {
  auto j = nlohmann::json::parse(R"({"z":[1,2.5,"x",null,true],"a":{"k":"v"}})");
  Value v = Value::from_json(j);
  CHECK(v.to_json() == j);
  CHECK(v.as_object().begin()->first == "a");
}
