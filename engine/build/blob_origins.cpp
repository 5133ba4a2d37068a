#include "engine/build/blob_origins.hpp"

namespace xbuild::engine::build {

void BlobOrigins::add(const oci::Digest& digest, BlobOrigin origin) {
  std::lock_guard lock(m_mutex);
  auto& list = m_origins[digest];
  for (const auto& o : list)
    if (o.host == origin.host && o.repository == origin.repository && !o.host.empty())
      return; // the same repository twice (two platforms, two stages)
  list.push_back(std::move(origin));
}

std::vector<BlobOrigin> BlobOrigins::find(const oci::Digest& digest) const {
  std::lock_guard lock(m_mutex);
  auto it = m_origins.find(digest);
  return it == m_origins.end() ? std::vector<BlobOrigin>{} : it->second;
}

} // namespace xbuild::engine::build
