#pragma once
// A minimal streaming tar writer for image archives (OCI layout tarballs and
// docker-archive): named byte strings and files, fixed metadata, so the same
// content always gives the same archive.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "oci/digest.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

class TarWriter {
public:
  static Result<std::unique_ptr<TarWriter>> open(WriteFn sink);
  ~TarWriter();
  Result<void> add_directory(const std::string& name);
  Result<void> add_bytes(const std::string& name, std::string_view bytes);
  // Streams a file's content (no symlink is followed).
  Result<void> add_file(const std::string& name, const std::filesystem::path& path);
  Result<void> close();

  struct Impl; // defined in the .cpp (public so its libarchive callbacks can use it)

private:
  TarWriter();
  std::unique_ptr<Impl> m_impl;
};

} // namespace xbuild::oci
