// Disk usage and garbage collection of the local state.
//
// The state has four kinds of things, each pointing at the next:
//   cache records (key → ref)  →  committed snapshots (ref → parent ref)
//   →  layer records (ref → parent + layer blob)  →  content-store blobs.
// Cache records are the roots: a snapshot is needed when a remaining record
// resolves to it or to a snapshot above it (overlay stacks need every layer
// below), and a blob is needed when a remaining layer record names it. So
// prune is a mark-and-sweep in that order:
//
//  1. Pick records to drop, least recently used first: those matching the
//     filter, never one a live build leased, and (without --all) never a
//     base-image layer. With a size target (--max-used-space, --min-free-
//     space, --reserved-space), stop as soon as the estimated usage after
//     the sweep reaches the target; the estimate is recomputed after each
//     record because dropping one frees only what no other record needs.
//  2. Mark: the refs of the records left (read again: a build may have
//     added some meanwhile), refs leased by live builds, base-image layers
//     unless --all, closed over parent links.
//  3. Sweep snapshots children first (Snapshotter::remove refuses a parent
//     that another snapshot, even an active one, still sits on), then their
//     layer records, then blobs no layer record names.
//
// Concurrent builds: a build can commit a snapshot a moment before it
// stores the cache record for it, so an unreferenced snapshot may be one a
// build is about to use. While another process has the state open (it
// holds the k_process_lease lease), prune therefore only deletes what the
// records it dropped itself were holding, plus nothing "orphaned"; loose
// blobs are then kept too (a build may have just pulled them). Once no one
// else has the state open, orphans go as well.
//
// Sizes are on-disk bytes (st_blocks), each inode counted once: a hard link
// shared by two layer directories is not two copies.
//
// Lazy layers: a base-image layer no step has run on has a layer record but
// no snapshot (and maybe no blob yet). It is an item of its own (size: its
// blob, if downloaded), linked to its parent like a snapshot, so marking
// works the same; sweeping it removes only its record (and then its blob).

#include "engine/cache/gc.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <map>
#include <set>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "engine/build/copy_reuse.hpp"
#include "engine/build/state.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::cache {
namespace fs = std::filesystem;
namespace {

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

// Counts each inode once across calls, so hard links between layers are
// one copy.
class DiskCounter {
public:
  int64_t tree_bytes(const fs::path& root) {
    int64_t total = entry_bytes(root);
    std::error_code ec;
    for (fs::recursive_directory_iterator
             it(root, fs::directory_options::skip_permission_denied, ec),
         end;
         !ec && it != end; it.increment(ec))
      total += entry_bytes(it->path());
    return total;
  }

private:
  int64_t entry_bytes(const fs::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) != 0)
      return 0;
    if (st.st_nlink > 1 && !S_ISDIR(st.st_mode) &&
        !m_seen.insert({static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)}).second)
      return 0;
    return static_cast<int64_t>(st.st_blocks) * 512;
  }
  std::set<std::pair<uint64_t, uint64_t>> m_seen;
};

int64_t mtime_seconds(const fs::path& p) {
  struct stat st {};
  return ::lstat(p.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_mtime) : 0;
}

std::string short_digest(const std::string& d) {
  auto colon = d.find(':');
  std::string hex = colon == std::string::npos ? d : d.substr(colon + 1);
  return hex.substr(0, 12);
}

// Everything prune needs to know about the state, read once.
struct Scan {
  Usage usage;
  std::set<std::string> lazy;                 // layer records without a snapshot
  std::map<std::string, size_t> by_id;        // item id → index in usage.items
  std::map<std::string, std::string> blob_of; // snapshot ref → its layer blob digest
  std::map<std::string, int64_t> blob_bytes;  // blob digest → size counted in its item
  std::vector<Record> records;
};

