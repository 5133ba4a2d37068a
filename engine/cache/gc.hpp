#pragma once
// Disk usage and garbage collection of a builder's local state, for
// `docker xbuild du` and `docker xbuild prune` (algorithm: gc.cpp).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/cache/cache_index.hpp"
#include "util/error.hpp"

namespace xbuild::engine::build {
class EngineState;
}

namespace xbuild::engine::cache {

enum class UsageKind {
  build_layer, // a committed snapshot made by a build step (RUN, COPY, ADD …)
  image_layer, // a committed snapshot extracted from a base image's layer
  blob,        // a content-store blob no layer record uses (manifests, configs, pulled layers)
};
const char* kind_name(UsageKind kind);

// One line of `du`: a snapshot (with its layer blob) or a loose blob.
// Invariant: `size` counts each inode and each blob once across all items.
struct UsageItem {
  std::string id;     // chain id of the snapshot, or the blob's digest
  std::string parent; // parent snapshot's chain id ("" = none or a blob)
  UsageKind kind = UsageKind::build_layer;
  int64_t size = 0;      // on-disk bytes: own layer directory + own layer blob
  int64_t created = 0;   // unix seconds
  int64_t last_used = 0; // unix seconds; most recent use by a cache record
  int usage_count = 0;   // cache records that resolve to this snapshot
  bool in_use = false;   // leased by a running build (not reclaimable)
  bool shared = false;   // the parent of another snapshot
  std::string description;
};

struct Usage {
  std::vector<UsageItem> items; // least recently used first
  int64_t total = 0, shared = 0, reclaimable = 0;
};

// `key=value` filters of du and prune: until=DURATION, id=PREFIX,
// type=build|image|blob (buildx's names regular/source.image also work).
struct ItemFilter {
  std::optional<std::chrono::seconds> until;
  std::vector<std::string> id_prefixes;
  std::vector<UsageKind> kinds;
  bool matches(const UsageItem& item, int64_t now) const;
};
Result<ItemFilter> parse_filters(const std::vector<std::string>& filters);

// "24h", "1h30m", "90s" (Go's time.ParseDuration units ns…h, plus d and w).
Result<std::chrono::seconds> parse_duration(const std::string& text);
// "10GB", "512m", "1.5g", "1000": binary units like docker's --keep-storage.
Result<int64_t> parse_size(const std::string& text);
// Docker's units.HumanSize: decimal, 4 significant digits ("12.35MB").
std::string human_size(int64_t bytes);
// Docker's units.HumanDuration ("2 days", "About an hour").
std::string human_duration(std::chrono::seconds d);

Result<Usage> disk_usage(build::EngineState& state);

enum class PruneAll { no, yes };

struct GcOptions {
  ItemFilter filter;
  PruneAll all = PruneAll::no;
  std::optional<int64_t> max_used; // keep at most this many bytes
  std::optional<int64_t> reserved; // never go below this many bytes
  std::optional<int64_t> min_free; // free space wanted on the state's filesystem
};

struct GcReport {
  std::vector<UsageItem> removed; // what was deleted, in deletion order
  int64_t reclaimed = 0;
  size_t records_removed = 0;
  std::vector<int64_t> other_users; // processes with the state open (kept their data)
};

Result<GcReport> prune(build::EngineState& state, const GcOptions& options);

} // namespace xbuild::engine::cache
