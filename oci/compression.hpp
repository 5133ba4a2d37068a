#pragma once
// Streaming compression of layer bytes: gzip through zlib, zstd through
// libzstd. (Decompression when reading layers is done by libarchive.)

#include <memory>

#include "oci/digest.hpp"
#include "oci/media_types.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

// Compresses what is written to it into `sink`. finish() must be called once
// at the end; for Compression::none bytes pass through unchanged.
class Compressor {
public:
  virtual ~Compressor() = default;
  virtual Result<void> write(const void* data, size_t size) = 0;
  virtual Result<void> finish() = 0;
};

// level: -1 = the format's default (gzip 6, zstd 3).
Result<std::unique_ptr<Compressor>> make_compressor(Compression compression, WriteFn sink,
                                                    int level = -1);

// Detects gzip / zstd from the first bytes of a blob; none otherwise.
Compression sniff_compression(const void* data, size_t size);

} // namespace xbuild::oci
