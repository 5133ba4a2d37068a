// `RUN --mount=…` parsing with BuildKit's option matrix
// (instructions/commands_runmount.go), plus the Go duration and RAM-size
// syntaxes that mount and HEALTHCHECK flags use.

#include <cmath>
#include <filesystem>

#include "engine/dockerfile/instructions.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::dockerfile {
namespace {

// Splits a CSV record: commas separate fields, double quotes group them.
std::vector<std::string> csv_fields(std::string_view s) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '"') {
      if (quoted && i + 1 < s.size() && s[i + 1] == '"') {
        out.back() += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
    } else if (c == ',' && !quoted) {
      out.emplace_back();
    } else {
      out.back() += c;
    }
  }
  return out;
}

std::optional<bool> parse_bool(std::string_view v) {
  auto l = util::to_lower(v);
  if (l == "1" || l == "t" || l == "true")
    return true;
  if (l == "0" || l == "f" || l == "false")
    return false;
  return std::nullopt;
}

std::optional<uint32_t> parse_uint(std::string_view v, int base) {
  if (v.empty() || v.size() > 11)
    return std::nullopt;
  uint64_t n = 0;
  for (char c : v) {
    int d = c - '0';
    if (d < 0 || d >= base)
      return std::nullopt;
    n = n * base + d;
  }
  if (n > 0xffffffffULL)
    return std::nullopt;
  return static_cast<uint32_t>(n);
}

// docker/go-units RAMInBytes: "64m", "1.5GiB", "1024".
std::optional<uint64_t> parse_ram(std::string_view v) {
  size_t i = 0;
  while (i < v.size() && (std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '.'))
    ++i;
  if (i == 0)
    return std::nullopt;
  double n = std::strtod(std::string(v.substr(0, i)).c_str(), nullptr);
  std::string unit = util::to_lower(v.substr(i));
  if (!unit.empty() && unit.back() == 'b')
    unit.pop_back();
  if (!unit.empty() && unit.back() == 'i')
    unit.pop_back();
  static const std::string k_units = "kmgtp";
  double mult = 1;
  if (unit.size() > 1)
    return std::nullopt;
  if (unit.size() == 1) {
    auto pos = k_units.find(unit[0]);
    if (pos == std::string::npos)
      return std::nullopt;
    mult = std::pow(1024.0, static_cast<double>(pos + 1));
  }
  return static_cast<uint64_t>(n * mult);
}

std::string type_name(MountType t) {
  switch (t) {
  case MountType::bind: return "bind";
  case MountType::cache: return "cache";
  case MountType::tmpfs: return "tmpfs";
  case MountType::secret: return "secret";
  case MountType::ssh: return "ssh";
  }
  return "bind";
}

struct MountState {
  Mount m;
  bool ro_auto = true;
  bool sharing_set = false;
};

Result<void> apply_key(MountState& st, const std::string& key, const std::string& value,
                       const std::string& field) {
  Mount& m = st.m;
  auto bad = [&](const std::string& what) {
    return fail("invalid value for mount option " + key + "=" + value + ": " + what);
  };
  if (key == "type") {
    static const std::vector<std::string> k_types = {"bind", "cache", "tmpfs", "secret", "ssh"};
    auto t = util::to_lower(value);
    auto it = std::find(k_types.begin(), k_types.end(), t);
    if (it == k_types.end()) {
      std::string msg = "unsupported mount type \"" + value + "\"";
      if (auto near = util::closest_match(t, k_types); !near.empty())
        msg += " (did you mean " + near + "?)";
      return fail(msg);
    }
    m.type = static_cast<MountType>(it - k_types.begin());
  } else if (key == "from") {
    if (value.find('$') != std::string::npos)
      return fail("'from' doesn't support variable expansion, define alias stage instead");
    m.from = value;
  } else if (key == "source" || key == "src") {
    m.source = value;
  } else if (key == "target" || key == "dst" || key == "destination") {
    m.target = value;
  } else if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw") {
    auto b = parse_bool(value);
    if (!b)
      return bad("expected true or false");
    m.read_only = (key == "readonly" || key == "ro") ? *b : !*b;
    st.ro_auto = false;
  } else if (key == "required") {
    if (m.type != MountType::secret && m.type != MountType::ssh)
      return fail("unexpected key 'required' for mount type '" + type_name(m.type) + "'");
    auto b = parse_bool(value);
    if (!b)
      return bad("expected true or false");
    m.required = *b;
  } else if (key == "id") {
    m.id = value;
  } else if (key == "sharing") {
    if (m.type != MountType::cache)
      return fail("invalid cache sharing set for " + type_name(m.type) + " mount");
    auto s = util::to_lower(value);
    if (s == "shared")
      m.sharing = CacheSharing::shared;
    else if (s == "private")
      m.sharing = CacheSharing::private_;
    else if (s == "locked")
      m.sharing = CacheSharing::locked;
    else
      return fail("unsupported sharing value \"" + value + "\" (use shared, private or locked)");
    st.sharing_set = true;
  } else if (key == "size") {
    if (m.type != MountType::tmpfs)
      return fail("size is only supported for tmpfs mounts, not " + type_name(m.type));
    auto n = parse_ram(value);
    if (!n)
      return bad("expected a size such as 64m");
    m.size_bytes = *n;
  } else if (key == "mode" || key == "uid" || key == "gid") {
    auto n = parse_uint(value, key == "mode" ? 8 : 10);
    if (!n)
      return bad(key == "mode" ? "expected an octal mode such as 0644" : "expected a number");
    (key == "mode" ? m.mode : key == "uid" ? m.uid : m.gid) = *n;
  } else if (key == "env") {
    m.env = value;
  } else {
    return fail("unexpected key '" + key + "' in '" + field + "'");
  }
  return {};
}

