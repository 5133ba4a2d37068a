#pragma once
// Image references: `[registry/]repository[:tag][@digest]`, normalised the way
// the Docker CLI does it (`busybox` → `docker.io/library/busybox:latest`).

#include <optional>
#include <string>
#include <string_view>

#include "oci/digest.hpp"
#include "util/error.hpp"

namespace xbuild::oci {

inline constexpr std::string_view k_docker_hub = "docker.io";
inline constexpr std::string_view k_docker_hub_api_host = "registry-1.docker.io";
inline constexpr std::string_view k_docker_hub_credential_key = "https://index.docker.io/v1/";

// Invariants after parse():
// - registry is never empty; Docker Hub is always spelt "docker.io" (also for
//   input written as index.docker.io or registry-1.docker.io);
// - repository is non-empty, lower-case path components separated by '/';
//   on docker.io a single component gets the "library/" prefix;
// - at least one of tag and digest is set: a reference with neither gets tag
//   "latest"; `name@digest` keeps tag empty (the digest alone identifies it).
struct Reference {
  std::string registry;   // "docker.io", "localhost:5000", "[::1]:5000"
  std::string repository; // "library/busybox"
  std::string tag;        // "latest"; empty when only a digest was given
  Digest digest;          // empty unless "@sha256:…" was given

  static Result<Reference> parse(std::string_view text);

  // "docker.io/library/busybox:latest[@sha256:…]"
  std::string str() const;
  // "docker.io/library/busybox" — registry and repository, no tag or digest.
  std::string name() const;
  // The short form users type: "busybox:latest", "me/app:1", "localhost:5000/x:y".
  std::string familiar() const;
  // What the registry API calls the manifest: the digest if set, else the tag.
  std::string tag_or_digest() const;
  // Host[:port] to send API requests to (registry-1.docker.io for Docker Hub).
  std::string api_host() const;
  // The key for this registry in Docker's config.json `auths` and for
  // credential helpers ("https://index.docker.io/v1/" for Docker Hub).
  std::string credential_key() const;
  bool is_docker_hub() const { return registry == k_docker_hub; }

  Reference with_tag(std::string new_tag) const;
  Reference with_digest(Digest new_digest) const;

  bool operator==(const Reference&) const = default;
};

// Canonical registry host for what users write (index.docker.io → docker.io).
std::string normalize_registry(std::string_view host);

} // namespace xbuild::oci