Result<Scan> scan(build::EngineState& state) {
  Scan s;
  DiskCounter counter;
  auto& snaps = state.snapshots();
  auto& content = state.content();
  s.records = TRY(state.cache().records());
  auto leased = TRY(state.cache().leased_by_others());
  std::map<std::string, std::vector<const Record*>> records_of;
  for (const auto& r : s.records)
    records_of[r.ref].push_back(&r);

  std::set<std::string> counted_blobs;
  auto names = snaps.names();
  std::set<std::string> with_snapshot(names.begin(), names.end());
  for (const auto& ref : state.layer_refs())
    if (!with_snapshot.count(ref)) {
      names.push_back(ref);
      s.lazy.insert(ref);
    }
  for (const auto& name : names) {
    UsageItem item;
    item.id = name;
    if (s.lazy.count(name)) {
      item.created = state.layer_time(name);
    } else if (auto chain = snaps.chain(name); chain && !chain->empty()) {
      item.size = counter.tree_bytes(chain->front());
      item.created = mtime_seconds(chain->front().parent_path() / "committed");
    }
    auto layer = state.layer(name);
    if (layer && *layer) {
      const auto& rec = **layer;
      item.parent = rec.parent;
      item.kind = rec.from_image ? UsageKind::image_layer : UsageKind::build_layer;
      std::string blob = rec.blob.digest.str();
      s.blob_of[name] = blob;
      bool have_blob = content.exists(rec.blob.digest);
      if (counted_blobs.insert(blob).second) {
        int64_t bytes = have_blob ? content.size(rec.blob.digest).value_or(0) : 0;
        s.blob_bytes[blob] = bytes;
        item.size += bytes;
      }
      item.description = rec.from_image ? "pulled layer " + short_digest(blob)
                                        : "layer " + short_digest(rec.diff_id.str()) + " (blob " +
                                              short_digest(blob) + ")";
      if (s.lazy.count(name))
        item.description += have_blob ? " (not extracted)" : " (not downloaded)";
    } else {
      item.description = "snapshot without a layer record";
    }
    item.last_used = item.created;
    for (const auto* r : records_of[name]) {
      item.last_used = std::max(item.last_used, r->last_used);
      ++item.usage_count;
    }
    item.in_use = leased.count(name) > 0;
    s.usage.items.push_back(std::move(item));
  }
  // Parents of leased refs are in use too; parents of anything are shared.
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < s.usage.items.size(); ++i)
    index[s.usage.items[i].id] = i;
  for (auto& item : s.usage.items) {
    bool in_use = item.in_use;
    for (std::string p = item.parent; !p.empty();) {
      auto it = index.find(p);
      if (it == index.end())
        break;
      auto& parent = s.usage.items[it->second];
      if (p == item.parent)
        parent.shared = true;
      if (in_use)
        parent.in_use = true;
      p = parent.parent;
    }
  }
  for (const auto& d : content.list()) {
    if (counted_blobs.count(d.str()))
      continue;
    UsageItem item;
    item.id = d.str();
    item.kind = UsageKind::blob;
    item.size = content.size(d).value_or(0);
    item.created = item.last_used = mtime_seconds(content.blob_path(d));
    item.description = "blob " + short_digest(d.str());
    s.usage.items.push_back(std::move(item));
  }
  std::stable_sort(
      s.usage.items.begin(), s.usage.items.end(),
      [](const UsageItem& a, const UsageItem& b) { return a.last_used < b.last_used; });
  for (size_t i = 0; i < s.usage.items.size(); ++i) {
    const auto& item = s.usage.items[i];
    s.by_id[item.id] = i;
    s.usage.total += item.size;
    if (item.shared)
      s.usage.shared += item.size;
    if (!item.in_use)
      s.usage.reclaimable += item.size;
  }
  return s;
}

