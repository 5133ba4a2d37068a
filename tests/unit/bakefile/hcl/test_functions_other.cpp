// Expected values are the documented examples of the cty / go-cty-funcs
// functions (Terraform documents the same functions with these examples),
// buildx's docs/bake-stdlib.md and buildx's bake/hclparser/stdlib_test.go.

#include <catch2/catch.hpp>

#include <regex>

#include "bakefile/hcl/functions.hpp"
#include "hcl_test_util.hpp"

using namespace xbuild::bakefile::hcl;
using namespace xbuild::bakefile::hcl::test;

TEST_CASE("arithmetic functions", "[bakefile][hcl][functions]") {
  CHECK(eval_json("add(123, 1)") == 124); // buildx docs/bake-stdlib.md
  CHECK(eval_json("subtract(5, 7)") == -2);
  CHECK(eval_json("multiply(6, 7)") == 42);
  CHECK(eval_json("divide(7, 2)") == 3.5);
  CHECK(eval_json("modulo(7, 3)") == 1);
  CHECK(eval_json("negate(4)") == -4);
  CHECK(eval_json("absolute(-12.4)") == 12.4);
  CHECK(eval_json("ceil(5)") == 5);
  CHECK(eval_json("ceil(5.1)") == 6);
  CHECK(eval_json("floor(4.9)") == 4);
  CHECK(eval_json("int(-1.5)") == -1);
  CHECK(eval_json("log(16, 2)") == 4);
  CHECK(eval_str("\"=${log(50, 10)}\"") == "=1.6989700043360185");
  CHECK(eval_json("pow(3, 2)") == 9);
  CHECK(eval_json("pow(4, 0)") == 1);
  CHECK(eval_json("max(12, 54, 3)") == 54);
  CHECK(eval_json("min(12, 54, 3)") == 3);
  CHECK(eval_json("signum(-13)") == -1);
  CHECK(eval_json("signum(0)") == 0);
  CHECK(eval_json("signum(344)") == 1);
}

TEST_CASE("parseint reads numbers in bases 2 to 62", "[bakefile][hcl][functions]") {
  CHECK(eval_json("parseint(\"100\", 10)") == 100);
  CHECK(eval_json("parseint(\"FF\", 16)") == 255);
  CHECK(eval_json("parseint(\"-10\", 16)") == -16);
  CHECK(eval_json("parseint(\"1011111011101111\", 2)") == 48879);
  CHECK(eval_json("parseint(\"aA\", 62)") == 656);
  CHECK(eval_error("parseint(\"12\", 2)").find("cannot parse \"12\" as a base 2 integer") !=
        std::string::npos);
}

TEST_CASE("comparison and logic functions", "[bakefile][hcl][functions]") {
  CHECK(eval_json("greaterthan(2, 1)") == true);
  CHECK(eval_json("greaterthanorequalto(1, 1)") == true);
  CHECK(eval_json("lessthan(2, 1)") == false);
  CHECK(eval_json("lessthanorequalto(1, 2)") == true);
  CHECK(eval_json("equal(\"a\", \"a\")") == true);
  CHECK(eval_json("notequal(1, \"1\")") == true);
  CHECK(eval_json("and(true, false)") == false);
  CHECK(eval_json("or(true, false)") == true);
  CHECK(eval_json("not(false)") == true);
}

TEST_CASE("encodings round-trip", "[bakefile][hcl][functions]") {
  CHECK(eval_str("base64encode(\"Hello World\")") == "SGVsbG8gV29ybGQ=");
  CHECK(eval_str("base64decode(\"SGVsbG8gV29ybGQ=\")") == "Hello World");
  CHECK_FALSE(eval_error("base64decode(\"%%%\")").empty());
  CHECK(eval_str("urlencode(\"Hello World!\")") == "Hello+World%21");
  CHECK(eval_str("urlencode(\"☃\")") == "%E2%98%83");
  CHECK(eval_str("jsonencode({\"hello\" = \"world\"})") == "{\"hello\":\"world\"}");
  CHECK(eval_str("jsonencode(\"<b>\")") == "\"\\u003cb\\u003e\""); // Go's HTML-safe escaping
  CHECK(eval_json("jsondecode(\"{\\\"hello\\\": \\\"world\\\"}\")") == json({{"hello", "world"}}));
  CHECK(eval_json("jsondecode(\"true\")") == true);
  CHECK(eval_json("csvdecode(\"a,b,c\\n1,2,3\\n4,5,6\")") ==
        json({{{"a", "1"}, {"b", "2"}, {"c", "3"}}, {{"a", "4"}, {"b", "5"}, {"c", "6"}}}));
  CHECK(eval_json("byteslen(\"héllo\")") == 6);
}

