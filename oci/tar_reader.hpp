#pragma once
// A libarchive reader over a ReadFn: a tar, plain or gzip/zstd compressed,
// with errors that name the input. Shared by layer extraction and OCI
// layout import.

#include <memory>
#include <string>

#include "oci/digest.hpp"
#include "util/error.hpp"

struct archive;

namespace xbuild::oci {

class TarReader {
public:
  // Opens `source`. `what` names it in errors; `expected` says what it
  // should have been ("the layer is not a valid … tar"); `allow_empty`
  // accepts a zero-byte input as an empty archive.
  static Result<std::unique_ptr<TarReader>> open(const ReadFn& source, std::string what,
                                                 std::string expected, bool allow_empty,
                                                 const std::string& doing = "cannot open");
  ~TarReader();
  TarReader(const TarReader&) = delete;
  TarReader& operator=(const TarReader&) = delete;

  struct archive* get() const;

  // The failure of the last libarchive call as "WHAT: DOING: MESSAGE;
  // EXPECTED", or the source's own error when reading it failed.
  Error error(const std::string& doing) const;

private:
  struct Impl;
  explicit TarReader(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> m_impl;
};

} // namespace xbuild::oci
