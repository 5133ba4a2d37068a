#pragma once
// The work behind `docker xbuild imagetools inspect|create`: reading an image
// (index, manifests, configs) from a registry, rendering it like buildx, and
// assembling a new index from existing images and pushing it.

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "oci/manifest.hpp"
#include "oci/reference.hpp"
#include "oci/registry/client.hpp"
#include "oci/registry/credentials.hpp"

namespace xbuild::util {
class CancelSource;
}

namespace xbuild::oci::registry {

// Everything a command needs to talk to registries, owned together.
struct RegistrySession {
  std::unique_ptr<util::HttpTransport> transport;
  std::unique_ptr<CredentialHelperRunner> helpers;
  std::unique_ptr<CredentialStore> credentials;
  std::unique_ptr<RegistryClient> client;
};
// Credentials from `config_dir`/config.json (+ helpers, DOCKER_AUTH_CONFIG),
// hosts from the environment (certs.d, XBUILD_INSECURE_REGISTRIES).
Result<RegistrySession> open_registry_session(const std::filesystem::path& config_dir,
                                              const util::CancelSource* cancel);

// An image as `imagetools inspect` sees it.
struct InspectedImage {
  Reference ref;
  ManifestBytes root;
  // For an index: its entries with their manifests' config bytes (empty for
  // entries that are not image manifests); for a manifest: one entry.
  struct Entry {
    Descriptor descriptor;
    std::string config; // config blob JSON, "" when not fetched
  };
  std::vector<Entry> entries;
};

// Fetches the root; with `with_configs`, also each image's config.
Result<InspectedImage> inspect_image(RegistryClient& client, const Reference& ref,
                                     bool with_configs);

// buildx's human summary (Name, MediaType, Digest, Manifests: …).
std::string render_pretty(const InspectedImage& image);
// A Go-template subset over {.Name, .Manifest, .Image}: text with
// `{{.Path}}` and `{{json .Path}}` actions; paths may go into fields
// (`{{.Manifest.mediaType}}`, Go-style `{{.Manifest.MediaType}}` too).
Result<std::string> render_format(const InspectedImage& image, const std::string& format);

struct CreateOptions {
  std::vector<std::string> sources; // references, or digests in the first tag's repo
  std::vector<std::string> files;   // descriptor JSON files
  std::vector<std::string> tags;
  std::vector<std::string> annotations; // [index:|manifest-descriptor:]key=value
  std::vector<std::string> platforms;   // filter
  bool append = false;
  bool prefer_index = true;
  bool dry_run = false;
};

struct CreateResult {
  ManifestBytes manifest; // what was (or, with dry_run, would be) pushed
  std::vector<Reference> pushed;
};

Result<CreateResult> create_image(RegistryClient& client, const CreateOptions& options);

} // namespace xbuild::oci::registry
