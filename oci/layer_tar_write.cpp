// Layer creation: walk a tree, sort, and stream a PAX tar through a
// compressor while hashing both the tar (diff id) and the compressed bytes
// (blob digest), so a layer is never buffered whole.

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <memory>

#include "oci/compression.hpp"
#include "oci/layer_tar.hpp"
#include "util/strings.hpp"

namespace xbuild::oci {
namespace {

struct Item {
  std::vector<std::string> components; // path split on '/', for walk-order sorting
  std::string path;                    // '/' joined, relative
  bool whiteout = false;               // synthetic empty file (.wh.*)
};

Result<void> collect(const fs::path& root, const fs::path& rel, bool overlay_upper,
                     std::vector<Item>& out) {
  std::error_code ec;
  fs::directory_iterator it(root / rel, ec);
  if (ec)
    return fail("cannot list " + (root / rel).string() + ": " + ec.message());
  for (auto& entry : it) {
    fs::path child = rel / entry.path().filename();
    if (overlay_upper && entry.is_character_file(ec)) {
      struct stat st {};
      if (::lstat(entry.path().c_str(), &st) == 0 && st.st_rdev == 0)
        continue; // overlay's whiteout
    }
    Item item;
    item.path = child.generic_string();
    item.components = util::split(item.path, '/');
    out.push_back(item);
    if (entry.is_directory(ec) && !entry.is_symlink(ec))
      TRY_VOID(collect(root, child, overlay_upper, out));
  }
  return {};
}

Result<void> check_rel(const std::string& p, const char* what) {
  auto parts = util::split(p, '/');
  bool dotdot = std::find(parts.begin(), parts.end(), "..") != parts.end();
  if (p.empty() || p.front() == '/' || dotdot)
    return fail(std::string(what) + " \"" + p +
                "\" must be a relative path inside the layer without \"..\"");
  return {};
}

struct Pipeline {
  const WriteFn* sink = nullptr;
  Digester uncompressed;
  Digester compressed;
  std::unique_ptr<Compressor> compressor;
  std::optional<Error> error;
};

la_ssize_t on_write(struct archive*, void* ctx, const void* buf, size_t size) {
  auto* p = static_cast<Pipeline*>(ctx);
  p->uncompressed.update(buf, size);
  auto r = p->compressor->write(buf, size);
  if (!r) {
    p->error = r.error();
    return -1;
  }
  return static_cast<la_ssize_t>(size);
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(archive_entry* e) const { archive_entry_free(e); }
};

Result<void> add_xattrs(archive_entry* e, const fs::path& path, bool overlay_upper) {
  ssize_t len = ::llistxattr(path.c_str(), nullptr, 0);
  if (len <= 0)
    return {}; // none, or not supported by the filesystem
  std::string names(static_cast<size_t>(len), '\0');
  len = ::llistxattr(path.c_str(), names.data(), names.size());
  if (len < 0)
    return {};
  std::vector<std::string> sorted;
  for (size_t i = 0; i < static_cast<size_t>(len);) {
    std::string name(names.c_str() + i);
    i += name.size() + 1;
    bool overlay_private = name.starts_with("trusted.overlay.") || name.starts_with("user.overlay.");
    if (!name.empty() && !(overlay_upper && overlay_private))
      sorted.push_back(name);
  }
  std::sort(sorted.begin(), sorted.end());
  for (auto& name : sorted) {
    ssize_t vlen = ::lgetxattr(path.c_str(), name.c_str(), nullptr, 0);
    if (vlen < 0)
      continue;
    std::string value(static_cast<size_t>(vlen), '\0');
    vlen = ::lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    if (vlen < 0)
      continue;
    archive_entry_xattr_add_entry(e, name.c_str(), value.data(), static_cast<size_t>(vlen));
  }
  return {};
}

class LayerWriter {
public:
  LayerWriter(const fs::path& root, const LayerWriteOptions& options, Pipeline& pipeline)
      : m_root(root), m_options(options), m_pipeline(pipeline) {}

