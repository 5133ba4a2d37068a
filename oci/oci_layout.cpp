#include "oci/oci_layout.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>

#include "oci/image_walk.hpp"
#include "oci/tar_reader.hpp"
#include "oci/tar_writer.hpp"
#include "util/fs.hpp"
#include "util/strings.hpp"

namespace xbuild::oci {

namespace {

Descriptor annotated(const LayoutRoot& root) {
  Descriptor d = root.descriptor;
  d.platform.reset();
  if (root.name) {
    std::string tag = root.name->tag.empty() ? root.name->digest.str() : root.name->tag;
    d.annotations[std::string(k_ref_name_annotation)] = tag;
    d.annotations[std::string(k_containerd_name_annotation)] = root.name->str();
  }
  return d;
}

std::vector<Descriptor> root_descriptors(const std::vector<LayoutRoot>& roots) {
  std::vector<Descriptor> out;
  for (auto& r : roots)
    out.push_back(r.descriptor);
  return out;
}

std::string ref_name(const Descriptor& d) {
  auto it = d.annotations.find(std::string(k_ref_name_annotation));
  return it == d.annotations.end() ? std::string() : it->second;
}

// Copies a store blob into a layout. Not a hard link: the layout belongs to
// the user, and an edit there must never corrupt the store. A reflink
// (FICLONE) makes the copy free on filesystems that support it.
Result<void> copy_blob(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  if (fs::exists(to, ec))
    return {}; // content addressed: same name, same bytes
  fs::path tmp = to;
  tmp += ".tmp-" + std::to_string(::getpid());
  int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return fail("cannot read " + from.string() + ": " + std::strerror(errno));
  int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) {
    int err = errno;
    ::close(in);
    return fail("cannot create " + tmp.string() + ": " + std::strerror(err));
  }
  bool ok = ::ioctl(out, FICLONE, in) == 0;
  if (!ok) {
    std::vector<char> buf(256 * 1024);
    ok = true;
    for (;;) {
      ssize_t n = ::read(in, buf.data(), buf.size());
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0) {
        ok = n == 0;
        break;
      }
      if (::write(out, buf.data(), static_cast<size_t>(n)) != n) {
        ok = false;
        break;
      }
    }
  }
  int err = errno;
  ::close(in);
  ok = ::close(out) == 0 && ok;
  if (!ok) {
    ::unlink(tmp.c_str());
    return fail("cannot copy " + from.string() + " to " + to.string() + ": " + std::strerror(err));
  }
  fs::rename(tmp, to, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return fail("cannot move " + tmp.string() + " into place: " + ec.message());
  }
  return {};
}

// Streams an open file into the store, verified against `d`.
Result<void> copy_fd_into_store(int fd, ContentStore& store, const Descriptor& d,
                                const fs::path& path) {
  auto w = TRY(store.writer(d.digest, d.size));
  std::vector<char> buf(256 * 1024);
  for (;;) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return fail("cannot read " + path.string() + ": " + std::strerror(errno));
    if (n == 0)
      break;
    TRY_VOID(w->write(buf.data(), static_cast<size_t>(n)));
  }
  auto committed = w->commit();
  if (!committed)
    return fail(path.string() + ": " + committed.error().message);
  return {};
}

} // namespace

Result<ManifestBytes> write_oci_layout_dir(const ContentStore& store,
                                           const std::vector<LayoutRoot>& roots,
                                           const fs::path& dir) {
  auto blobs = TRY(referenced_blobs(store, root_descriptors(roots)));
  std::error_code ec;
  fs::create_directories(dir / "blobs" / "sha256", ec);
  if (ec)
    return fail("cannot create OCI layout directory " + dir.string() + ": " + ec.message());

  ImageIndex index;
  if (fs::exists(dir / "index.json")) {
    auto existing = open_oci_layout(dir);
    if (!existing)
      return fail(existing.error().message +
                  "; choose an empty directory or remove the broken layout");
    std::vector<std::string> replaced;
    for (auto& r : roots)
      if (r.name)
        replaced.push_back(r.name->tag.empty() ? r.name->digest.str() : r.name->tag);
    for (auto& d : existing->index.manifests) {
      std::string name = ref_name(d);
      if (name.empty() || std::find(replaced.begin(), replaced.end(), name) == replaced.end())
        index.manifests.push_back(d);
    }
  }
  for (auto& b : blobs)
    TRY_VOID(copy_blob(store.blob_path(b.digest), dir / "blobs" / "sha256" / b.digest.encoded));
  for (auto& r : roots)
    index.manifests.push_back(annotated(r));
  ManifestBytes out = TRY(encode_index(index));
  TRY_VOID(util::write_file_atomic(dir / "oci-layout", k_oci_layout_file_content));
  // index.json last: a layout is only valid once every blob it names exists.
  TRY_VOID(util::write_file_atomic(dir / "index.json", out.bytes));
  return out;
}

