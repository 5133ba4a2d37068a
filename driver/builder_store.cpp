#include "driver/builder_store.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "util/fs.hpp"
#include "util/http.hpp" // base64
#include "util/sha256.hpp"
#include "util/strings.hpp"
#include "util/time.hpp"

namespace xbuild::driver {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// An exclusive flock on <root>/.lock for the lifetime of the object, so two
// `create`/`use`/`rm` running at once never lose each other's writes.
class StoreLock {
public:
  static Result<StoreLock> take(const fs::path& root) {
    std::error_code ec;
    fs::create_directories(root, ec);
    int fd = ::open((root / ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
      return fail("cannot open the builder store lock " + (root / ".lock").string() + ": " +
                  std::strerror(errno));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        int err = errno;
        ::close(fd);
        return fail("cannot lock the builder store: " + std::string(std::strerror(err)));
      }
    }
    return StoreLock(fd);
  }
  StoreLock(StoreLock&& o) noexcept : m_fd(o.m_fd) { o.m_fd = -1; }
  StoreLock(const StoreLock&) = delete;
  ~StoreLock() {
    if (m_fd >= 0)
      ::close(m_fd);
  }

private:
  explicit StoreLock(int fd) : m_fd(fd) {}
  int m_fd;
};

// buildx keys defaults/ by the first 20 hex chars of sha256(endpoint key).
std::string key_hash(const std::string& key) { return util::sha256_hex(key).substr(0, 20); }

Result<void> remove_file(const fs::path& p) {
  std::error_code ec;
  fs::remove(p, ec);
  if (ec)
    return fail("cannot remove " + p.string() + ": " + ec.message());
  return {};
}

} // namespace

Result<std::string> validate_builder_name(std::string_view name) {
  bool ok = !name.empty() && std::isalpha(static_cast<unsigned char>(name[0]));
  for (char c : name)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_');
  if (!ok)
    return fail("invalid name " + std::string(name) +
                ", name needs to start with a letter and may not contain symbols, except ._-");
  return util::to_lower(name);
}

fs::path BuilderStore::default_root(const fs::path& docker_config_dir) {
  if (const char* env = std::getenv("XBUILD_CONFIG"); env && *env)
    return env;
  return docker_config_dir / "xbuild";
}

std::string node_group_to_json(const NodeGroup& group) {
  json nodes = json::array();
  for (const Node& n : group.nodes) {
    json platforms = json::array();
    for (const auto& p : n.platforms) {
      json pj = {{"architecture", p.architecture}, {"os", p.os}};
      if (!p.variant.empty())
        pj["variant"] = p.variant;
      platforms.push_back(pj);
    }
    json files = json::object();
    for (const auto& [name, content] : n.files)
      files[name] = util::base64_encode(content);
    nodes.push_back({{"Name", n.name},
                     {"Endpoint", n.endpoint},
                     {"Platforms", platforms.empty() ? json(nullptr) : platforms},
                     {"DriverOpts", n.driver_opts.empty() ? json(nullptr) : json(n.driver_opts)},
                     {"Flags", n.flags.empty() ? json(nullptr) : json(n.flags)},
                     {"Files", files.empty() ? json(nullptr) : files}});
  }
  json j = {{"Name", group.name}, {"Driver", group.driver}, {"Nodes", nodes},
            {"Dynamic", group.dynamic}};
  return j.dump();
}

Result<NodeGroup> node_group_from_json(const std::string& text, const std::string& where) {
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(where + ": not a valid builder instance file (invalid JSON); remove it with "
                        "`docker xbuild rm` or delete the file");
  NodeGroup g;
  try {
    g.name = j.value("Name", "");
    g.driver = j.value("Driver", "");
    g.dynamic = j.value("Dynamic", false);
    if (j.contains("Nodes") && j["Nodes"].is_array()) {
      for (const auto& nj : j["Nodes"]) {
        Node n;
        n.name = nj.value("Name", "");
        n.endpoint = nj.value("Endpoint", "");
        if (nj.contains("Platforms") && nj["Platforms"].is_array())
          for (const auto& pj : nj["Platforms"])
            n.platforms.push_back(oci::Platform{pj.value("os", ""), pj.value("architecture", ""),
                                                pj.value("variant", ""), "", {}, {}});
        if (nj.contains("DriverOpts") && nj["DriverOpts"].is_object())
          n.driver_opts = nj["DriverOpts"].get<std::map<std::string, std::string>>();
        if (nj.contains("Flags") && nj["Flags"].is_array())
          n.flags = nj["Flags"].get<std::vector<std::string>>();
        if (nj.contains("Files") && nj["Files"].is_object())
          for (auto it = nj["Files"].begin(); it != nj["Files"].end(); ++it)
            n.files[it.key()] = util::base64_decode(it.value().get<std::string>()).value_or("");
        g.nodes.push_back(std::move(n));
      }
    }
  } catch (const json::exception& e) {
    return fail(where + ": unexpected field type in builder instance file: " + e.what());
  }
  if (g.name.empty())
    return fail(where + ": builder instance file has no Name");
  return g;
}