  Result<void> open() {
    m_archive.reset(archive_write_new());
    archive_write_set_format_pax_restricted(m_archive.get());
    archive_write_set_bytes_in_last_block(m_archive.get(), 1);
    if (archive_write_open2(m_archive.get(), &m_pipeline, nullptr, on_write, nullptr, nullptr) !=
        ARCHIVE_OK)
      return fail(archive_failure("cannot start the layer tar"));
    return {};
  }

  Result<void> add(const Item& item) {
    std::unique_ptr<archive_entry, EntryDeleter> e(archive_entry_new());
    archive_entry_set_pathname(e.get(), item.path.c_str());
    if (item.whiteout) {
      archive_entry_set_filetype(e.get(), AE_IFREG);
      archive_entry_set_perm(e.get(), 0644);
      archive_entry_set_size(e.get(), 0);
      archive_entry_set_mtime(e.get(), m_options.fixed_mtime.value_or(0), 0);
      return write_header(e.get(), item.path);
    }
    fs::path full = m_root / item.path;
    struct stat st {};
    if (::lstat(full.c_str(), &st) != 0)
      return fail("cannot read " + full.string() + " for the layer: " + std::strerror(errno));
    archive_entry_set_perm(e.get(), st.st_mode & 07777);
    archive_entry_set_uid(e.get(), st.st_uid);
    archive_entry_set_gid(e.get(), st.st_gid);
    archive_entry_set_mtime(e.get(), m_options.fixed_mtime.value_or(st.st_mtim.tv_sec), 0);
    if (m_options.xattrs)
      TRY_VOID(add_xattrs(e.get(), full, m_options.overlay_upper));

    bool write_content = false;
    if (S_ISREG(st.st_mode)) {
      auto key = std::make_pair(st.st_dev, st.st_ino);
      auto seen = st.st_nlink > 1 ? m_links.find(key) : m_links.end();
      archive_entry_set_filetype(e.get(), AE_IFREG);
      if (seen != m_links.end()) {
        archive_entry_set_hardlink(e.get(), seen->second.c_str());
        archive_entry_set_size(e.get(), 0);
      } else {
        if (st.st_nlink > 1)
          m_links.emplace(key, item.path);
        archive_entry_set_size(e.get(), st.st_size);
        write_content = true;
      }
    } else if (S_ISDIR(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFDIR);
    } else if (S_ISLNK(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFLNK);
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(full.c_str(), target.data(), target.size());
      if (n < 0)
        return fail("cannot read symlink " + full.string() + ": " + std::strerror(errno));
      target.resize(static_cast<size_t>(n));
      archive_entry_set_symlink(e.get(), target.c_str());
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
      archive_entry_set_filetype(e.get(), S_ISCHR(st.st_mode) ? AE_IFCHR : AE_IFBLK);
      archive_entry_set_rdevmajor(e.get(), major(st.st_rdev));
      archive_entry_set_rdevminor(e.get(), minor(st.st_rdev));
    } else if (S_ISFIFO(st.st_mode)) {
      archive_entry_set_filetype(e.get(), AE_IFIFO);
    } else {
      return {}; // sockets and the like do not belong in images
    }
    TRY_VOID(write_header(e.get(), item.path));
    if (write_content)
      TRY_VOID(copy_content(full, st.st_size));
    return {};
  }

  Result<void> close() {
    if (archive_write_close(m_archive.get()) != ARCHIVE_OK)
      return fail(archive_failure("cannot finish the layer tar"));
    return {};
  }

private:
  std::string archive_failure(const std::string& what) {
    if (m_pipeline.error)
      return m_pipeline.error->message;
    const char* msg = archive_error_string(m_archive.get());
    return what + ": " + (msg ? msg : "libarchive error");
  }

  Result<void> write_header(archive_entry* e, const std::string& path) {
    if (archive_write_header(m_archive.get(), e) != ARCHIVE_OK)
      return fail(archive_failure("cannot add \"" + path + "\" to the layer tar"));
    return {};
  }

