#include "engine/build/ops.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/build/copy_reuse.hpp"
#include "engine/build/file_copy.hpp"
#include "engine/exec/user.hpp"
#include "engine/snapshot/fs_ops.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::build {
namespace {

using nlohmann::ordered_json;

const util::CancelSource& cancel_of(const solver::RunContext& ctx) {
  static const util::CancelSource k_never;
  return ctx.cancel_source() ? *ctx.cancel_source() : k_never;
}

// A scratch directory under the state root: same filesystem as the
// snapshots, so staging a layer can hard-link instead of copying.
class ScratchDir {
public:
  static Result<ScratchDir> make(const std::filesystem::path& state_root) {
    auto base = state_root / "tmp";
    std::error_code ec;
    std::filesystem::create_directories(base, ec);
    std::string tmpl = (base / "step-XXXXXX").string();
    if (!::mkdtemp(tmpl.data()))
      return fail("cannot create a scratch directory in " + base.string());
    return ScratchDir(tmpl);
  }
  ScratchDir(ScratchDir&& o) noexcept : m_path(std::move(o.m_path)) { o.m_path.clear(); }
  ~ScratchDir() {
    if (!m_path.empty())
      (void)snapshot::remove_tree(m_path);
  }
  const std::filesystem::path& path() const { return m_path; }

private:
  explicit ScratchDir(std::filesystem::path p) : m_path(std::move(p)) {}
  std::filesystem::path m_path;
};

// Octal or symbolic (`u+x,g-r`), as the Dockerfile front end accepts.
Result<std::optional<dockerfile::ChmodSpec>> parse_chmod(const std::string& chmod) {
  if (chmod.empty())
    return std::optional<dockerfile::ChmodSpec>();
  return std::optional<dockerfile::ChmodSpec>(TRY(dockerfile::parse_chmod(chmod)));
}

// A secret as the RUN sees it: a private copy with the mount's mode and
// owner (BuildKit: 0400, root), kept in memory (/dev/shm) and removed after
// the step, so the host file's own mode never leaks into the sandbox.
class SecretFile {
public:
  static Result<SecretFile> make(const std::string& src, const dockerfile::Mount& m) {
    auto content = TRY(util::read_file(src));
    std::string tmpl = "/dev/shm/xbuild-secret-XXXXXX";
    int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
      return fail("cannot create a private copy of secret " + m.id + " in /dev/shm: " +
                  std::string(std::strerror(errno)));
    SecretFile f(tmpl);
    bool ok = ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
    ok = ok && ::fchown(fd, m.uid.value_or(0), m.gid.value_or(0)) == 0;
    ok = ok && ::fchmod(fd, m.mode.value_or(0400)) == 0;
    ::close(fd);
    if (!ok)
      return fail("cannot prepare secret " + m.id + ": " + std::string(std::strerror(errno)));
    return f;
  }
  SecretFile(SecretFile&& o) noexcept : m_path(std::move(o.m_path)) { o.m_path.clear(); }
  ~SecretFile() {
    if (!m_path.empty())
      ::unlink(m_path.c_str());
  }
  const std::string& path() const { return m_path; }

private:
  explicit SecretFile(std::string p) : m_path(std::move(p)) {}
  std::string m_path;
};

bool looks_like_archive(const std::string& name) {
  for (const char* ext : {".tar", ".tar.gz", ".tgz", ".tar.zst", ".tar.bz2", ".tar.xz", ".txz"})
    if (name.ends_with(ext))
      return true;
  return false;
}

bool is_empty_dir(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::is_empty(p, ec) && !ec;
}

// Copies planned COPY items into `active`. On overlay, when nothing they
// write exists yet in the view (a COPY into a new or empty directory, the
// usual case), they are written straight into the upper directory with the
// mount detached: creating a file through overlayfs costs about three times
// a plain directory's, which dominates a COPY of a large context.
Result<void> copy_planned(snapshot::Snapshotter& snaps, snapshot::Active& active,
                          std::vector<CopyItem> items, CopyOptions opts, CopyReuse* reuse) {
  bool direct = snaps.backend() == snapshot::Backend::overlay && !items.empty();
  for (const auto& item : items) {
    struct stat st {};
    if (::lstat(item.dst.c_str(), &st) != 0)
      direct = direct && errno == ENOENT;
    else
      direct = direct && item.src_is_dir && S_ISDIR(st.st_mode) && is_empty_dir(item.dst);
  }
  if (!direct)
    return copy_items(items, opts);
  // The directories written into must be in the upper dir with their
  // metadata, as overlay would have copied them up.
  for (auto& item : items) {
    struct stat st {};
    bool exists = ::lstat(item.dst.c_str(), &st) == 0;
    TRY_VOID(snaps.copy_up_dir(active, exists ? item.dst : item.dst.parent_path()));
    item.dst = snaps.changes_root(active) / item.dst.lexically_relative(active.root());
  }
  TRY_VOID(snaps.detach(active));
  if (reuse) {
    reuse->set_dest_root(snaps.changes_root(active));
    opts.reuse = reuse;
  }
  return copy_items(items, opts);
}

} // namespace