TEST_CASE("digests and UUIDs", "[bakefile][hcl][functions]") {
  CHECK(eval_str("md5(\"hello world\")") == "5eb63bbbe01eeed093cb22bb8f5acdc3");
  CHECK(eval_str("sha1(\"hello world\")") == "2aae6c35c94fcfb415dbe95f408b9ce91ee846ed");
  CHECK(eval_str("sha256(\"hello world\")") ==
        "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9");
  CHECK(eval_str("sha512(\"hello world\")") ==
        "309ecc489c12d6eb4cc40f50c902f2b4d0ed77ee511a7c7a9bcd3ca86d4cd86f989dd35bc5ff499670da34"
        "255b45b0cfd830e81f605dcf7dc5542e93ae9cd76f");
  CHECK(eval_str("uuidv5(\"dns\", \"www.terraform.io\")") ==
        "a5008fae-b28c-5ba5-96cd-82b4c53552d6");
  CHECK(eval_str("uuidv5(\"url\", \"https://www.terraform.io/\")") ==
        "9db6f67c-dd95-5ea0-aa5b-e70e5c5f7cf5");
  std::regex v4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");
  CHECK(std::regex_match(eval_str("uuidv4()"), v4));
  CHECK(eval_str("uuidv4()") != eval_str("uuidv4()"));
}

TEST_CASE("formatdate renders RFC 3339 timestamps", "[bakefile][hcl][functions]") {
  CHECK(eval_str("formatdate(\"DD MMM YYYY hh:mm ZZZ\", \"2018-01-02T23:12:01Z\")") ==
        "02 Jan 2018 23:12 UTC");
  CHECK(eval_str("formatdate(\"EEEE, DD-MMM-YY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01Z\")") ==
        "Tuesday, 02-Jan-18 23:12:01 UTC");
  CHECK(eval_str("formatdate(\"EEE, DD MMM YYYY hh:mm:ss ZZZ\", \"2018-01-02T23:12:01-08:00\")") ==
        "Tue, 02 Jan 2018 23:12:01 -0800");
  CHECK(eval_str("formatdate(\"MMM DD, YYYY\", \"2018-01-02T23:12:01Z\")") == "Jan 02, 2018");
  CHECK(eval_str("formatdate(\"HH:mmaa\", \"2018-01-02T23:12:01Z\")") == "11:12pm");
  CHECK(eval_str("formatdate(\"h'h'mm\", \"2018-01-02T23:12:01-08:00\")") == "23h12");
  CHECK_FALSE(eval_error("formatdate(\"YYYY\", \"2018-01-02\")").empty());
}

TEST_CASE("timeadd and timestamp produce RFC 3339", "[bakefile][hcl][functions]") {
  CHECK(eval_str("timeadd(\"2017-11-22T00:00:00Z\", \"10m\")") == "2017-11-22T00:10:00Z");
  CHECK(eval_str("timeadd(\"2017-11-22T00:00:00Z\", \"-1h30m\")") == "2017-11-21T22:30:00Z");
  CHECK(eval_str("timeadd(\"2017-12-31T23:00:00+01:00\", \"2h\")") == "2018-01-01T01:00:00+01:00");
  CHECK_FALSE(eval_error("timeadd(\"2017-11-22T00:00:00Z\", \"10x\")").empty());
  std::regex rfc3339("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z$");
  CHECK(std::regex_match(eval_str("timestamp()"), rfc3339));
}

