// --chmod parsing. Symbolic modes follow chmod(1): comma-separated clauses of
// who letters (u, g, o, a; none means all), an operator (+, -, =) and
// permission letters (r, w, x, X, s, t). `X` adds execute only for
// directories and files that already have an execute bit.

#include "engine/dockerfile/chmod.hpp"

#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

const char* k_help = " (use an octal mode such as 0755 or a symbolic one such as u=rwX,go=rX)";

Result<ChmodSpec::Clause> parse_clause(std::string_view c, std::string_view whole) {
  ChmodSpec::Clause cl;
  size_t i = 0;
  uint32_t who = 0;
  for (; i < c.size() && std::string_view("ugoa").find(c[i]) != std::string_view::npos; ++i)
    who |= c[i] == 'u' ? 04700u : c[i] == 'g' ? 02070u : c[i] == 'o' ? 01007u : 07777u;
  cl.who = who ? who : 07777u;
  if (i >= c.size() || std::string_view("+-=").find(c[i]) == std::string_view::npos)
    return fail("invalid chmod mode \"" + std::string(whole) + "\": expected +, - or = after \"" +
                std::string(c.substr(0, i)) + "\"" + k_help);
  cl.op = c[i++];
  for (; i < c.size(); ++i) {
    switch (c[i]) {
    case 'r': cl.perms |= 0444; break;
    case 'w': cl.perms |= 0222; break;
    case 'x': cl.perms |= 0111; break;
    case 'X': cl.cond_exec = true; break;
    case 's': cl.perms |= 06000; break;
    case 't': cl.perms |= 01000; break;
    default:
      return fail("invalid chmod mode \"" + std::string(whole) + "\": unknown permission '" +
                  std::string(1, c[i]) + "'" + k_help);
    }
  }
  return cl;
}

} // namespace

Result<ChmodSpec> parse_chmod(std::string_view spec) {
  ChmodSpec out;
  if (spec.empty())
    return fail(std::string("empty chmod mode") + k_help);
  if (spec.find_first_not_of("01234567") == std::string_view::npos) {
    if (spec.size() > 4)
      return fail("invalid chmod mode \"" + std::string(spec) + "\": at most 4 octal digits" + k_help);
    out.octal = static_cast<uint32_t>(std::stoul(std::string(spec), nullptr, 8));
    return out;
  }
  for (const auto& c : util::split(spec, ','))
    out.clauses.push_back(TRY(parse_clause(c, spec)));
  return out;
}

uint32_t apply_chmod(const ChmodSpec& spec, uint32_t mode, bool is_dir) {
  if (spec.octal)
    return *spec.octal;
  mode &= 07777;
  for (const auto& c : spec.clauses) {
    uint32_t perms = c.perms;
    if (c.cond_exec && (is_dir || (mode & 0111)))
      perms |= 0111;
    perms &= c.who;
    if (c.op == '+')
      mode |= perms;
    else if (c.op == '-')
      mode &= ~perms;
    else
      mode = (mode & ~(c.who & 07777)) | perms;
  }
  return mode;
}

} // namespace xbuild::engine::dockerfile