// Snapshot refs reachable from `roots` through parent links.
std::set<std::string> close_over_parents(const Scan& s, const std::set<std::string>& roots) {
  std::set<std::string> out;
  for (const auto& root : roots)
    for (std::string cur = root; !cur.empty() && out.insert(cur).second;) {
      auto it = s.by_id.find(cur);
      if (it == s.by_id.end())
        break;
      cur = s.usage.items[it->second].parent;
    }
  return out;
}

// What has to stay whatever records are dropped: live leases and, without
// --all, base-image layers.
std::set<std::string> pinned_roots(const Scan& s, const std::set<std::string>& leased,
                                   PruneAll all) {
  std::set<std::string> roots = leased;
  if (all == PruneAll::no)
    for (const auto& item : s.usage.items)
      if (item.kind == UsageKind::image_layer)
        roots.insert(item.id);
  return roots;
}

// Bytes that would remain if only `kept` records stayed.
int64_t usage_after(const Scan& s, const std::set<std::string>& kept_refs,
                    const std::set<std::string>& pinned, bool sweep_loose_blobs) {
  std::set<std::string> roots = pinned;
  roots.insert(kept_refs.begin(), kept_refs.end());
  auto needed = close_over_parents(s, roots);
  int64_t total = 0;
  for (const auto& item : s.usage.items)
    if (item.kind == UsageKind::blob ? !sweep_loose_blobs : needed.count(item.id) > 0)
      total += item.size;
  return total;
}

std::optional<int64_t> size_target(const GcOptions& o, const fs::path& root, int64_t total) {
  if (!o.max_used && !o.min_free && !o.reserved)
    return std::nullopt; // no size limit: drop every record the filter matches
  int64_t target = o.max_used ? *o.max_used : (o.min_free ? total : 0);
  if (o.min_free) {
    struct statvfs vfs {};
    if (::statvfs(root.c_str(), &vfs) == 0) {
      int64_t free_bytes = static_cast<int64_t>(vfs.f_bavail) * static_cast<int64_t>(vfs.f_frsize);
      if (free_bytes < *o.min_free)
        target = std::min(target, total - (*o.min_free - free_bytes));
    }
  }
  if (o.reserved)
    target = std::max(target, *o.reserved);
  return std::max<int64_t>(target, 0);
}

// Step 1: the records to drop, least recently used first.
std::vector<Record> choose_records(const Scan& s, const GcOptions& o,
                                   const std::set<std::string>& leased,
                                   const std::set<std::string>& pinned, bool sweep_loose_blobs,
                                   const fs::path& root) {
  const int64_t now = now_seconds();
  std::vector<const Record*> candidates;
  for (const auto& r : s.records) { // already least recently used first
    if (leased.count(r.ref))
      continue;
    auto it = s.by_id.find(r.ref);
    UsageItem item;
    if (it != s.by_id.end())
      item = s.usage.items[it->second];
    else
      item.id = r.ref; // a record whose snapshot is gone: dropping it is free
    item.last_used = r.last_used;
    if (o.all == PruneAll::no && item.kind == UsageKind::image_layer)
      continue;
    if (!o.filter.matches(item, now))
      continue;
    candidates.push_back(&r);
  }
  std::vector<Record> out;
  auto target = size_target(o, root, s.usage.total);
  if (!target) {
    for (const auto* r : candidates)
      out.push_back(*r);
    return out;
  }
  std::set<std::string> dropped_keys;
  auto kept_refs = [&] {
    std::set<std::string> refs;
    for (const auto& r : s.records)
      if (!dropped_keys.count(r.key))
        refs.insert(r.ref);
    return refs;
  };
  for (const auto* r : candidates) {
    if (usage_after(s, kept_refs(), pinned, sweep_loose_blobs) <= *target)
      break;
    dropped_keys.insert(r->key);
    out.push_back(*r);
  }
  return out;
}

int depth_of(const Scan& s, const std::string& id) {
  int depth = 0;
  for (std::string cur = id; !cur.empty() && depth < 100000; ++depth) {
    auto it = s.by_id.find(cur);
    if (it == s.by_id.end())
      break;
    cur = s.usage.items[it->second].parent;
  }
  return depth;
}