Result<std::string> commit_layer(const OpEnv& env, snapshot::Active&& active,
                                 const std::string& parent) {
  auto& snaps = env.state->snapshots();
  auto changes = TRY(snaps.diff(active));
  if (changes.empty())
    return parent; // `active` is discarded when it goes out of scope
  oci::LayerWriteOptions opts = env.layer_options;
  opts.whiteouts = snapshot::deleted_paths(changes);
  opts.opaque_dirs = snapshot::opaque_dirs(changes);
  // An overlay upper dir holds exactly the changed entries (and the
  // directories above them), so the layer is written from it directly; a
  // copy snapshot is a whole tree, so its changes are staged first.
  std::optional<ScratchDir> scratch;
  std::filesystem::path tree = snaps.changes_root(active);
  if (snaps.backend() == snapshot::Backend::overlay) {
    opts.overlay_upper = true;
  } else {
    scratch.emplace(TRY(ScratchDir::make(env.state->root())));
    tree = scratch->path() / "tree";
    std::filesystem::create_directories(tree);
    TRY_VOID(snapshot::stage_changes(changes, snaps.changes_root(active), tree));
  }
  auto stored = TRY(oci::store_layer(env.state->content(), tree, opts));
  std::string name = chain_id(parent, stored.info.diff_id);
  TRY(snaps.commit(std::move(active), name));
  TRY_VOID(env.state->put_layer(
      {name, parent, stored.descriptor, stored.info.diff_id, stored.info.uncompressed_size, false}));
  return name;
}

// LayerOp: layer_op.cpp

// ---- ExecOp ----

std::string ExecOp::definition() const {
  ordered_json mounts = ordered_json::array();
  for (const auto& m : m_def.mounts) {
    // Secret and ssh mounts never feed the key (BuildKit); cache ids do.
    mounts.push_back({{"type", static_cast<int>(m.spec.type)},
                      {"target", m.spec.target},
                      {"source", m.spec.type == dockerfile::MountType::secret ? "" : m.spec.source},
                      {"id", m.spec.type == dockerfile::MountType::cache ? m.spec.id : ""},
                      {"readonly", m.spec.read_only},
                      {"input", m.input}});
  }
  ordered_json j = {{"exec", m_def.argv}, {"env", m_def.env},   {"cwd", m_def.cwd},
                    {"user", m_def.user}, {"network", m_def.network},
                    {"platform", m_def.platform}, {"mounts", mounts}};
  return j.dump();
}

std::string StepOp::identity() const {
  return definition() + "\ncontext:" + m_env->context_dir.string();
}

