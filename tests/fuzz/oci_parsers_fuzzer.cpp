// libFuzzer target for the oci/ parsers that read untrusted input: image
// references, platforms, digests, manifests, indexes, image configs and
// media-type detection. The first byte picks the parser; the rest is input.
// Properties checked beyond "no crash": whatever parses prints back to
// something that parses to the same value.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "oci/image_config.hpp"
#include "oci/manifest.hpp"
#include "oci/reference.hpp"

using namespace xbuild::oci;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1)
    return 0;
  std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
  case 0: {
    auto r = Reference::parse(input);
    if (r) {
      auto again = Reference::parse(r->str());
      if (!again || !(*again == *r))
        std::abort();
    }
    break;
  }
  case 1: {
    auto p = Platform::parse(input);
    if (p) {
      auto again = Platform::parse(p->str());
      if (!again || !(*again == *p))
        std::abort();
    }
    break;
  }
  case 2: {
    auto d = Digest::parse(input);
    if (d && d->str() != input)
      std::abort();
    break;
  }
  case 3: {
    auto m = parse_image_manifest(input, "fuzz");
    if (m) {
      auto bytes = encode_manifest(*m);
      if (bytes) {
        auto again = parse_image_manifest(bytes->bytes, "fuzz");
        if (!again || again->layers != m->layers || !(again->config == m->config))
          std::abort();
      }
    }
    break;
  }
  case 4: {
    auto i = parse_image_index(input, "fuzz");
    if (i) {
      auto bytes = encode_index(*i);
      if (bytes) {
        auto again = parse_image_index(bytes->bytes, "fuzz");
        if (!again || again->manifests != i->manifests)
          std::abort();
      }
    }
    (void)detect_manifest_media_type(input, "", "fuzz");
    break;
  }
  case 5: {
    auto c = parse_image_config(input, "fuzz");
    if (c) {
      auto again = parse_image_config(encode_image_config(*c), "fuzz");
      if (!again || !(*again == *c))
        std::abort();
    }
    break;
  }
  }
  return 0;
}
