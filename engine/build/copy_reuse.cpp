#include "engine/build/copy_reuse.hpp"

#include <cerrno>
#include <unistd.h>

#include "engine/build/context_digests.hpp"
#include "util/fs.hpp"
#include "util/sha256.hpp"
#include "util/strings.hpp"

namespace xbuild::engine::build {

CopyReuse CopyReuse::load(EngineState& state, const std::string& key) {
  util::Sha256 h;
  h.update(key);
  CopyReuse out(state, state.root() / "copy-reuse" / h.hex_digest());
  auto text = util::read_file(out.m_record);
  if (!text)
    return out;
  auto nl = text->find('\n');
  std::string name = text->substr(0, nl);
  if (nl == std::string::npos || !state.snapshots().exists(name))
    return out;
  auto chain = state.snapshots().chain(name);
  if (!chain || chain->empty())
    return out;
  out.m_prev_dir = chain->front();
  for (size_t pos = nl + 1; pos < text->size();) {
    size_t end = text->find('\n', pos);
    if (end == std::string::npos)
      end = text->size();
    std::string_view line(text->data() + pos, end - pos);
    if (auto tab = line.find('\t'); tab != std::string_view::npos)
      out.m_prev.emplace(std::string(line.substr(tab + 1)), std::string(line.substr(0, tab)));
    pos = end + 1;
  }
  return out;
}

std::string CopyReuse::rel_of(const std::filesystem::path& dst) const {
  return dst.lexically_relative(m_dest_root).generic_string();
}

bool CopyReuse::reuse(const std::filesystem::path& dst, const struct stat& src_st, unsigned uid,
                      unsigned gid, unsigned mode) {
  if (m_prev_dir.empty() || m_dest_root.empty() || changed_recently(src_st))
    return false;
  std::string rel = rel_of(dst);
  std::string sig = stat_signature(src_st);
  auto it = m_prev.find(rel);
  if (it == m_prev.end() || it->second != sig)
    return false;
  std::filesystem::path earlier = m_prev_dir / rel;
  struct stat st {};
  if (::lstat(earlier.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != uid ||
      st.st_gid != gid || (st.st_mode & 07777) != (mode & 07777) || st.st_size != src_st.st_size)
    return false;
  if (::link(earlier.c_str(), dst.c_str()) != 0) {
    if (errno != EEXIST || ::unlink(dst.c_str()) != 0 || ::link(earlier.c_str(), dst.c_str()) != 0)
      return false; // another filesystem, too many links...: copy it
  }
  m_now.emplace_back(std::move(rel), std::move(sig));
  ++m_linked;
  return true;
}

void CopyReuse::copied(const std::filesystem::path& dst, const struct stat& src_st) {
  if (m_dest_root.empty() || changed_recently(src_st))
    return;
  std::string rel = rel_of(dst);
  if (rel.find('\n') == std::string::npos)
    m_now.emplace_back(std::move(rel), stat_signature(src_st));
}

size_t CopyReuse::forget_missing(EngineState& state) {
  size_t removed = 0;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(state.root() / "copy-reuse", ec), end;
       !ec && it != end; it.increment(ec)) {
    auto text = util::read_file(it->path());
    std::string name = text ? text->substr(0, text->find('\n')) : "";
    // A record being written is a ".tmp-" file of write_file_atomic: skip it.
    if (it->path().filename().string().find(".tmp-") != std::string::npos ||
        (!name.empty() && state.snapshots().exists(name)))
      continue;
    std::error_code rm;
    if (std::filesystem::remove(it->path(), rm))
      ++removed;
  }
  return removed;
}

Result<void> CopyReuse::save(const std::string& name) const {
  if (m_dest_root.empty())
    return {};
  std::string text = name + "\n";
  for (const auto& [rel, sig] : m_now)
    text += sig + "\t" + rel + "\n";
  std::error_code ec;
  std::filesystem::create_directories(m_record.parent_path(), ec);
  return util::write_file_atomic(m_record, text, 0644);
}

} // namespace xbuild::engine::build
