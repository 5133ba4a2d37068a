// Blob upload: HEAD → (mount) → POST → PUT.
//
// HEAD and POST are safe to repeat, so they retry on their own. The PUT (or
// PATCH) is not: once it has streamed part of a body, the upload session on
// the registry holds an unknown prefix, and resending into it would corrupt
// the blob. So a failed PUT restarts the whole sequence: a fresh POST opens a
// clean session, and the HEAD at the start of each attempt notices a blob
// that did arrive although the answer to its PUT was lost.

#include <thread>

#include "oci/registry/client.hpp"
#include "util/log.hpp"
#include "util/strings.hpp"

namespace xbuild::oci::registry {

Result<std::string> RegistryClient::upload_location(const Repo& repo, const Descriptor& blob,
                                                    const std::vector<std::string>& mount_from,
                                                    PushAttempt& a, bool& mounted) {
  auto retryable = [&](const util::HttpResponse& r, const std::string& what) {
    a.retry_reason = what + ": HTTP " + std::to_string(r.status);
    a.retry_after = r.headers.get("Retry-After");
  };
  const std::string uploads = "/v2/" + repo.name + "/blobs/uploads/";
  for (const auto& from : mount_from) {
    if (from == repo.name)
      continue;
    ApiRequest req;
    req.method = "POST";
    req.target =
        util::append_query(util::append_query(uploads, "mount", blob.digest.str()), "from", from);
    req.scopes = {push_scope(repo.name), pull_scope(from)};
    req.retry = false;
    req.what = "mount blob " + blob.digest.str() + " from " + from;
    auto r = send(repo, std::move(req));
    if (!r) { // a failed mount is never fatal: upload instead
      spdlog::debug("{}", r.error().message);
      continue;
    }
    if (r->status == 201) {
      mounted = true;
      return std::string();
    }
    if (r->status == 202 && r->headers.get("Location")) // the registry opened an upload
      return util::resolve_url(endpoint(repo.host)->base + uploads, *r->headers.get("Location"));
    spdlog::debug("mount of {} from {} answered HTTP {}; uploading", blob.digest.str(), from,
                  r->status);
  }
  ApiRequest req;
  req.method = "POST";
  req.target = uploads;
  req.scopes = {push_scope(repo.name)};
  req.what = "start upload of blob " + blob.digest.str();
  auto r = TRY(send(repo, std::move(req)));
  if (is_retryable_status(r.status)) {
    retryable(r, "start upload of blob " + blob.digest.str());
    return std::string();
  }
  if (r.status != 202 || !r.headers.get("Location"))
    return tl::unexpected(status_error(repo, "start upload of blob " + blob.digest.str(), r));
  auto ep = TRY(endpoint(repo.host));
  return util::resolve_url(ep.base + uploads, *r.headers.get("Location"));
}

Result<RegistryClient::PushAttempt>
RegistryClient::try_push_blob(const Repo& repo, const Descriptor& blob,
                              const std::function<Result<util::BodySource>()>& open,
                              const std::vector<std::string>& mount_from) {
  PushAttempt a;
  const std::string what = "push blob " + blob.digest.str();
  auto note = [&](const util::HttpResponse& r, const std::string& step) {
    a.retry_reason = step + ": HTTP " + std::to_string(r.status);
    a.retry_after = r.headers.get("Retry-After");
    return a;
  };
  // 1. Does the registry have it already?
  {
    ApiRequest req;
    req.method = "HEAD";
    req.target = "/v2/" + repo.name + "/blobs/" + blob.digest.str();
    req.scopes = {push_scope(repo.name)};
    req.what = "check blob " + blob.digest.str();
    auto r = TRY(send(repo, std::move(req)));
    if (r.status == 200) {
      a.done = Uploaded::existed;
      return a;
    }
    if (is_retryable_status(r.status))
      return note(r, "check blob");
    if (r.status != 404)
      return tl::unexpected(status_error(repo, "check blob " + blob.digest.str(), r));
  }
  // 2. Mount or open an upload session.
  bool mounted = false;
  auto location = TRY(upload_location(repo, blob, mount_from, a, mounted));
  if (mounted) {
    a.done = Uploaded::mounted;
    return a;
  }
  if (location.empty())
    return a; // retryable failure noted
  // 3. Send the bytes: one PUT when the size is known, else PATCH + PUT.
  ApiRequest req;
  req.method = blob.size >= 0 ? "PUT" : "PATCH";
  req.target =
      blob.size >= 0 ? util::append_query(location, "digest", blob.digest.str()) : location;
  req.headers.set("Content-Type", "application/octet-stream");
  req.open_body = open;
  req.body_size = blob.size;
  req.scopes = {push_scope(repo.name)};
  req.retry = false;
  req.what = what;
  auto r = TRY(send(repo, std::move(req)));
  if (blob.size < 0 && r.status == 202 && r.headers.get("Location")) {
    ApiRequest put;
    put.method = "PUT";
    put.target = util::append_query(TRY(util::resolve_url(location, *r.headers.get("Location"))),
                                    "digest", blob.digest.str());
    put.scopes = {push_scope(repo.name)};
    put.retry = false;
    put.what = what;
    r = TRY(send(repo, std::move(put)));
  }
  if (is_retryable_status(r.status))
    return note(r, "upload");
  if (r.status != 201 && r.status != 204)
    return tl::unexpected(status_error(repo, what, r));
  if (auto h = r.headers.get("Docker-Content-Digest"); h && *h != blob.digest.str())
    return fail(repo.str() + ": the registry stored blob " + blob.digest.str() + " under digest " +
                *h + "; the content changed while it was read");
  a.done = Uploaded::uploaded;
  return a;
}

Result<RegistryClient::Uploaded>
RegistryClient::push_blob(const Repo& repo, const Descriptor& blob,
                          const std::function<Result<util::BodySource>()>& open,
                          const std::vector<std::string>& mount_from) {
  auto start = std::chrono::steady_clock::now();
  for (int attempt = 1;; ++attempt) {
    auto a = try_push_blob(repo, blob, open, mount_from);
    std::optional<std::string> retry_after;
    std::string reason;
    if (a && a->done)
      return *a->done;
    if (a) {
      reason = a->retry_reason;
      retry_after = a->retry_after;
    } else {
      if (a.error().exit_code != k_exit_transient)
        return tl::unexpected(a.error());
      const auto& msg = a.error().message;
      reason = msg;
    }
    auto next = m_options.retry.delay(attempt, retry_after);
    if (attempt >= m_options.retry.max_attempts ||
        std::chrono::steady_clock::now() - start + next > m_options.retry.max_total)
      return fail(redact(repo.host, "push blob " + blob.digest.str() + " to " + repo.str() +
                                        " failed after " + std::to_string(attempt) +
                                        " attempts: " + reason));
    spdlog::debug("push blob {} to {}: {}; retrying", blob.digest.str(), repo.str(), reason);
    if (!backoff(attempt, retry_after))
      return fail("push blob " + blob.digest.str() + " to " + repo.str() + ": cancelled");
  }
}

Result<Descriptor> RegistryClient::push_blob_stream(const Repo& repo, std::string media_type,
                                                    util::BodySource source) {
  const std::string uploads = "/v2/" + repo.name + "/blobs/uploads/";
  ApiRequest post;
  post.method = "POST";
  post.target = uploads;
  post.scopes = {push_scope(repo.name)};
  post.what = "start upload of a streamed blob";
  auto r = TRY(send(repo, std::move(post)));
  if (r.status != 202 || !r.headers.get("Location"))
    return tl::unexpected(status_error(repo, "start upload of a streamed blob", r));
  auto ep = TRY(endpoint(repo.host));
  auto location = TRY(util::resolve_url(ep.base + uploads, *r.headers.get("Location")));

  auto digester = std::make_shared<Digester>();
  ApiRequest patch;
  patch.method = "PATCH";
  patch.target = location;
  patch.headers.set("Content-Type", "application/octet-stream");
  patch.open_body = [&]() -> Result<util::BodySource> {
    return util::BodySource([digester, source](char* buf, size_t n) -> Result<size_t> {
      auto got = TRY(source(buf, n));
      digester->update(buf, got);
      return got;
    });
  };
  patch.scopes = {push_scope(repo.name)};
  patch.retry = false;
  patch.what = "upload a streamed blob";
  r = TRY(send(repo, std::move(patch)));
  if (r.status != 202)
    return tl::unexpected(status_error(repo, "upload a streamed blob", r));
  Descriptor d;
  d.media_type = std::move(media_type);
  d.size = digester->size();
  d.digest = digester->digest();
  auto next = r.headers.get("Location")
                  ? TRY(util::resolve_url(location, *r.headers.get("Location")))
                  : location;
  ApiRequest put;
  put.method = "PUT";
  put.target = util::append_query(next, "digest", d.digest.str());
  put.scopes = {push_scope(repo.name)};
  put.what = "finish upload of blob " + d.digest.str();
  r = TRY(send(repo, std::move(put)));
  if (r.status != 201 && r.status != 204)
    return tl::unexpected(status_error(repo, "finish upload of blob " + d.digest.str(), r));
  return d;
}

} // namespace xbuild::oci::registry
