// Functions buildx adds to cty's stdlib (bake/hclparser/stdlib.go):
// basename/dirname (Go's path package: slash-separated, lexical), sanitize,
// indexof, homedir and semvercmp. The time ones are in functions_time.cpp.
//
// semvercmp(version, constraint) checks a version against a constraint in
// the syntax of Masterminds/semver, which buildx uses: comparisons
// (= != > < >= <=), tilde and caret ranges, x/* wildcards, hyphen ranges,
// comma or space for AND and || for OR. A pre-release version only
// satisfies a comparison whose own version is a pre-release, as there.

#include <algorithm>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

// Go's path.Clean.
std::string base_name(std::string p) {
  if (p.empty())
    return ".";
  while (p.size() > 1 && p.back() == '/')
    p.pop_back();
  if (p == "/")
    return "/";
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string dir_name(const std::string& p) {
  size_t slash = p.rfind('/');
  return util::clean_path(slash == std::string::npos ? "" : p.substr(0, slash + 1));
}

struct Version {
  int64_t part[3] = {0, 0, 0};
  int given = 0; // parts written, wildcards excluded
  std::string pre;
};

std::optional<Version> parse_version(std::string s) {
  s = std::string(util::trim(s));
  if (!s.empty() && (s[0] == 'v' || s[0] == 'V'))
    s.erase(0, 1);
  if (size_t plus = s.find('+'); plus != std::string::npos)
    s.erase(plus);
  Version v;
  if (size_t dash = s.find('-'); dash != std::string::npos) {
    v.pre = s.substr(dash + 1);
    s.erase(dash);
  }
  auto parts = util::split(s, '.');
  if (parts.empty() || parts.size() > 3 || s.empty())
    return std::nullopt;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string& p = parts[i];
    if (p == "x" || p == "X" || p == "*")
      break;
    if (p.empty() || p.find_first_not_of("0123456789") != std::string::npos || p.size() > 18)
      return std::nullopt;
    v.part[i] = std::stoll(p);
    v.given = static_cast<int>(i + 1);
  }
  return v;
}