// A RUN also differs by the secrets it may mount (never in the cache key).
std::string ExecOp::identity() const {
  std::string id = StepOp::identity();
  for (const auto& [k, v] : m_env->secret_files)
    id += "\nsecret:" + k + "=" + v;
  return id;
}

Result<std::string> ExecOp::content_key(const std::vector<solver::Ref>&,
                                        const solver::RunContext&) const {
  std::string key;
  for (const auto& m : m_def.mounts)
    if (m.spec.type == dockerfile::MountType::bind && m.input < 0) {
      auto src = m.spec.source.empty() ? std::string(".") : m.spec.source;
      auto paths = TRY(match_sources(m_env->context_dir, src, m_env->ignore.get()));
      key += TRY(content_digest(m_env->context_dir, paths, m_env->ignore.get()));
    }
  return key;
}

Result<solver::Ref> ExecOp::run(const std::vector<solver::Ref>& inputs,
                                const solver::RunContext& ctx) const {
  std::string parent = inputs.at(0).id;
  auto& snaps = m_env->state->snapshots();
  auto active = TRY(snaps.prepare(parent));
  exec::ExecSpec spec;
  spec.rootfs = active.root();
  spec.argv = m_def.argv;
  spec.env = m_def.env;
  spec.env.insert(spec.env.end(), m_def.proxy_env.begin(), m_def.proxy_env.end());
  spec.cwd = m_def.cwd;
  spec.user = m_def.user;
  spec.network = m_def.network == "none" ? exec::NetworkMode::none : exec::NetworkMode::host;
  std::vector<snapshot::Active> views; // stage mounts stay mounted during the run
  std::vector<ScratchDir> scratch;     // rw context binds: private copies, discarded after
  std::vector<SecretFile> secrets;     // secret files with the mount's mode and owner
  for (const auto& m : m_def.mounts) {
    exec::Mount em;
    em.target = m.spec.target;
    em.access = m.spec.read_only ? exec::Access::read_only : exec::Access::read_write;
    switch (m.spec.type) {
    case dockerfile::MountType::bind: {
      std::filesystem::path root = m_env->context_dir;
      if (m.input >= 0) {
        views.push_back(TRY(snaps.view(inputs.at(static_cast<size_t>(m.input)).id)));
        root = views.back().root();
      }
      em.source = TRY(resolve_in_root(root, m.spec.source, true));
      if (m.input < 0 && !m.spec.read_only) {
        // BuildKit: writes to an rw bind are discarded. Stage views are
        // already throwaway; the build context must never be written, so
        // the RUN gets a copy of it.
        scratch.push_back(TRY(ScratchDir::make(m_env->state->root())));
        auto src = m.spec.source.empty() ? std::string(".") : m.spec.source;
        CopyOptions copy;
        copy.ignore = m_env->ignore.get();
        TRY_VOID(copy_sources(root, {src}, scratch.back().path(), "/", copy));
        if (!std::filesystem::is_directory(em.source))
          em.source = scratch.back().path() / em.source.filename();
        else
          em.source = scratch.back().path();
      }
      break;
    }
    case dockerfile::MountType::cache: {
      em.source = m_env->state->cache_mount_dir(m.spec.id);
      std::error_code ec;
      if (!std::filesystem::exists(em.source, ec)) {
        std::filesystem::create_directories(em.source, ec);
        ::chmod(em.source.c_str(), m.spec.mode.value_or(0755));
        [[maybe_unused]] int rc = ::chown(em.source.c_str(), m.spec.uid.value_or(0), m.spec.gid.value_or(0));
      }
      em.access = exec::Access::read_write;
      break;
    }
    case dockerfile::MountType::tmpfs:
      em.type = exec::MountType::tmpfs;
      em.tmpfs_size = m.spec.size_bytes;
      break;
    case dockerfile::MountType::secret: {
      auto it = m_env->secret_files.find(m.spec.id);
      if (it == m_env->secret_files.end()) {
        if (m.spec.required)
          return fail("secret " + m.spec.id + " not found: pass it with --secret id=" + m.spec.id +
                      ",src=<file>");
        continue;
      }
      if (!m.spec.env.empty()) {
        auto value = TRY(util::read_file(it->second));
        spec.env.push_back(m.spec.env + "=" + value);
      }
      if (m.spec.target.empty() && !m.spec.env.empty())
        continue;
      secrets.push_back(TRY(SecretFile::make(it->second, m.spec)));
      em.source = secrets.back().path();
      em.access = exec::Access::read_only;
      break;
    }
    case dockerfile::MountType::ssh:
      return fail("RUN --mount=type=ssh is not supported yet by the embedded engine");
    }
    spec.mounts.push_back(std::move(em));
  }
  auto sink = [&ctx](exec::Stream s, std::string_view line) {
    ctx.log(s == exec::Stream::out ? 1 : 2, std::string(line) + "\n");
  };
  TRY_VOID(exec::run(spec, sink, cancel_of(ctx)));
  views.clear();
  return solver::Ref{TRY(commit_layer(*m_env, std::move(active), parent))};
}