// What the mark phase decided, for the sweep.
struct Sweep {
  std::set<std::string> needed;   // snapshots that stay
  std::set<std::string> released; // snapshots the dropped records were holding
  bool orphans = false;           // also unreferenced ones (no one else has the state open)
  bool loose_blobs = false;       // also blobs that belong to no layer (--all, alone)
  std::set<std::string> freed_layer_blobs; // blobs of the layer records removed
};

// Snapshots deepest first (children before parents), their layer records
// with them.
Result<void> sweep_snapshots(build::EngineState& state, const Scan& s, Sweep& sweep,
                             GcReport& report) {
  std::vector<const UsageItem*> doomed;
  for (const auto& item : s.usage.items)
    if (item.kind != UsageKind::blob && !sweep.needed.count(item.id) &&
        (sweep.orphans || sweep.released.count(item.id)))
      doomed.push_back(&item);
  std::stable_sort(doomed.begin(), doomed.end(), [&](const UsageItem* a, const UsageItem* b) {
    return depth_of(s, a->id) > depth_of(s, b->id);
  });
  for (const auto* item : doomed) {
    // A lazy layer has no snapshot, and no snapshot above it (extraction
    // goes bottom up), so only its record goes.
    bool lazy = s.lazy.count(item->id) && !state.snapshots().exists(item->id);
    if (!lazy && !state.snapshots().remove(item->id))
      continue; // still the parent of a snapshot (maybe an active one): keep it
    TRY_VOID(state.remove_layer(item->id));
    UsageItem gone = *item;
    if (auto b = s.blob_of.find(item->id); b != s.blob_of.end()) {
      // The blob is credited back in sweep_blobs() if it really goes.
      sweep.freed_layer_blobs.insert(b->second);
      if (auto bytes = s.blob_bytes.find(b->second); bytes != s.blob_bytes.end())
        gone.size -= bytes->second;
    }
    report.removed.push_back(std::move(gone));
  }
  // Layer records whose snapshot vanished (a crash between the two writes).
  if (sweep.orphans)
    for (const auto& ref : state.layer_refs())
      if (!sweep.needed.count(ref) && !state.snapshots().exists(ref))
        TRY_VOID(state.remove_layer(ref));
  return {};
}

// Blobs no remaining layer record names: those of the removed layers, and
// with --all every loose one.
Result<void> sweep_blobs(build::EngineState& state, const Scan& s, const Sweep& sweep,
                         GcReport& report) {
  std::set<std::string> referenced, layer_blobs;
  for (const auto& kv : s.blob_of)
    layer_blobs.insert(kv.second);
  for (const auto& ref : state.layer_refs())
    if (auto rec = state.layer(ref); rec && *rec)
      referenced.insert((*rec)->blob.digest.str());
  for (const auto& d : state.content().list()) {
    std::string digest = d.str();
    bool loose = !layer_blobs.count(digest);
    if (referenced.count(digest) ||
        !(sweep.freed_layer_blobs.count(digest) || (loose && sweep.loose_blobs)))
      continue;
    int64_t bytes = state.content().size(d).value_or(0);
    if (!state.content().remove(d))
      continue;
    if (loose) {
      UsageItem item;
      if (auto it = s.by_id.find(digest); it != s.by_id.end())
        item = s.usage.items[it->second];
      item.id = digest;
      item.kind = UsageKind::blob;
      item.size = bytes;
      report.removed.push_back(std::move(item));
      continue;
    }
    for (auto& item : report.removed)
      if (auto b = s.blob_of.find(item.id); b != s.blob_of.end() && b->second == digest) {
        item.size += bytes;
        break;
      }
  }
  if (sweep.loose_blobs)
    state.content().remove_stale_ingests(std::chrono::hours(1));
  return {};
}

} // namespace

