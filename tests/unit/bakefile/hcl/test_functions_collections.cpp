// Expected values are the documented examples of the cty stdlib functions
// (Terraform documents the same functions with these examples).

#include <catch2/catch.hpp>

#include "hcl_test_util.hpp"

using namespace xbuild::bakefile::hcl::test;

TEST_CASE("concat, contains, distinct and flatten work on sequences",
          "[bakefile][hcl][functions]") {
  CHECK(eval_json("concat([\"a\", \"\"], [\"b\", \"c\"])") == json({"a", "", "b", "c"}));
  CHECK(eval_json("contains([\"a\", \"b\", \"c\"], \"a\")") == true);
  CHECK(eval_json("contains([\"a\", \"b\", \"c\"], \"d\")") == false);
  CHECK(eval_json("distinct([\"a\", \"b\", \"a\", \"c\", \"d\", \"b\"])") ==
        json({"a", "b", "c", "d"}));
  CHECK(eval_json("flatten([[\"a\", \"b\"], [], [\"c\"]])") == json({"a", "b", "c"}));
  CHECK(eval_json("flatten([[[\"a\", \"b\"], []], [\"c\"]])") == json({"a", "b", "c"}));
  CHECK(eval_error("concat(\"a\")").find("Invalid") == std::string::npos);
  CHECK_FALSE(eval_error("concat(\"a\")").empty());
}

TEST_CASE("element wraps around and index does not", "[bakefile][hcl][functions]") {
  CHECK(eval_json("element([\"a\", \"b\", \"c\"], 1)") == "b");
  CHECK(eval_json("element([\"a\", \"b\", \"c\"], 3)") == "a");
  CHECK(eval_json("index([\"a\", \"b\"], 1)") == "b");
  CHECK(eval_json("index({a = 1}, \"a\")") == 1);
  CHECK_FALSE(eval_error("index([\"a\"], 1)").empty());
  CHECK(eval_json("hasindex([\"a\"], 0)") == true);
  CHECK(eval_json("hasindex([\"a\"], 1)") == false);
  CHECK(eval_json("hasindex({a = 1}, \"b\")") == false);
}

TEST_CASE("length counts elements, attributes and characters", "[bakefile][hcl][functions]") {
  CHECK(eval_json("length([])") == 0);
  CHECK(eval_json("length([\"a\", \"b\"])") == 2);
  CHECK(eval_json("length({\"a\" = \"b\"})") == 1);
  CHECK(eval_json("length(\"hello\")") == 5);
}

TEST_CASE("keys and values follow lexical key order", "[bakefile][hcl][functions]") {
  CHECK(eval_json("keys({a = 1, c = 2, d = 3})") == json({"a", "c", "d"}));
  CHECK(eval_json("values({a = 3, c = 2, d = 1})") == json({3, 2, 1}));
  CHECK(eval_json("zipmap([\"a\", \"b\"], [1, 2])") == json({{"a", 1}, {"b", 2}}));
  CHECK_FALSE(eval_error("zipmap([\"a\"], [1, 2])").empty());
}

TEST_CASE("lookup falls back to the default", "[bakefile][hcl][functions]") {
  CHECK(eval_json("lookup({a = \"ay\", b = \"bee\"}, \"a\", \"what?\")") == "ay");
  CHECK(eval_json("lookup({a = \"ay\", b = \"bee\"}, \"c\", \"what?\")") == "what?");
  CHECK_FALSE(eval_error("lookup({a = 1}, \"c\")").empty());
}

TEST_CASE("merge lets later maps win", "[bakefile][hcl][functions]") {
  CHECK(eval_json("merge({a = \"b\", c = \"d\"}, {e = \"f\", c = \"z\"})") ==
        json({{"a", "b"}, {"c", "z"}, {"e", "f"}}));
  CHECK(eval_json("merge({a = 1}, null)") == json({{"a", 1}}));
}

