#include "oci/tar_reader.hpp"

#include <archive.h>
#include <optional>
#include <vector>

namespace xbuild::oci {

struct TarReader::Impl {
  const ReadFn* read = nullptr;
  std::string what, expected;
  std::vector<char> buffer = std::vector<char>(256 * 1024);
  std::optional<Error> source_error;
  struct archive* archive = nullptr;

  static la_ssize_t on_read(struct archive*, void* ctx, const void** out) {
    auto* s = static_cast<Impl*>(ctx);
    auto n = (*s->read)(s->buffer.data(), s->buffer.size());
    if (!n) {
      s->source_error = n.error();
      return ARCHIVE_FATAL;
    }
    *out = s->buffer.data();
    return static_cast<la_ssize_t>(*n);
  }
};

TarReader::TarReader(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}

TarReader::~TarReader() {
  if (m_impl && m_impl->archive)
    archive_read_free(m_impl->archive);
}

struct archive* TarReader::get() const { return m_impl->archive; }

Error TarReader::error(const std::string& doing) const {
  if (m_impl->source_error)
    return *m_impl->source_error;
  const char* msg = archive_error_string(m_impl->archive);
  return Error{m_impl->what + ": " + doing + ": " + (msg ? msg : "libarchive error") + "; " +
               m_impl->expected};
}

Result<std::unique_ptr<TarReader>> TarReader::open(const ReadFn& source, std::string what,
                                                   std::string expected, bool allow_empty,
                                                   const std::string& doing) {
  auto impl = std::make_unique<Impl>();
  impl->read = &source;
  impl->what = std::move(what);
  impl->expected = std::move(expected);
  impl->archive = archive_read_new();
  std::unique_ptr<TarReader> reader(new TarReader(std::move(impl)));
  struct archive* a = reader->get();
  archive_read_support_format_tar(a);
  if (allow_empty)
    archive_read_support_format_empty(a);
  archive_read_support_filter_gzip(a);
  archive_read_support_filter_zstd(a);
  archive_read_support_filter_none(a);
  if (archive_read_open(a, reader->m_impl.get(), nullptr, &Impl::on_read, nullptr) != ARCHIVE_OK)
    return tl::unexpected(reader->error(doing));
  return reader;
}

} // namespace xbuild::oci