const char* kind_name(UsageKind kind) {
  switch (kind) {
  case UsageKind::build_layer:
    return "regular";
  case UsageKind::image_layer:
    return "source.image";
  case UsageKind::blob:
    return "content";
  }
  return "regular";
}

bool ItemFilter::matches(const UsageItem& item, int64_t now) const {
  if (until && now - item.last_used < until->count())
    return false;
  if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), item.kind) == kinds.end())
    return false;
  if (!id_prefixes.empty()) {
    auto colon = item.id.find(':');
    std::string hex = colon == std::string::npos ? item.id : item.id.substr(colon + 1);
    bool any = std::any_of(id_prefixes.begin(), id_prefixes.end(), [&](const std::string& p) {
      return util::starts_with(hex, p) || util::starts_with(item.id, p);
    });
    if (!any)
      return false;
  }
  return true;
}

Result<ItemFilter> parse_filters(const std::vector<std::string>& filters) {
  ItemFilter f;
  for (const auto& raw : filters) {
    auto eq = raw.find('=');
    if (eq == std::string::npos || eq == 0)
      return fail("invalid filter \"" + raw +
                  "\": use key=value (until=24h, id=PREFIX, type=regular)");
    std::string key = util::to_lower(raw.substr(0, eq)), value = raw.substr(eq + 1);
    if (key == "until" || key == "unused-for" || key == "unused_for") {
      f.until = TRY(parse_duration(value));
    } else if (key == "id") {
      f.id_prefixes.push_back(value);
    } else if (key == "type") {
      if (value == "regular" || value == "build")
        f.kinds.push_back(UsageKind::build_layer);
      else if (value == "source.image" || value == "image")
        f.kinds.push_back(UsageKind::image_layer);
      else if (value == "content" || value == "blob")
        f.kinds.push_back(UsageKind::blob);
      else
        return fail("invalid filter \"" + raw +
                    "\": type is one of regular, source.image, content");
    } else {
      return fail("invalid filter \"" + raw + "\": unknown key \"" + key +
                  "\"; supported: until, id, type");
    }
  }
  return f;
}

Result<std::chrono::seconds> parse_duration(const std::string& text) {
  auto bad = [&] {
    return fail("invalid duration \"" + text + "\": use a number and a unit, e.g. 24h, 90m, 1h30m");
  };
  if (text.empty())
    return bad();
  double total = 0;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.'))
      ++i;
    if (start == i)
      return bad();
    double value = std::strtod(text.substr(start, i - start).c_str(), nullptr);
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i])))
      ++i;
    std::string unit = text.substr(ustart, i - ustart);
    static const std::map<std::string, double> k_units = {
        {"ns", 1e-9}, {"us", 1e-6}, {"µs", 1e-6}, {"ms", 1e-3}, {"s", 1},
        {"m", 60},    {"h", 3600},  {"d", 86400}, {"w", 604800}};
    auto it = k_units.find(unit);
    if (it == k_units.end())
      return text == "0" ? Result<std::chrono::seconds>(std::chrono::seconds(0)) : bad();
    total += value * it->second;
  }
  return std::chrono::seconds(static_cast<int64_t>(total));
}

