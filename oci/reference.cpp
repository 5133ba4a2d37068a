#include "oci/reference.hpp"

#include <cctype>

#include "util/strings.hpp"

namespace xbuild::oci {
namespace {

constexpr size_t k_max_name_length = 255;
constexpr size_t k_max_tag_length = 128;

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// path-component := [a-z0-9]+ ((\.|_|__|-+) [a-z0-9]+)*
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back()))
    return false;
  for (size_t i = 0; i < c.size();) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j]))
      ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok)
      return false;
    i = j;
  }
  return true;
}

// tag := [\w][\w.-]{0,127}
bool valid_tag(std::string_view t) {
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (t.empty() || t.size() > k_max_tag_length || !word(t.front()))
    return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-')
      return false;
  return true;
}

bool valid_host_component(std::string_view c) {
  if (c.empty() || c.front() == '-' || c.back() == '-')
    return false;
  for (char ch : c)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-')
      return false;
  return true;
}

// host[:port], where host is dotted DNS components or a bracketed IPv6 address.
bool valid_domain(std::string_view d) {
  std::string_view host = d;
  std::string_view port;
  if (!d.empty() && d.front() == '[') {
    auto close = d.find(']');
    if (close == std::string_view::npos || close == 1)
      return false;
    for (char ch : d.substr(1, close - 1))
      if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != ':')
        return false;
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty() && rest.front() != ':')
      return false;
    port = rest.empty() ? rest : rest.substr(1);
    if (!rest.empty() && port.empty())
      return false;
    host = {};
  } else {
    auto colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      if (port.empty())
        return false;
    }
    for (auto& part : util::split(host, '.'))
      if (!valid_host_component(part))
        return false;
  }
  for (char ch : port)
    if (!std::isdigit(static_cast<unsigned char>(ch)))
      return false;
  return true;
}

bool has_upper(std::string_view s) {
  for (char c : s)
    if (std::isupper(static_cast<unsigned char>(c)))
      return true;
  return false;
}

Error bad(std::string_view text, const std::string& why) {
  return Error{"invalid image reference \"" + std::string(text) + "\": " + why};
}

} // namespace

std::string normalize_registry(std::string_view host) {
  if (host == "index.docker.io" || host == "registry-1.docker.io" || host == "docker.io")
    return std::string(k_docker_hub);
  return std::string(host);
}

Result<Reference> Reference::parse(std::string_view text) {
  if (text.empty())
    return tl::unexpected(bad(text, "it is empty; expected [registry/]repository[:tag][@digest]"));
  Reference ref;
  std::string_view rest = text;

  if (auto at = rest.find('@'); at != std::string_view::npos) {
    auto digest = Digest::parse(rest.substr(at + 1));
    if (!digest)
      return tl::unexpected(bad(text, digest.error().message));
    ref.digest = *digest;
    rest = rest.substr(0, at);
  }

  // A ':' after the last '/' starts the tag; an earlier one is a registry port.
  auto last_slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!valid_tag(tag))
      return tl::unexpected(bad(text, "tag \"" + std::string(tag) +
                                          "\" is not valid: use up to 128 letters, digits, '_', "
                                          "'.' or '-', not starting with '.' or '-'"));
    ref.tag = std::string(tag);
    rest = rest.substr(0, colon);
  }

  std::string_view path = rest;
  std::string domain;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    std::string_view first = rest.substr(0, slash);
    if (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
        has_upper(first)) {
      if (!valid_domain(first))
        return tl::unexpected(
            bad(text, "registry \"" + std::string(first) + "\" is not a valid host[:port]"));
      domain = std::string(first);
      path = rest.substr(slash + 1);
    }
  }
  if (path.empty())
    return tl::unexpected(bad(text, "the repository name is missing"));
  if (has_upper(path))
    return tl::unexpected(
        bad(text, "repository name must be lowercase (got \"" + std::string(path) + "\")"));
  for (auto& component : util::split(path, '/'))
    if (!valid_path_component(component))
      return tl::unexpected(bad(text, "repository path component \"" + component +
                                          "\" is not valid: use lower-case letters and digits, "
                                          "separated by '.', '_', '__' or dashes"));
  if (domain.empty() && path.size() == 64 &&
      path.find_first_not_of("0123456789abcdef") == std::string_view::npos)
    return tl::unexpected(bad(text, "a 64-character hex string is an image ID, not a "
                                    "repository name; use sha256:<id> or a name"));

  ref.registry = domain.empty() ? std::string(k_docker_hub) : normalize_registry(domain);
  ref.repository = std::string(path);
  if (ref.is_docker_hub() && ref.repository.find('/') == std::string::npos)
    ref.repository = "library/" + ref.repository;
  if (ref.tag.empty() && ref.digest.empty())
    ref.tag = "latest";
  if (ref.name().size() > k_max_name_length)
    return tl::unexpected(bad(text, "the name is longer than 255 characters"));
  return ref;
}

std::string Reference::name() const { return registry + "/" + repository; }

std::string Reference::str() const {
  std::string s = name();
  if (!tag.empty())
    s += ":" + tag;
  if (!digest.empty())
    s += "@" + digest.str();
  return s;
}

std::string Reference::familiar() const {
  std::string s;
  if (is_docker_hub())
    s = util::starts_with(repository, "library/") ? repository.substr(8) : repository;
  else
    s = name();
  if (!tag.empty())
    s += ":" + tag;
  if (!digest.empty())
    s += "@" + digest.str();
  return s;
}

std::string Reference::tag_or_digest() const { return digest.empty() ? tag : digest.str(); }

std::string Reference::api_host() const {
  return is_docker_hub() ? std::string(k_docker_hub_api_host) : registry;
}

std::string Reference::credential_key() const {
  return is_docker_hub() ? std::string(k_docker_hub_credential_key) : registry;
}

Reference Reference::with_tag(std::string new_tag) const {
  Reference r = *this;
  r.tag = std::move(new_tag);
  return r;
}

Reference Reference::with_digest(Digest new_digest) const {
  Reference r = *this;
  r.digest = std::move(new_digest);
  return r;
}

} // namespace xbuild::oci
