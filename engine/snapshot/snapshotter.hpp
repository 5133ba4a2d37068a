#pragma once
// Root-filesystem snapshots, the storage under every build step.
//
// A *committed* snapshot is an immutable layer directory plus a parent link;
// a chain of them is a root filesystem. An *active* snapshot is a writable
// view on top of a committed chain (or of nothing): the solver prepares one,
// extracts a layer into it or runs a RUN step in it (its root() is the
// sandbox's rootfs), asks for the diff, and commits it under a name —
// normally the layer's chain id, so identical layers are stored once.
//
// Two backends:
// * overlay: the view is an overlayfs mount, lowerdir = the chain's layer
//   directories, upperdir/workdir private to the active snapshot. Commit
//   turns the upper dir into the new layer directory without copying; the
//   diff reads only the upper dir.
// * copy: the view is a plain directory holding a full copy of the parent's
//   tree; commit keeps it; the diff compares it with the parent's tree. Used
//   when overlay cannot be mounted (no root, nested overlay, old kernel).
//
// On-disk layout under the state root (see docs/dev/snapshots.md):
//   snapshots/<id>/parent     parent id ("" for none), written at prepare
//   snapshots/<id>/fs/        overlay: upper → layer dir; copy: the full tree
//   snapshots/<id>/work/      overlay workdir (active only)
//   snapshots/<id>/merged/    overlay mount point (active only)
//   snapshots/<id>/committed  marker, contains the name (written last)
//   snapshots/<id>/lock       flock()ed while the snapshot is active
//   names/<name>              symlink to ../snapshots/<id>; created with
//                             symlink(2), which is atomic and fails if it
//                             exists, so two processes committing the same
//                             layer agree on one copy.
// Ids are small integers so that many lowerdirs fit in one mount option
// (passed relative to snapshots/ when absolute paths would not fit).

#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/snapshot/change.hpp"
#include "util/error.hpp"

namespace xbuild::engine::snapshot {

enum class Backend { overlay, copy };
enum class BackendChoice { automatic, overlay, copy };

class Snapshotter;

// A writable view. Unless committed, destruction unmounts it and deletes its
// directory. Not copyable; belongs to one step at a time.
class Active {
public:
  Active(Active&&) noexcept;
  Active& operator=(Active&&) = delete;
  Active(const Active&) = delete;
  ~Active();
  // The root filesystem to work in (the sandbox's rootfs).
  const std::filesystem::path& root() const { return m_root; }
  const std::string& id() const { return m_id; }

private:
  friend class Snapshotter;
  Active(const Snapshotter* owner, std::string id, std::filesystem::path root, int lock_fd)
      : m_owner(owner), m_id(std::move(id)), m_root(std::move(root)), m_lock_fd(lock_fd) {}
  void release_lock();
  const Snapshotter* m_owner;
  std::string m_id;
  std::filesystem::path m_root;
  int m_lock_fd = -1; // flock held while active: tells remove_stale() it is alive
};

class Snapshotter {
public:
  // Opens (creating if needed) the state under `root` and picks the backend:
  // `automatic` probes an overlay mount there and falls back to copy.
  static Result<std::unique_ptr<Snapshotter>> open(const std::filesystem::path& root,
                                                   BackendChoice choice = BackendChoice::automatic);

  Backend backend() const { return m_backend; }
  // The state directory (scratch space on the same filesystem lives here).
  const std::filesystem::path& root() const { return m_root; }

  // A writable view on top of the committed snapshot `parent` ("" = empty).
  Result<Active> prepare(const std::string& parent);

  // What changed in `active` relative to its parent.
  Result<std::vector<Change>> diff(const Active& active) const;

  // The directory holding the changed entries' current content, for
  // stage_changes(): the overlay upper dir, or the view itself.
  std::filesystem::path changes_root(const Active& active) const;

  // Makes the existing directory `dir` (a path under active.root()) present
  // in the overlay upper dir with its current metadata — what overlay does
  // to a directory when something is created in it. No-op for copy.
  Result<void> copy_up_dir(const Active& active, const std::filesystem::path& dir) const;

  // Ends an overlay view's mount: its changes stay in changes_root(), where
  // the caller may add new entries directly (plain directory writes, much
  // cheaper than creating files through overlayfs). root() is unusable
  // afterwards. No-op for copy, whose root() is changes_root().
  Result<void> detach(const Active& active) const;

  // Freezes `active` under `name`. If `name` was committed meanwhile (by
  // another step or process), the active snapshot is discarded and the
  // existing one kept: identical layers are stored once. Returns the name.
  Result<std::string> commit(Active&& active, const std::string& name);

  bool exists(const std::string& name) const;

  // The names of all committed snapshots (for `du` and `prune`), unordered.
  std::vector<std::string> names() const;

  // A read-only view of a committed snapshot for exporting or COPY --from:
  // its full root filesystem. For overlay this is an active snapshot whose
  // writes are simply never committed.
  Result<Active> view(const std::string& name) { return prepare(name); }

  // Deletes a committed snapshot; refused while another snapshot has it as
  // parent.
  Result<void> remove(const std::string& name);

  // Deletes what crashed processes left: active snapshots nobody holds
  // (unmounting their overlay), half-created ones and staging dirs. Safe
  // while other processes use the same state: live snapshots hold a lock.
  // Returns how many directories were removed. open() calls it.
  Result<size_t> remove_stale() const;

  // The layer directories of `name`'s chain, topmost first (for overlay these
  // are the lowerdirs; for copy, one full tree).
  Result<std::vector<std::filesystem::path>> chain(const std::string& name) const;

private:
  friend class Active;
  Snapshotter(std::filesystem::path root, Backend backend)
      : m_root(std::move(root)), m_backend(backend) {}
  std::filesystem::path dir(const std::string& id) const;
  Result<std::string> resolve(const std::string& name) const;
  // Creates snapshots/<id>/ with its lock file held; returns id and lock fd.
  Result<std::pair<std::string, int>> allocate_id();
  Result<std::vector<std::filesystem::path>> chain_of_id(const std::string& id) const;
  Result<std::string> parent_of(const std::string& id) const;
  void discard(const std::string& id) const;

  std::filesystem::path m_root;
  Backend m_backend;
};

// Mounts an overlay of `lowers` (topmost first) with `upper` and `work` at
// `target`, with redirect_dir, index and metacopy off so that the upper dir
// stays a plain, diffable layer. When absolute paths exceed the one-page
// option limit and `relative_to` (a common parent) is given, the paths are
// passed relative to it, which fits several hundred layers.
Result<void> mount_overlay(const std::vector<std::filesystem::path>& lowers,
                           const std::filesystem::path& upper, const std::filesystem::path& work,
                           const std::filesystem::path& target,
                           const std::filesystem::path& relative_to = {});

} // namespace xbuild::engine::snapshot