Result<ManifestBytes> write_oci_layout_tar(const ContentStore& store,
                                           const std::vector<LayoutRoot>& roots,
                                           const WriteFn& sink) {
  auto blobs = TRY(referenced_blobs(store, root_descriptors(roots)));
  ImageIndex index;
  for (auto& r : roots)
    index.manifests.push_back(annotated(r));
  ManifestBytes out = TRY(encode_index(index));
  auto tar = TRY(TarWriter::open(sink));
  TRY_VOID(tar->add_bytes("oci-layout", k_oci_layout_file_content));
  TRY_VOID(tar->add_bytes("index.json", out.bytes));
  TRY_VOID(tar->add_directory("blobs/"));
  TRY_VOID(tar->add_directory("blobs/sha256/"));
  for (auto& b : blobs)
    TRY_VOID(tar->add_file("blobs/sha256/" + b.digest.encoded, store.blob_path(b.digest)));
  TRY_VOID(tar->close());
  return out;
}

fs::path OciLayout::blob_path(const Digest& d) const {
  return dir / "blobs" / d.algorithm / d.encoded;
}

Result<std::string> OciLayout::read_blob(const Digest& d) const {
  auto bytes = util::read_file(blob_path(d));
  if (!bytes)
    return fail("OCI layout " + dir.string() + " is missing blob " + d.str() +
                "; the layout is incomplete, write it again");
  if (Digest::of(*bytes) != d)
    return fail("OCI layout " + dir.string() + ": blob " + d.str() +
                " does not match its digest; the layout is corrupt, write it again");
  return std::move(*bytes);
}

Result<Descriptor> OciLayout::find(std::string_view ref) const {
  if (ref.empty()) {
    if (index.manifests.size() == 1)
      return index.manifests[0];
    return fail("OCI layout " + dir.string() + " holds " + std::to_string(index.manifests.size()) +
                " images; name one with oci-layout://" + dir.string() + ":<tag>");
  }
  for (auto& d : index.manifests)
    if (ref_name(d) == ref)
      return d;
  for (auto& d : index.manifests) {
    auto it = d.annotations.find(std::string(k_containerd_name_annotation));
    if (it != d.annotations.end() && it->second == ref)
      return d;
  }
  std::vector<std::string> names;
  for (auto& d : index.manifests)
    if (!ref_name(d).empty())
      names.push_back(ref_name(d));
  return fail("OCI layout " + dir.string() + " has no image named \"" + std::string(ref) +
              "\" (names: " + (names.empty() ? std::string("none") : util::join(names, ", ")) +
              ")");
}

Result<OciLayout> open_oci_layout(const fs::path& dir) {
  auto header = util::read_file(dir / "oci-layout");
  if (!header)
    return fail(dir.string() + " is not an OCI layout: it has no oci-layout file");
  nlohmann::json h = nlohmann::json::parse(*header, nullptr, false);
  if (!h.is_object() || !h.contains("imageLayoutVersion") || !h["imageLayoutVersion"].is_string() ||
      !util::starts_with(h["imageLayoutVersion"].get<std::string>(), "1."))
    return fail(dir.string() + "/oci-layout is not {\"imageLayoutVersion\":\"1.x\"}; the " +
                "layout was written by an incompatible tool");
  auto index_text = util::read_file(dir / "index.json");
  if (!index_text)
    return fail(dir.string() + " is not a complete OCI layout: index.json is missing");
  OciLayout layout;
  layout.dir = dir;
  layout.index = TRY(parse_image_index(*index_text, (dir / "index.json").string()));
  layout.index_bytes =
      ManifestBytes::from(std::string(media_type::k_oci_index), std::move(*index_text));
  return layout;
}