TEST_CASE("coalesce returns the first non-null argument", "[bakefile][hcl][functions]") {
  CHECK(eval_json("coalesce(\"a\", \"b\")") == "a");
  CHECK(eval_json("coalesce(null, \"b\")") == "b");
  CHECK(eval_json("coalesce(1, 2)") == 1);
  // cty's coalesce (which buildx uses) only skips nulls, unlike Terraform's.
  CHECK(eval_json("coalesce(\"\", \"b\")") == "");
  CHECK_FALSE(eval_error("coalesce(null)").empty());
  CHECK(eval_json("coalescelist([\"a\", \"b\"], [\"c\", \"d\"])") == json({"a", "b"}));
  CHECK(eval_json("coalescelist([], [\"c\", \"d\"])") == json({"c", "d"}));
}

TEST_CASE("compact drops empty strings", "[bakefile][hcl][functions]") {
  CHECK(eval_json("compact([\"a\", \"\", \"b\", \"c\"])") == json({"a", "b", "c"}));
}

TEST_CASE("range counts up or down by a step", "[bakefile][hcl][functions]") {
  CHECK(eval_json("range(3)") == json({0, 1, 2}));
  CHECK(eval_json("range(1, 4)") == json({1, 2, 3}));
  CHECK(eval_json("range(1, 8, 2)") == json({1, 3, 5, 7}));
  CHECK(eval_json("range(1, 4, 0.5)") == json({1, 1.5, 2, 2.5, 3, 3.5}));
  CHECK(eval_json("range(4, 1)") == json({4, 3, 2}));
  CHECK(eval_json("range(10, 5, -2)") == json({10, 8, 6}));
  CHECK(eval_json("range(0)") == json::array());
  CHECK(eval_error("range(1, 2, 0)").find("step must not be zero") != std::string::npos);
  CHECK(eval_error("range(2000)").find("more than 1024 values") != std::string::npos);
}

TEST_CASE("slicing, chunking, reversing and sorting lists", "[bakefile][hcl][functions]") {
  CHECK(eval_json("slice([\"a\", \"b\", \"c\", \"d\"], 1, 3)") == json({"b", "c"}));
  CHECK_FALSE(eval_error("slice([\"a\"], 0, 2)").empty());
  CHECK(eval_json("chunklist([\"a\", \"b\", \"c\", \"d\", \"e\"], 2)") ==
        json({{"a", "b"}, {"c", "d"}, {"e"}}));
  CHECK(eval_json("chunklist([\"a\", \"b\"], 1)") == json({{"a"}, {"b"}}));
  CHECK(eval_json("reverselist([1, 2, 3])") == json({3, 2, 1}));
  CHECK(eval_json("sort([\"e\", \"d\", \"a\", \"x\"])") == json({"a", "d", "e", "x"}));
  CHECK(eval_json("sort([10, 9])") == json({"10", "9"})); // lexicographic, as strings
}

TEST_CASE("set functions return sorted sets", "[bakefile][hcl][functions]") {
  CHECK(eval_json("setintersection([\"a\", \"b\"], [\"b\", \"c\"], [\"b\", \"d\"])") == json({"b"}));
  CHECK(eval_json("setsubtract([\"a\", \"b\", \"c\"], [\"a\", \"c\"])") == json({"b"}));
  CHECK(eval_json("setsymmetricdifference([\"a\", \"b\"], [\"b\", \"c\"])") == json({"a", "c"}));
  CHECK(eval_json("setunion([\"a\", \"b\"], [\"b\", \"c\"], [\"d\"])") ==
        json({"a", "b", "c", "d"}));
  CHECK(eval_json("sethaselement([\"a\", \"b\"], \"b\")") == true);
  CHECK(eval_json("setproduct([\"development\", \"staging\"], [\"app1\", \"app2\"])") ==
        json::parse(R"([["development","app1"],["development","app2"],["staging","app1"],)"
                    R"(["staging","app2"]])"));
}
