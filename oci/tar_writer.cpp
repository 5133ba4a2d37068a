#include "oci/tar_writer.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

namespace xbuild::oci {

struct TarWriter::Impl {
  WriteFn sink;
  struct archive* archive = nullptr;
  std::optional<Error> error;
  bool closed = false;

  std::string failure(const std::string& what) {
    if (error)
      return error->message;
    const char* msg = archive_error_string(archive);
    return what + ": " + (msg ? msg : "libarchive error");
  }

  Result<void> header(const std::string& name, mode_t type, unsigned perm, int64_t size) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, type);
    archive_entry_set_perm(e, perm);
    archive_entry_set_size(e, size);
    archive_entry_set_mtime(e, 0, 0);
    int rc = archive_write_header(archive, e);
    archive_entry_free(e);
    if (rc != ARCHIVE_OK)
      return fail(failure("cannot add \"" + name + "\" to the archive"));
    return {};
  }
};

namespace {
la_ssize_t on_write(struct archive*, void* ctx, const void* buf, size_t size) {
  auto* impl = static_cast<TarWriter::Impl*>(ctx);
  auto r = impl->sink(buf, size);
  if (!r) {
    impl->error = r.error();
    return -1;
  }
  return static_cast<la_ssize_t>(size);
}
} // namespace

TarWriter::TarWriter() : m_impl(std::make_unique<Impl>()) {}

TarWriter::~TarWriter() {
  if (m_impl->archive)
    archive_write_free(m_impl->archive);
}

Result<std::unique_ptr<TarWriter>> TarWriter::open(WriteFn sink) {
  std::unique_ptr<TarWriter> w(new TarWriter());
  w->m_impl->sink = std::move(sink);
  w->m_impl->archive = archive_write_new();
  archive_write_set_format_pax_restricted(w->m_impl->archive);
  archive_write_set_bytes_in_last_block(w->m_impl->archive, 1);
  if (archive_write_open2(w->m_impl->archive, w->m_impl.get(), nullptr, on_write, nullptr,
                          nullptr) != ARCHIVE_OK)
    return fail(w->m_impl->failure("cannot start the archive"));
  return w;
}

Result<void> TarWriter::add_directory(const std::string& name) {
  return m_impl->header(name, AE_IFDIR, 0755, 0);
}

Result<void> TarWriter::add_bytes(const std::string& name, std::string_view bytes) {
  TRY_VOID(m_impl->header(name, AE_IFREG, 0644, static_cast<int64_t>(bytes.size())));
  if (!bytes.empty() && archive_write_data(m_impl->archive, bytes.data(), bytes.size()) < 0)
    return fail(m_impl->failure("cannot write \"" + name + "\" to the archive"));
  return {};
}

Result<void> TarWriter::add_file(const std::string& name, const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    return fail("cannot open " + path.string() + ": " + std::strerror(errno));
  struct stat st {};
  ::fstat(fd, &st);
  auto r = m_impl->header(name, AE_IFREG, 0644, st.st_size);
  std::vector<char> buf(256 * 1024);
  off_t left = st.st_size;
  while (r && left > 0) {
    ssize_t n = ::read(fd, buf.data(), std::min<off_t>(left, static_cast<off_t>(buf.size())));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      r = fail(path.string() + " got shorter while it was being archived");
      break;
    }
    if (archive_write_data(m_impl->archive, buf.data(), static_cast<size_t>(n)) < 0)
      r = fail(m_impl->failure("cannot write \"" + name + "\" to the archive"));
    left -= n;
  }
  ::close(fd);
  return r;
}

Result<void> TarWriter::close() {
  if (m_impl->closed)
    return {};
  m_impl->closed = true;
  if (archive_write_close(m_impl->archive) != ARCHIVE_OK)
    return fail(m_impl->failure("cannot finish the archive"));
  return {};
}

} // namespace xbuild::oci