  Result<void> copy_content(const fs::path& full, off_t size) {
    int fd = ::open(full.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
      return fail("cannot open " + full.string() + " for the layer: " + std::strerror(errno));
    std::vector<char>& buf = m_buffer;
    off_t left = size;
    Result<void> result;
    while (left > 0) {
      ssize_t n = ::read(fd, buf.data(), std::min<off_t>(left, static_cast<off_t>(buf.size())));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        result = fail(full.string() + " changed size while it was being added to the layer; " +
                      "make sure nothing writes to the tree during export");
        break;
      }
      if (archive_write_data(m_archive.get(), buf.data(), static_cast<size_t>(n)) < 0) {
        result = fail(archive_failure("cannot write " + full.string() + " to the layer tar"));
        break;
      }
      left -= n;
    }
    ::close(fd);
    return result;
  }

  const fs::path& m_root;
  const LayerWriteOptions& m_options;
  Pipeline& m_pipeline;
  std::unique_ptr<struct archive, ArchiveDeleter> m_archive;
  std::map<std::pair<dev_t, ino_t>, std::string> m_links;
  std::vector<char> m_buffer = std::vector<char>(256 * 1024); // reused for every file
};

} // namespace

Result<LayerInfo> write_layer(const fs::path& dir, const WriteFn& sink,
                              const LayerWriteOptions& options) {
  std::vector<Item> items;
  TRY_VOID(collect(dir, fs::path(), options.overlay_upper, items));
  auto synthetic = [&](const std::string& parent_and_name) {
    Item item;
    item.path = parent_and_name;
    item.components = util::split(item.path, '/');
    item.whiteout = true;
    items.push_back(std::move(item));
  };
  for (auto& w : options.whiteouts) {
    TRY_VOID(check_rel(w, "whiteout path"));
    auto slash = w.rfind('/');
    std::string parent = slash == std::string::npos ? "" : w.substr(0, slash + 1);
    synthetic(parent + std::string(k_whiteout_prefix) + w.substr(slash + 1));
  }
  for (auto& o : options.opaque_dirs) {
    TRY_VOID(check_rel(o, "opaque directory"));
    synthetic(o + "/" + std::string(k_opaque_whiteout));
  }
  // Walk order: a directory, then its children, siblings sorted by name.
  std::sort(items.begin(), items.end(),
            [](const Item& a, const Item& b) { return a.components < b.components; });

  Pipeline pipeline;
  WriteFn counted = [&](const void* data, size_t size) -> Result<void> {
    pipeline.compressed.update(data, size);
    return sink(data, size);
  };
  pipeline.compressor = TRY(make_compressor(options.compression, counted, options.level));

  LayerWriter writer(dir, options, pipeline);
  TRY_VOID(writer.open());
  for (auto& item : items)
    TRY_VOID(writer.add(item));
  TRY_VOID(writer.close());
  TRY_VOID(pipeline.compressor->finish());

  LayerInfo info;
  info.compression = options.compression;
  info.uncompressed_size = pipeline.uncompressed.size();
  info.diff_id = pipeline.uncompressed.digest();
  info.size = pipeline.compressed.size();
  info.digest = pipeline.compressed.digest();
  return info;
}

Result<StoredLayer> store_layer(ContentStore& store, const fs::path& dir,
                                const LayerWriteOptions& options, MediaFamily family) {
  auto writer = TRY(store.writer());
  WriteFn sink = [&](const void* data, size_t size) { return writer->write(data, size); };
  LayerInfo info = TRY(write_layer(dir, sink, options));
  Digest digest = TRY(writer->commit());
  if (digest != info.digest)
    return fail("internal error: layer digest changed between writing and storing");
  StoredLayer out;
  out.info = info;
  out.descriptor.media_type = layer_media_type(family, options.compression);
  out.descriptor.digest = info.digest;
  out.descriptor.size = info.size;
  return out;
}

} // namespace xbuild::oci