TEST_CASE("unixtimestampparse splits a Unix time into calendar fields",
          "[bakefile][hcl][functions]") {
  // 1690328596 is 2023-07-25T23:43:16Z, a Tuesday, day 206, ISO week 30.
  json t = eval_json("unixtimestampparse(1690328596)");
  CHECK(t["year"] == 2023);
  CHECK(t["month"] == 7);
  CHECK(t["month_name"] == "July");
  CHECK(t["day"] == 25);
  CHECK(t["year_day"] == 206);
  CHECK(t["weekday"] == 2);
  CHECK(t["weekday_name"] == "Tuesday");
  CHECK(t["hour"] == 23);
  CHECK(t["minute"] == 43);
  CHECK(t["second"] == 16);
  CHECK(t["iso_year"] == 2023);
  CHECK(t["iso_week"] == 30);
  CHECK(t["rfc3339"] == "2023-07-25T23:43:16Z");
  CHECK(eval_str("formattimestamp(\"YYYY-MM-DD\", 1690328596)") == "2023-07-25");
}

TEST_CASE("buildx path and name helpers", "[bakefile][hcl][functions]") {
  CHECK(eval_str("sanitize(\"My App! v1.0\")") == "My_App__v1_0"); // docs/bake-stdlib.md
  CHECK(eval_str("sanitize(\"héllo\")") == "h_llo");
  // Go's path.Base and path.Dir.
  CHECK(eval_str("basename(\"/home/user/file.txt\")") == "file.txt");
  CHECK(eval_str("basename(\"/home/user/\")") == "user");
  CHECK(eval_str("basename(\"\")") == ".");
  CHECK(eval_str("dirname(\"/home/user/file.txt\")") == "/home/user");
  CHECK(eval_str("dirname(\"file.txt\")") == ".");
  CHECK(eval_str("dirname(\"/file\")") == "/");
  CHECK_FALSE(eval_str("homedir()").empty());
}

TEST_CASE("indexof finds the first equal element", "[bakefile][hcl][functions]") {
  // buildx bake/hclparser/stdlib_test.go TestIndexOf.
  CHECK(eval_json("indexof([\"one\", 2, 3, \"four\"], \"one\")") == 0);
  CHECK(eval_json("indexof([\"one\", 2, 3, \"four\"], \"four\")") == 3);
  CHECK(eval_error("indexof([\"one\", 2, 3, \"four\"], \"3\")").find("item not found") !=
        std::string::npos);
  CHECK(eval_error("indexof([], 1)").find("cannot search an empty list") != std::string::npos);
}

TEST_CASE("semvercmp checks versions against constraints", "[bakefile][hcl][functions]") {
  CHECK(eval_json("semvercmp(\"1.2.3\", \">= 1.0.0\")") == true);
  CHECK(eval_json("semvercmp(\"0.9.0\", \">= 1.0.0\")") == false);
  CHECK(eval_json("semvercmp(\"v1.4.0\", \"~1.4\")") == true);
  CHECK(eval_json("semvercmp(\"1.5.0\", \"~1.4\")") == false);
  CHECK(eval_json("semvercmp(\"1.9.0\", \"^1.2\")") == true);
  CHECK(eval_json("semvercmp(\"2.0.0\", \"^1.2\")") == false);
  CHECK(eval_json("semvercmp(\"1.2.9\", \"1.2.x\")") == true);
  CHECK(eval_json("semvercmp(\"1.3.0\", \">1.0, <1.3\")") == false);
  CHECK(eval_json("semvercmp(\"3.0.0\", \"<2.0 || >=3.0\")") == true);
  CHECK(eval_json("semvercmp(\"1.0.0-beta\", \">=1.0.0\")") == false);
  CHECK_FALSE(eval_error("semvercmp(\"abc\", \">=1.0\")").empty());
}

