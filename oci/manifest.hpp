#pragma once
// Image manifests and indexes (OCI and Docker schema2 / manifest list) and
// the exact bytes they travel as.
//
// Why bytes are kept: a manifest's identity is the digest of the bytes a
// registry served or we sent. Re-serialising parsed JSON may reorder keys or
// change whitespace, so anything that pushes, stores or prints --raw uses
// ManifestBytes, never a re-encoding of a parsed struct.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "oci/descriptor.hpp"
#include "oci/digest.hpp"
#include "oci/media_types.hpp"
#include "oci/platform.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

// A manifest or index as exact bytes. Invariant: digest == Digest::of(bytes).
struct ManifestBytes {
  std::string media_type;
  std::string bytes;
  Digest digest;

  static ManifestBytes from(std::string media_type, std::string bytes);
  Descriptor descriptor() const;
};

// Invariants after parse or construction: schema_version == 2; media_type is
// the OCI or Docker manifest type ("" only for OCI documents that omit it);
// Docker manifests carry no artifact_type, subject or annotations.
struct ImageManifest {
  int schema_version = 2;
  std::string media_type = std::string(media_type::k_oci_manifest);
  std::string artifact_type;
  Descriptor config;
  std::vector<Descriptor> layers; // base layer first
  std::optional<Descriptor> subject;
  Annotations annotations;

  MediaFamily family() const;
};

// An OCI index or Docker manifest list; same invariants as ImageManifest.
// Entries may have any media type (unknown ones are kept, never an error).
struct ImageIndex {
  int schema_version = 2;
  std::string media_type = std::string(media_type::k_oci_index);
  std::string artifact_type;
  std::vector<Descriptor> manifests;
  std::optional<Descriptor> subject;
  Annotations annotations;

  MediaFamily family() const;
};

// `where` names the document in messages ("manifest localhost:5000/app:1").
Result<ImageManifest> parse_image_manifest(std::string_view bytes, std::string_view where);
Result<ImageIndex> parse_image_index(std::string_view bytes, std::string_view where);

// Serialises compactly with a fixed field order (the order Go's image-spec
// types use). Fails for Docker-typed documents that use OCI-only fields.
Result<ManifestBytes> encode_manifest(const ImageManifest& m);
Result<ManifestBytes> encode_index(const ImageIndex& index);

// The media type of a manifest-like document: its "mediaType" field, checked
// against `content_type` (a registry's Content-Type header, parameters
// ignored; "" = unknown); without the field, guessed from the shape (OCI
// index if it has "manifests", OCI manifest if it has "config"). Schema 1
// and unknown documents fail with a clear message.
Result<std::string> detect_manifest_media_type(std::string_view bytes,
                                               std::string_view content_type,
                                               std::string_view where);

// buildx's rule: a Docker manifest list only when there is at least one child
// and every child is a Docker manifest or list; otherwise an OCI index (an
// OCI-typed child, e.g. an attestation manifest, forces OCI).
MediaFamily choose_index_family(const std::vector<Descriptor>& children);

// The entry of `index` to use for `wanted`: the best-ranked match, the first
// of equals (image-spec: "the first SHOULD be used"). Entries without a
// platform and attestation entries (annotation
// vnd.docker.reference.type=attestation-manifest) are skipped.
std::optional<size_t> select_platform(const ImageIndex& index, const Platform& wanted,
                                      PlatformMatch mode = PlatformMatch::exact);

// True for BuildKit attestation manifests stored in an index.
bool is_attestation_entry(const Descriptor& d);

} // namespace xbuild::oci
