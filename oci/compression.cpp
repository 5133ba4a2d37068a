#include "oci/compression.hpp"

#include <zlib.h>
#include <zstd.h>

#include <vector>

namespace xbuild::oci {
namespace {

constexpr size_t k_out_chunk = 128 * 1024;

class PassThrough final : public Compressor {
public:
  explicit PassThrough(WriteFn sink) : m_sink(std::move(sink)) {}
  Result<void> write(const void* data, size_t size) override { return m_sink(data, size); }
  Result<void> finish() override { return {}; }

private:
  WriteFn m_sink;
};

class GzipCompressor final : public Compressor {
public:
  explicit GzipCompressor(WriteFn sink) : m_sink(std::move(sink)), m_out(k_out_chunk) {}
  ~GzipCompressor() override {
    if (m_initialised)
      deflateEnd(&m_z);
  }
  Result<void> init(int level) {
    // windowBits 15 + 16 = gzip header; no file name or mtime in the header,
    // so the output depends only on the input.
    if (deflateInit2(&m_z, level < 0 ? 6 : level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) !=
        Z_OK)
      return fail("cannot initialise gzip compression (zlib)");
    m_initialised = true;
    return {};
  }
  Result<void> write(const void* data, size_t size) override {
    m_z.next_in = static_cast<Bytef*>(const_cast<void*>(data));
    m_z.avail_in = static_cast<uInt>(size);
    return pump(Z_NO_FLUSH);
  }
  Result<void> finish() override {
    m_z.next_in = nullptr;
    m_z.avail_in = 0;
    return pump(Z_FINISH);
  }

private:
  Result<void> pump(int flush) {
    for (;;) {
      m_z.next_out = m_out.data();
      m_z.avail_out = static_cast<uInt>(m_out.size());
      int rc = deflate(&m_z, flush);
      if (rc == Z_STREAM_ERROR)
        return fail("gzip compression failed (zlib stream error)");
      size_t produced = m_out.size() - m_z.avail_out;
      if (produced > 0)
        TRY_VOID(m_sink(m_out.data(), produced));
      if (flush == Z_FINISH ? rc == Z_STREAM_END : (m_z.avail_in == 0 && m_z.avail_out != 0))
        return {};
    }
  }

  WriteFn m_sink;
  z_stream m_z{};
  bool m_initialised = false;
  std::vector<Bytef> m_out;
};

class ZstdCompressor final : public Compressor {
public:
  explicit ZstdCompressor(WriteFn sink)
      : m_sink(std::move(sink)), m_ctx(ZSTD_createCCtx()), m_out(ZSTD_CStreamOutSize()) {}
  ~ZstdCompressor() override { ZSTD_freeCCtx(m_ctx); }
  Result<void> init(int level) {
    if (!m_ctx)
      return fail("cannot initialise zstd compression");
    ZSTD_CCtx_setParameter(m_ctx, ZSTD_c_compressionLevel, level < 0 ? 3 : level);
    ZSTD_CCtx_setParameter(m_ctx, ZSTD_c_checksumFlag, 1);
    return {};
  }
  Result<void> write(const void* data, size_t size) override {
    ZSTD_inBuffer in{data, size, 0};
    while (in.pos < in.size) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      size_t rc = ZSTD_compressStream2(m_ctx, &out, &in, ZSTD_e_continue);
      if (ZSTD_isError(rc))
        return fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(rc));
      if (out.pos > 0)
        TRY_VOID(m_sink(m_out.data(), out.pos));
    }
    return {};
  }
  Result<void> finish() override {
    ZSTD_inBuffer in{nullptr, 0, 0};
    for (;;) {
      ZSTD_outBuffer out{m_out.data(), m_out.size(), 0};
      size_t remaining = ZSTD_compressStream2(m_ctx, &out, &in, ZSTD_e_end);
      if (ZSTD_isError(remaining))
        return fail(std::string("zstd compression failed: ") + ZSTD_getErrorName(remaining));
      if (out.pos > 0)
        TRY_VOID(m_sink(m_out.data(), out.pos));
      if (remaining == 0)
        return {};
    }
  }

private:
  WriteFn m_sink;
  ZSTD_CCtx* m_ctx;
  std::vector<char> m_out;
};

} // namespace

Result<std::unique_ptr<Compressor>> make_compressor(Compression compression, WriteFn sink,
                                                    int level) {
  switch (compression) {
  case Compression::none:
    return std::unique_ptr<Compressor>(new PassThrough(std::move(sink)));
  case Compression::gzip: {
    auto c = std::make_unique<GzipCompressor>(std::move(sink));
    TRY_VOID(c->init(level));
    return std::unique_ptr<Compressor>(std::move(c));
  }
  case Compression::zstd: {
    auto c = std::make_unique<ZstdCompressor>(std::move(sink));
    TRY_VOID(c->init(level));
    return std::unique_ptr<Compressor>(std::move(c));
  }
  }
  return fail("unknown compression");
}

Compression sniff_compression(const void* data, size_t size) {
  auto b = static_cast<const unsigned char*>(data);
  if (size >= 2 && b[0] == 0x1f && b[1] == 0x8b)
    return Compression::gzip;
  if (size >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd)
    return Compression::zstd;
  return Compression::none;
}

} // namespace xbuild::oci