TEST_CASE("the library has every function buildx documents", "[bakefile][hcl][functions]") {
  // buildx docs/bake-stdlib.md; try, can and convert live in the evaluator.
  const char* names[] = {
      "absolute", "add", "and", "base64decode", "base64encode", "basename", "byteslen",
      "bytesslice", "ceil", "chomp", "chunklist", "coalesce", "coalescelist", "compact",
      "concat", "contains", "csvdecode", "dirname", "distinct", "divide", "element", "equal",
      "flatten", "floor", "format", "formatdate", "formatlist", "greaterthan",
      "greaterthanorequalto", "hasindex", "indent", "index", "indexof", "int", "join",
      "jsondecode", "jsonencode", "keys", "length", "lessthan", "lessthanorequalto", "log",
      "lookup", "lower", "max", "md5", "merge", "min", "modulo", "multiply", "negate", "not",
      "notequal", "or", "parseint", "pow", "range", "regex", "regex_replace", "regexall",
      "replace", "reverse", "reverselist", "sanitize", "sethaselement", "setintersection",
      "setproduct", "setsubtract", "setsymmetricdifference", "setunion", "sha1", "sha256",
      "sha512", "signum", "slice", "sort", "split", "strlen", "substr", "subtract", "timeadd",
      "timestamp", "title", "trim", "trimprefix", "trimspace", "trimsuffix", "unixtimestampparse",
      "upper", "urlencode", "uuidv4", "uuidv5", "values", "zipmap", "homedir", "semvercmp",
      "formattimestamp", "cidrhost", "cidrnetmask", "cidrsubnet", "cidrsubnets", "bcrypt",
      "rsadecrypt"};
  FunctionTable t = standard_functions();
  std::vector<std::string> missing;
  for (const char* n : names)
    if (!t.count(n))
      missing.push_back(n);
  CHECK(missing.empty());
  // 106 functions in buildx, minus try, can and convert (evaluator built-ins).
  CHECK(t.size() >= 103);
}

TEST_CASE("invalid UTF-8 in strings is replaced, not thrown, when encoding JSON",
          "[bakefile][hcl][functions]") {
  // Found by the fuzzer: nlohmann::json::dump throws on invalid UTF-8.
  CHECK(eval_str("jsonencode(\"a\xDE\xD3\")") == "\"a\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(eval_str("format(\"%q\", \"\xFF\")") == "\"\xEF\xBF\xBD\"");
}

TEST_CASE("cidr functions compute hosts, masks and subnets", "[bakefile][hcl][functions]") {
  // Documented examples of cidrhost, cidrnetmask, cidrsubnet and cidrsubnets.
  CHECK(eval_str("cidrhost(\"10.12.112.0/20\", 16)") == "10.12.112.16");
  CHECK(eval_str("cidrhost(\"10.12.112.0/20\", 268)") == "10.12.113.12");
  CHECK(eval_str("cidrhost(\"fd00:fd12:3456:7890:00a2::/72\", 34)") == "fd00:fd12:3456:7890::22");
  CHECK(eval_str("cidrhost(\"10.0.0.0/8\", -1)") == "10.255.255.255");
  CHECK_FALSE(eval_error("cidrhost(\"10.0.0.0/30\", 4)").empty());
  CHECK(eval_str("cidrnetmask(\"172.16.0.0/12\")") == "255.240.0.0");
  CHECK(eval_str("cidrsubnet(\"172.16.0.0/12\", 4, 2)") == "172.18.0.0/16");
  CHECK(eval_str("cidrsubnet(\"10.1.2.0/24\", 4, 15)") == "10.1.2.240/28");
  CHECK(eval_str("cidrsubnet(\"fd00:fd12:3456:7890::/56\", 16, 162)") ==
        "fd00:fd12:3456:7800:a200::/72");
  CHECK(eval_json("cidrsubnets(\"10.1.0.0/16\", 4, 4, 8, 4)") ==
        json({"10.1.0.0/20", "10.1.16.0/20", "10.1.32.0/24", "10.1.48.0/20"}));
  CHECK(eval_json("cidrsubnets(\"fd00:fd12:3456:7890::/56\", 16, 16, 16, 32)") ==
        json({"fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72",
              "fd00:fd12:3456:7800:200::/72", "fd00:fd12:3456:7800:300::/88"}));
  CHECK_FALSE(eval_error("cidrsubnet(\"10.0.0.0/30\", 4, 0)").empty());
  CHECK_FALSE(eval_error("cidrnetmask(\"not-an-ip\")").empty());
}