Result<std::vector<NodeGroup>> BuilderStore::list() const {
  std::vector<NodeGroup> out;
  std::error_code ec;
  auto dir = m_root / "instances";
  if (!fs::exists(dir, ec))
    return out;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_regular_file() && e.path().filename().string().find(".tmp-") == std::string::npos)
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    auto text = TRY(util::read_file(f));
    out.push_back(TRY(node_group_from_json(text, f.string())));
  }
  return out;
}

Result<std::optional<NodeGroup>> BuilderStore::get(const std::string& name) const {
  auto path = m_root / "instances" / util::to_lower(name);
  std::error_code ec;
  if (!fs::exists(path, ec))
    return std::optional<NodeGroup>();
  auto text = TRY(util::read_file(path));
  return std::optional<NodeGroup>(TRY(node_group_from_json(text, path.string())));
}

Result<void> BuilderStore::save(const NodeGroup& group) {
  auto lock = TRY(StoreLock::take(m_root));
  return util::write_file_atomic(m_root / "instances" / group.name, node_group_to_json(group),
                                 0600);
}

Result<void> BuilderStore::remove(const std::string& name) {
  auto lock = TRY(StoreLock::take(m_root));
  TRY_VOID(remove_file(m_root / "instances" / name));
  TRY_VOID(remove_file(m_root / "activity" / name));
  std::error_code ec;
  if (fs::exists(m_root / "current", ec)) {
    auto text = TRY(util::read_file(m_root / "current"));
    auto j = json::parse(text, nullptr, false);
    if (!j.is_discarded() && j.value("Name", "") == name)
      TRY_VOID(remove_file(m_root / "current"));
  }
  for (const auto& e : fs::directory_iterator(m_root / "defaults", ec)) {
    auto text = util::read_file(e.path());
    if (text && util::trim(*text) == name)
      TRY_VOID(remove_file(e.path()));
  }
  return {};
}

Result<std::optional<CurrentBuilder>> BuilderStore::current() const {
  auto path = m_root / "current";
  std::error_code ec;
  if (!fs::exists(path, ec))
    return std::optional<CurrentBuilder>();
  auto text = TRY(util::read_file(path));
  auto j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(path.string() + ": invalid JSON; select a builder again with `docker xbuild use`");
  return std::optional<CurrentBuilder>(
      CurrentBuilder{j.value("Key", ""), j.value("Name", ""), j.value("Global", false)});
}

Result<void> BuilderStore::set_current(const std::string& key, const std::string& name,
                                       bool global, bool is_default) {
  auto lock = TRY(StoreLock::take(m_root));
  json j = {{"Key", key}, {"Name", name}, {"Global", global}};
  TRY_VOID(util::write_file_atomic(m_root / "current", j.dump(), 0600));
  if (is_default)
    TRY_VOID(util::write_file_atomic(m_root / "defaults" / key_hash(key), name, 0600));
  return {};
}

Result<std::optional<std::string>> BuilderStore::default_for(const std::string& key) const {
  auto path = m_root / "defaults" / key_hash(key);
  std::error_code ec;
  if (!fs::exists(path, ec))
    return std::optional<std::string>();
  auto text = TRY(util::read_file(path));
  return std::optional<std::string>(std::string(util::trim(text)));
}

Result<void> BuilderStore::touch_activity(const std::string& name) {
  return util::write_file_atomic(m_root / "activity" / name, util::format_rfc3339(std::chrono::system_clock::now()), 0600);
}

std::optional<std::string> BuilderStore::last_activity(const std::string& name) const {
  auto text = util::read_file(m_root / "activity" / name);
  if (!text)
    return std::nullopt;
  return std::string(util::trim(*text));
}

} // namespace xbuild::driver