Result<ManifestBytes> import_oci_layout(const fs::path& dir, ContentStore& store) {
  OciLayout layout = TRY(open_oci_layout(dir));
  // Walk breadth-first through the layout's own blobs, verifying on ingest.
  std::vector<Descriptor> queue = layout.index.manifests;
  std::set<Digest> done;
  while (!queue.empty()) {
    Descriptor d = queue.back();
    queue.pop_back();
    if (!done.insert(d.digest).second)
      continue;
    if (!store.exists(d.digest)) {
      int fd = ::open(layout.blob_path(d.digest).c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        if (!d.urls.empty())
          continue;
        return fail("OCI layout " + dir.string() + " is missing blob " + d.digest.str() + " (" +
                    d.media_type + "); the layout is incomplete");
      }
      auto r = copy_fd_into_store(fd, store, d, layout.blob_path(d.digest));
      ::close(fd);
      TRY_VOID(r);
    }
    if (is_index(d.media_type)) {
      auto idx = TRY(parse_image_index(TRY(store.get(d.digest)), "index " + d.digest.str()));
      queue.insert(queue.end(), idx.manifests.begin(), idx.manifests.end());
    } else if (is_manifest(d.media_type)) {
      auto m = TRY(parse_image_manifest(TRY(store.get(d.digest)), "manifest " + d.digest.str()));
      queue.push_back(m.config);
      queue.insert(queue.end(), m.layers.begin(), m.layers.end());
    }
  }
  return layout.index_bytes;
}

Result<ManifestBytes> import_oci_archive(const ReadFn& source, ContentStore& store,
                                         const std::string& what) {
  auto reader = TRY(TarReader::open(source, what, "expected an OCI layout tarball",
                                    /*allow_empty=*/false));
  struct archive* a = reader->get();
  auto archive_error = [&](const std::string& doing) {
    return tl::unexpected(reader->error(doing));
  };
  std::optional<std::string> index_text;
  bool have_header = false;
  std::vector<char> buf(256 * 1024);
  for (;;) {
    archive_entry* e = nullptr;
    int rc = archive_read_next_header(a, &e);
    if (rc == ARCHIVE_EOF)
      break;
    if (rc < ARCHIVE_WARN)
      return archive_error("cannot read the next entry");
    std::string name = archive_entry_pathname(e);
    while (util::starts_with(name, "./"))
      name = name.substr(2);
    if (archive_entry_filetype(e) != AE_IFREG)
      continue;
    bool is_blob = util::starts_with(name, "blobs/sha256/");
    if (name != "index.json" && name != "oci-layout" && !is_blob)
      continue;
    Digest expected;
    std::unique_ptr<BlobWriter> writer;
    if (is_blob) {
      auto d = Digest::parse("sha256:" + name.substr(13), what + " entry " + name);
      if (!d)
        return tl::unexpected(d.error());
      expected = *d;
      if (!store.exists(expected))
        writer = TRY(store.writer(expected, archive_entry_size(e)));
    }
    std::string small;
    for (;;) {
      la_ssize_t n = archive_read_data(a, buf.data(), buf.size());
      if (n < 0)
        return archive_error("cannot read " + name);
      if (n == 0)
        break;
      if (writer)
        TRY_VOID(writer->write(buf.data(), static_cast<size_t>(n)));
      else if (!is_blob)
        small.append(buf.data(), static_cast<size_t>(n));
    }
    if (writer) {
      auto committed = writer->commit();
      if (!committed)
        return fail(what + " entry " + name + ": " + committed.error().message);
    }
    if (name == "index.json")
      index_text = std::move(small);
    else if (name == "oci-layout")
      have_header = true;
  }
  if (!have_header || !index_text)
    return fail(what + " is not an OCI layout tarball (it lacks " +
                std::string(!have_header ? "oci-layout" : "index.json") + ")");
  ImageIndex index = TRY(parse_image_index(*index_text, what + " index.json"));
  // Every referenced blob must now be present (and was verified on ingest).
  TRY_VOID(referenced_blobs(store, index.manifests));
  return ManifestBytes::from(std::string(media_type::k_oci_index), std::move(*index_text));
}

} // namespace xbuild::oci