Result<int64_t> parse_size(const std::string& text) {
  std::string t = util::to_lower(std::string(util::trim(text)));
  size_t i = 0;
  while (i < t.size() && (std::isdigit(static_cast<unsigned char>(t[i])) || t[i] == '.'))
    ++i;
  if (i == 0)
    return fail("invalid size \"" + text +
                "\": use a number with an optional unit, e.g. 10GB, 512MB");
  double value = std::strtod(t.substr(0, i).c_str(), nullptr);
  std::string unit = std::string(util::trim(t.substr(i)));
  static const std::map<std::string, double> k_units = {{"", 1},
                                                        {"b", 1},
                                                        {"k", 1024.0},
                                                        {"kb", 1024.0},
                                                        {"kib", 1024.0},
                                                        {"m", 1048576.0},
                                                        {"mb", 1048576.0},
                                                        {"mib", 1048576.0},
                                                        {"g", 1073741824.0},
                                                        {"gb", 1073741824.0},
                                                        {"gib", 1073741824.0},
                                                        {"t", 1099511627776.0},
                                                        {"tb", 1099511627776.0},
                                                        {"tib", 1099511627776.0}};
  auto it = k_units.find(unit);
  if (it == k_units.end())
    return fail("invalid size \"" + text + "\": unknown unit \"" + unit +
                "\" (use B, KB, MB, GB, TB)");
  return static_cast<int64_t>(value * it->second);
}

std::string human_size(int64_t bytes) {
  return util::human_size(static_cast<double>(bytes), util::SizeUnits::decimal);
}

std::string human_duration(std::chrono::seconds d) {
  // Thresholds of github.com/docker/go-units HumanDuration.
  int64_t s = d.count();
  auto n = [](int64_t v, const char* unit) { return std::to_string(v) + " " + unit; };
  if (s < 1)
    return "Less than a second";
  if (s == 1)
    return "1 second";
  if (s < 60)
    return n(s, "seconds");
  int64_t m = s / 60;
  if (m == 1)
    return "About a minute";
  if (m < 60)
    return n(m, "minutes");
  int64_t h = static_cast<int64_t>(std::llround(static_cast<double>(s) / 3600));
  if (h == 1)
    return "About an hour";
  if (h < 48)
    return n(h, "hours");
  if (h < 24 * 7 * 2)
    return n(h / 24, "days");
  if (h < 24 * 30 * 2)
    return n(h / 24 / 7, "weeks");
  if (h < 24 * 365 * 2)
    return n(h / 24 / 30, "months");
  return n(h / 24 / 365, "years");
}

Result<Usage> disk_usage(build::EngineState& state) { return TRY(scan(state)).usage; }

Result<GcReport> prune(build::EngineState& state, const GcOptions& options) {
  GcReport report;
  auto& index = state.cache();
  TRY_VOID(index.forget_dead_leases());
  report.other_users = TRY(index.other_users());
  const bool alone = report.other_users.empty();
  Scan s = TRY(scan(state));

  // 1. Drop records.
  auto leased = TRY(index.leased_by_others());
  auto pinned = pinned_roots(s, leased, options.all);
  auto dropped = choose_records(s, options, leased, pinned, options.all == PruneAll::yes && alone,
                                state.root());
  std::set<std::string> dropped_refs;
  for (const auto& r : dropped) {
    TRY_VOID(index.remove(r.key));
    dropped_refs.insert(r.ref);
  }
  report.records_removed = dropped.size();

  // 2. Mark, from what is in the index now (builds may have added records).
  std::set<std::string> roots = pinned_roots(s, TRY(index.leased_by_others()), options.all);
  for (const auto& r : TRY(index.records()))
    roots.insert(r.ref);
  Sweep sweep;
  sweep.needed = close_over_parents(s, roots);
  sweep.released = close_over_parents(s, dropped_refs);
  // A build that opened the state since the start makes orphans unsafe.
  if (alone)
    report.other_users = TRY(index.other_users());
  sweep.orphans = report.other_users.empty();
  sweep.loose_blobs = options.all == PruneAll::yes && sweep.orphans;

  // 3. Sweep.
  TRY_VOID(sweep_snapshots(state, s, sweep, report));
  TRY_VOID(sweep_blobs(state, s, sweep, report));
  // What a rebuilt COPY would link from (build/copy_reuse.hpp) goes with
  // its snapshot.
  build::CopyReuse::forget_missing(state);
  for (const auto& item : report.removed)
    report.reclaimed += item.size;
  return report;
}

} // namespace xbuild::engine::cache