// ---- CopyOp ----

std::string CopyOp::definition() const {
  ordered_json inline_files = ordered_json::object();
  for (const auto& [k, v] : m_def.inline_files)
    inline_files[k] = v;
  ordered_json j = {{"copy", m_def.sources},         {"dest", m_def.dest},
                    {"fromInput", m_def.from_input}, {"chown", m_def.chown},
                    {"chmod", m_def.chmod},          {"unpack", m_def.unpack_archives},
                    {"platform", m_def.platform},    {"inline", inline_files},
                    {"exclude", m_def.excludes}};
  return j.dump();
}

Result<std::string> CopyOp::content_key(const std::vector<solver::Ref>&,
                                        const solver::RunContext&) const {
  if (m_def.from_input)
    return std::string(); // the source stage's cache key covers it
  std::vector<std::string> paths;
  for (const auto& s : m_def.sources) {
    if (m_def.inline_files.count(s))
      continue;
    for (auto& p : TRY(match_sources(m_env->context_dir, s, m_env->ignore.get())))
      paths.push_back(p);
  }
  // Excluded files are not copied, so changing one must not invalidate the step.
  std::optional<dockerfile::IgnoreMatcher> exclude;
  if (!m_def.excludes.empty())
    exclude.emplace(TRY(dockerfile::IgnoreMatcher::compile(m_def.excludes)));
  auto& digests = m_env->state->context_digests();
  TRY_VOID(digests.load(m_env->context_dir));
  auto key = TRY(content_digest(m_env->context_dir, paths, m_env->ignore.get(),
                                exclude ? &*exclude : nullptr, &digests));
  TRY_VOID(digests.flush());
  return key;
}

