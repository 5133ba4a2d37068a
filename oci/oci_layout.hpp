#pragma once
// OCI image layouts (image-spec image-layout.md): a directory or tarball with
// `oci-layout` ({"imageLayoutVersion":"1.0.0"}), `index.json` (an OCI index
// of the images it holds) and `blobs/sha256/<hex>`.
//
// Names: each root gets "org.opencontainers.image.ref.name" = its tag (what
// `skopeo copy oci:dir:TAG` looks up) and "io.containerd.image.name" = the
// full reference (what containerd and buildx write).

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "oci/content_store.hpp"
#include "oci/descriptor.hpp"
#include "oci/manifest.hpp"
#include "oci/reference.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

namespace fs = std::filesystem;

inline constexpr std::string_view k_ref_name_annotation = "org.opencontainers.image.ref.name";
inline constexpr std::string_view k_containerd_name_annotation = "io.containerd.image.name";
inline constexpr std::string_view k_oci_layout_file_content = "{\"imageLayoutVersion\":\"1.0.0\"}";

// One image in a layout: what to point at and, optionally, its name.
struct LayoutRoot {
  Descriptor descriptor;         // an index or manifest in the content store
  std::optional<Reference> name; // sets both name annotations
};

// Writes (or adds to) a layout directory: blobs are hard-linked from the
// store when possible, copied otherwise; an existing index.json keeps its
// entries except those whose ref name is replaced. Returns index.json.
Result<ManifestBytes> write_oci_layout_dir(const ContentStore& store,
                                           const std::vector<LayoutRoot>& roots,
                                           const fs::path& dir);
// Streams a layout as a tar (what `--output type=oci` writes).
Result<ManifestBytes> write_oci_layout_tar(const ContentStore& store,
                                           const std::vector<LayoutRoot>& roots,
                                           const WriteFn& sink);

// A layout directory opened for reading.
struct OciLayout {
  fs::path dir;
  ManifestBytes index_bytes;
  ImageIndex index;

  fs::path blob_path(const Digest& d) const;
  // Reads and verifies a blob (for manifests, indexes and configs).
  Result<std::string> read_blob(const Digest& d) const;
  // The entry named `ref` (matched against the ref-name annotation, then the
  // containerd name); with an empty ref, the only entry.
  Result<Descriptor> find(std::string_view ref) const;
};

Result<OciLayout> open_oci_layout(const fs::path& dir);

// Copies every blob reachable from a layout's index into `store`, verifying
// each digest. Returns index.json.
Result<ManifestBytes> import_oci_layout(const fs::path& dir, ContentStore& store);
// The same for a layout tarball read from `source`.
Result<ManifestBytes> import_oci_archive(const ReadFn& source, ContentStore& store,
                                         const std::string& what);

} // namespace xbuild::oci