Result<void> validate(MountState& st) {
  Mount& m = st.m;
  bool file_info = m.type == MountType::secret || m.type == MountType::ssh || m.type == MountType::cache;
  if (!file_info) {
    for (auto [name, v] : {std::pair{"mode", m.mode}, {"uid", m.uid}, {"gid", m.gid}})
      if (v)
        return fail(std::string(name) + " not allowed for \"" + type_name(m.type) + "\" type mounts");
  }
  if (st.ro_auto)
    m.read_only = !(m.type == MountType::cache || m.type == MountType::tmpfs);
  if (m.type == MountType::secret) {
    if (!m.from.empty())
      return fail("secret mount should not have a from");
    if (m.source.empty() && m.target.empty() && m.id.empty() && m.env.empty())
      return fail("invalid secret mount: set id=, target= or env=");
    if (!m.source.empty() && !m.id.empty())
      return fail("both source and id can't be set on a secret mount");
    if (m.id.empty())
      m.id = !m.source.empty() ? m.source : std::filesystem::path(m.target).filename().string();
    if (m.id.empty())
      m.id = m.env;
    if (m.target.empty() && m.env.empty())
      m.target = "/run/secrets/" + m.id;
  } else if (m.type == MountType::ssh) {
    if (m.id.empty())
      m.id = "default";
  } else if (m.target.empty()) {
    return fail("mount type " + type_name(m.type) + " needs a target: add target=/path");
  }
  if (m.type == MountType::cache && m.id.empty())
    m.id = m.target;
  return {};
}

} // namespace

Result<Mount> parse_mount(std::string_view value) {
  MountState st;
  for (const auto& field : csv_fields(value)) {
    auto eq = field.find('=');
    std::string key = util::to_lower(field.substr(0, eq));
    if (eq == std::string::npos) {
      if (key == "readonly" || key == "ro" || key == "readwrite" || key == "rw" || key == "required") {
        TRY_VOID(apply_key(st, key, "true", field));
        continue;
      }
      if (key.empty())
        continue;
      return fail("unexpected key '" + key + "' in '" + field + "' (write " + key + "=VALUE)");
    }
    TRY_VOID(apply_key(st, key, field.substr(eq + 1), field));
  }
  TRY_VOID(validate(st));
  return st.m;
}

std::optional<int64_t> parse_duration_ns(std::string_view s) {
  if (s == "0")
    return 0;
  if (s.empty())
    return std::nullopt;
  double total_ns = 0;
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
      ++i;
    if (i == start)
      return std::nullopt;
    double n = std::strtod(std::string(s.substr(start, i - start)).c_str(), nullptr);
    size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.')
      ++i;
    auto unit = s.substr(ustart, i - ustart);
    double mult = unit == "ns" ? 1 : (unit == "us" || unit == "µs") ? 1e3 : unit == "ms" ? 1e6
                : unit == "s" ? 1e9 : unit == "m" ? 60e9 : unit == "h" ? 3600e9 : -1;
    if (mult < 0)
      return std::nullopt;
    total_ns += n * mult;
  }
  return static_cast<int64_t>(total_ns);
}

} // namespace xbuild::engine::dockerfile