Result<solver::Ref> CopyOp::run(const std::vector<solver::Ref>& inputs,
                                const solver::RunContext&) const {
  std::string parent = inputs.at(0).id;
  auto& snaps = m_env->state->snapshots();
  auto active = TRY(snaps.prepare(parent));
  std::optional<snapshot::Active> source_view;
  std::filesystem::path src_root = m_env->context_dir;
  const dockerfile::IgnoreMatcher* ignore = m_env->ignore.get();
  if (m_def.from_input) {
    source_view.emplace(TRY(snaps.view(inputs.at(1).id)));
    src_root = source_view->root();
    ignore = nullptr;
  }
  std::optional<ScratchDir> inline_dir;
  if (!m_def.inline_files.empty()) {
    inline_dir.emplace(TRY(ScratchDir::make(m_env->state->root())));
    for (const auto& [name, content] : m_def.inline_files)
      TRY_VOID(util::write_file_atomic(inline_dir->path() / name, content, 0644));
  }
  CopyOptions opts;
  opts.ignore = ignore;
  std::optional<dockerfile::IgnoreMatcher> exclude;
  if (!m_def.excludes.empty()) {
    exclude.emplace(TRY(dockerfile::IgnoreMatcher::compile(m_def.excludes)));
    opts.exclude = &*exclude;
  }
  opts.mode = TRY(parse_chmod(m_def.chmod));
  if (!m_def.chown.empty()) {
    auto u = TRY(exec::resolve_user_in_rootfs(m_def.chown, active.root()));
    opts.uid = u.uid;
    opts.gid = u.gid;
  } else if (!m_def.from_input) {
    opts.uid = opts.gid = 0u;
  }
  std::vector<CopyItem> items; // the plain sources, copied together below
  for (const auto& s : m_def.sources) {
    if (m_def.inline_files.count(s)) {
      TRY_VOID(copy_sources(inline_dir->path(), {s}, active.root(), m_def.dest, opts));
      continue;
    }
    auto matches = TRY(match_sources(src_root, s, ignore));
    if (m_def.unpack_archives && matches.size() == 1 && looks_like_archive(matches[0]) &&
        !std::filesystem::is_directory(src_root / matches[0])) {
      auto dest = TRY(resolve_in_root(active.root(), m_def.dest, true));
      std::filesystem::create_directories(dest);
      oci::ExtractOptions eo;
      eo.apply_whiteouts = false;
      TRY(oci::extract_layer_file(src_root / matches[0], dest, eo));
      continue;
    }
    std::string dest = m_def.dest;
    if (m_def.sources.size() > 1 && !dest.ends_with("/"))
      dest += "/";
    for (auto& item : TRY(plan_copy(src_root, matches, active.root(), dest)))
      items.push_back(std::move(item));
  }
  // Files unchanged since the last run of this COPY are linked from its
  // result rather than copied (copy_reuse.hpp); context sources only.
  std::optional<CopyReuse> reuse;
  if (!m_def.from_input)
    reuse.emplace(CopyReuse::load(*m_env->state, m_env->context_dir.string() + "\n" + definition()));
  TRY_VOID(copy_planned(snaps, active, std::move(items), opts, reuse ? &*reuse : nullptr));
  source_view.reset();
  std::string name = TRY(commit_layer(*m_env, std::move(active), parent));
  if (reuse && name != parent) {
    if (reuse->linked() > 0)
      spdlog::debug("COPY {}: {} unchanged files linked from the previous result", m_def.dest,
                    reuse->linked());
    if (auto saved = reuse->save(name); !saved)
      spdlog::warn("cannot record COPY result for reuse: {}", saved.error().message);
  }
  return solver::Ref{name};
}

// ---- MkdirOp ----

MkdirOp::MkdirOp(std::shared_ptr<const OpEnv> env, std::string path, std::string user,
                 std::string platform, std::string name)
    : m_env(std::move(env)), m_path(std::move(path)), m_user(std::move(user)),
      m_platform(std::move(platform)), m_name(std::move(name)) {}

std::string MkdirOp::definition() const {
  return ordered_json{{"mkdir", m_path}, {"user", m_user}, {"platform", m_platform}}.dump();
}

Result<solver::Ref> MkdirOp::run(const std::vector<solver::Ref>& inputs,
                                 const solver::RunContext&) const {
  std::string parent = inputs.empty() ? "" : inputs[0].id;
  auto& snaps = m_env->state->snapshots();
  auto active = TRY(snaps.prepare(parent));
  auto dir = TRY(resolve_in_root(active.root(), m_path, true));
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec)
      return fail("cannot create WORKDIR " + m_path + ": " + ec.message());
    if (!m_user.empty()) {
      auto u = TRY(exec::resolve_user_in_rootfs(m_user, active.root()));
      [[maybe_unused]] int rc = ::chown(dir.c_str(), u.uid, u.gid);
    }
  }
  return solver::Ref{TRY(commit_layer(*m_env, std::move(active), parent))};
}

} // namespace xbuild::engine::build