// Pre-release ordering of semver 2.0: numeric identifiers compare as
// numbers, a version without a pre-release is greater.
int compare_pre(const std::string& a, const std::string& b) {
  if (a == b)
    return 0;
  if (a.empty())
    return 1;
  if (b.empty())
    return -1;
  auto pa = util::split(a, '.'), pb = util::split(b, '.');
  for (size_t i = 0; i < std::min(pa.size(), pb.size()); ++i) {
    bool na = pa[i].find_first_not_of("0123456789") == std::string::npos;
    bool nb = pb[i].find_first_not_of("0123456789") == std::string::npos;
    if (na && nb && pa[i] != pb[i])
      return std::stoll(pa[i]) < std::stoll(pb[i]) ? -1 : 1;
    if (na != nb)
      return na ? -1 : 1;
    if (pa[i] != pb[i])
      return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.size() < pb.size() ? -1 : pa.size() > pb.size() ? 1 : 0;
}

int compare(const Version& a, const Version& b) {
  for (int i = 0; i < 3; ++i)
    if (a.part[i] != b.part[i])
      return a.part[i] < b.part[i] ? -1 : 1;
  return compare_pre(a.pre, b.pre);
}

// [low, high) bounds a constraint version with wildcards stands for.
Version bump(Version v, int at) {
  Version out;
  for (int i = 0; i < at; ++i)
    out.part[i] = v.part[i];
  out.part[at] = v.part[at] + 1;
  out.pre = "0"; // below every release of that version
  return out;
}

bool check_one(const std::string& op, const Version& c, const Version& v) {
  if (!v.pre.empty() && c.pre.empty())
    return false;
  Version low = c;
  int cmp = compare(v, low);
  if (op == "~" || op == "~>") {
    Version high = bump(c, c.given >= 2 ? 1 : 0);
    return cmp >= 0 && compare(v, high) < 0;
  }
  if (op == "^") {
    int at = c.part[0] > 0 || c.given == 1 ? 0 : c.part[1] > 0 || c.given == 2 ? 1 : 2;
    return cmp >= 0 && compare(v, bump(c, at)) < 0;
  }
  bool wildcard = c.given < 3;
  Version high = wildcard && c.given > 0 ? bump(c, c.given - 1) : c;
  bool in_range = c.given == 0 || (wildcard ? cmp >= 0 && compare(v, high) < 0 : cmp == 0);
  if (op.empty() || op == "=")
    return in_range;
  if (op == "!=")
    return !in_range;
  if (op == ">")
    return wildcard ? c.given > 0 && compare(v, high) >= 0 : cmp > 0;
  if (op == ">=" || op == "=>")
    return cmp >= 0;
  if (op == "<")
    return cmp < 0;
  if (op == "<=" || op == "=<")
    return wildcard ? c.given == 0 || compare(v, high) < 0 : cmp <= 0;
  return false;
}

Result<bool> check_group(std::string group, const Version& v) {
  // "1.2 - 1.4" is ">= 1.2, <= 1.4".
  if (size_t dash = group.find(" - "); dash != std::string::npos)
    group = ">=" + group.substr(0, dash) + "," + "<=" + group.substr(dash + 3);
  for (char& ch : group)
    if (ch == ',')
      ch = ' ';
  std::vector<std::string> tokens;
  for (const std::string& t : util::split(group, ' '))
    if (!t.empty())
      tokens.push_back(t);
  for (size_t i = 0; i < tokens.size(); ++i) {
    std::string tok = tokens[i];
    size_t op_len = tok.find_first_not_of("<>=!~^");
    std::string op = tok.substr(0, op_len == std::string::npos ? tok.size() : op_len);
    std::string ver = op_len == std::string::npos ? "" : tok.substr(op_len);
    if (ver.empty() && i + 1 < tokens.size())
      ver = tokens[++i]; // ">= 1.2" written with a space
    auto c = parse_version(ver);
    if (!c)
      return fail("improper constraint: " + tok);
    if (!check_one(op, *c, v))
      return false;
  }
  return true;
}

Result<bool> semver_check(const std::string& version, const std::string& constraint) {
  auto v = parse_version(version);
  if (!v || v->given < 1)
    return fail("invalid semantic version");
  size_t start = 0;
  while (true) {
    size_t bar = constraint.find("||", start);
    std::string group = constraint.substr(start, bar == std::string::npos ? std::string::npos : bar - start);
    if (TRY(check_group(group, *v)))
      return true;
    if (bar == std::string::npos)
      return false;
    start = bar + 2;
  }
}

} // namespace

void add_buildx_functions(FunctionTable& t) {
  args::add(t, "basename", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(base_name(TRY(args::str(a, 0, "path"))));
  });
  args::add(t, "dirname", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(dir_name(TRY(args::str(a, 0, "path"))));
  });
  args::add(t, "sanitize", 1, 1, [](const Args& a) -> Result<Value> {
    std::string out;
    for (char c : TRY(args::str(a, 0, "name"))) {
      bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
      // One underscore per code point, as Go ranges over runes.
      if (ok)
        out += c;
      else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80)
        out += '_';
    }
    return Value::string(out);
  });
  args::add(t, "indexof", 2, 2, [](const Args& a) -> Result<Value> {
    if (!a[0].is_list())
      return fail("argument must be a list or tuple");
    const Value::List& l = a[0].as_list();
    if (l.empty())
      return fail("cannot search an empty list");
    for (size_t i = 0; i < l.size(); ++i)
      if (l[i] == a[1])
        return Value::number(static_cast<int64_t>(i));
    return fail("item not found");
  });
  args::add(t, "homedir", 0, 0, [](const Args&) -> Result<Value> {
    return Value::string(util::home_dir());
  });
  args::add(t, "semvercmp", 2, 2, [](const Args& a) -> Result<Value> {
    return Value::boolean(TRY(semver_check(TRY(args::str(a, 0, "version")),
                                           TRY(args::str(a, 1, "constraint")))));
  });
}

FunctionTable standard_functions() {
  FunctionTable t;
  add_string_functions(t);
  add_collection_functions(t);
  add_number_functions(t);
  add_encoding_functions(t);
  add_time_functions(t);
  add_network_functions(t);
  add_crypto_functions(t);
  add_buildx_functions(t);
  return t;
}

} // namespace xbuild::bakefile::hcl
