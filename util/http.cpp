// Header map, URL and base64 helpers shared by the transport and its users.

#include "util/http.hpp"

#include <array>

#include "util/strings.hpp"

namespace xbuild::util {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z')
      x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z')
      y = static_cast<char>(y - 'A' + 'a');
    if (x != y)
      return false;
  }
  return true;
}

std::string default_port(std::string_view scheme) { return scheme == "http" ? "80" : "443"; }

} // namespace

void HttpHeaders::add(std::string name, std::string value) {
  m_fields.emplace_back(std::move(name), std::move(value));
}

void HttpHeaders::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void HttpHeaders::remove(std::string_view name) {
  std::erase_if(m_fields, [&](const auto& f) { return iequals(f.first, name); });
}

std::optional<std::string> HttpHeaders::get(std::string_view name) const {
  for (const auto& [n, v] : m_fields)
    if (iequals(n, name))
      return v;
  return std::nullopt;
}

std::vector<std::string> HttpHeaders::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [n, v] : m_fields)
    if (iequals(n, name))
      out.push_back(v);
  return out;
}

std::string UrlParts::authority() const {
  if (port.empty() || port == default_port(scheme))
    return host;
  return host + ":" + port;
}

Result<UrlParts> parse_url(std::string_view url) {
  auto sep = url.find("://");
  if (sep == std::string_view::npos)
    return fail("invalid URL \"" + std::string(url) + "\": no scheme");
  UrlParts p;
  p.scheme = to_lower(url.substr(0, sep));
  if (p.scheme != "http" && p.scheme != "https")
    return fail("invalid URL \"" + std::string(url) + "\": scheme must be http or https");
  auto rest = url.substr(sep + 3);
  auto slash = rest.find_first_of("/?");
  auto authority = rest.substr(0, slash);
  p.path_and_query = slash == std::string_view::npos ? "/" : std::string(rest.substr(slash));
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1); // userinfo is never used
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string_view::npos)
      return fail("invalid URL \"" + std::string(url) + "\": bad IPv6 address");
    p.host = std::string(authority.substr(0, close + 1));
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      p.port = std::string(authority.substr(close + 2));
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    p.host = std::string(authority.substr(0, colon));
    p.port = std::string(authority.substr(colon + 1));
  } else {
    p.host = std::string(authority);
  }
  if (p.host.empty())
    return fail("invalid URL \"" + std::string(url) + "\": no host");
  p.host = to_lower(p.host);
  return p;
}

Result<std::string> resolve_url(std::string_view base, std::string_view reference) {
  if (reference.find("://") != std::string_view::npos)
    return std::string(reference);
  auto b = TRY(parse_url(base));
  std::string origin = b.scheme + "://" + b.host + (b.port.empty() ? "" : ":" + b.port);
  if (starts_with(reference, "//"))
    return b.scheme + ":" + std::string(reference);
  if (starts_with(reference, "/"))
    return origin + std::string(reference);
  // Relative path: replace the last segment of the base path.
  std::string path = b.path_and_query.substr(0, b.path_and_query.find('?'));
  path = path.substr(0, path.rfind('/') + 1);
  return origin + path + std::string(reference);
}

bool same_origin(std::string_view a, std::string_view b) {
  auto pa = parse_url(a);
  auto pb = parse_url(b);
  if (!pa || !pb)
    return false;
  auto port = [](const UrlParts& p) { return p.port.empty() ? default_port(p.scheme) : p.port; };
  return pa->scheme == pb->scheme && pa->host == pb->host && port(*pa) == port(*pb);
}

std::string url_encode(std::string_view s) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string append_query(std::string url, std::string_view key, std::string_view value) {
  auto hash = url.find('#');
  if (hash != std::string::npos)
    url.resize(hash);
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += url_encode(key);
  url += '=';
  url += url_encode(value);
  return url;
}

std::string base64_encode(std::string_view bytes) {
  static const char* k_alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += k_alphabet[n & 63];
  }
  if (i + 1 == bytes.size()) {
    uint32_t n = uint8_t(bytes[i]) << 16;
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == bytes.size()) {
    uint32_t n = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8);
    out += k_alphabet[(n >> 18) & 63];
    out += k_alphabet[(n >> 12) & 63];
    out += k_alphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  std::array<int, 256> table;
  table.fill(-1);
  const std::string_view std_alpha =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < std_alpha.size(); ++i)
    table[uint8_t(std_alpha[i])] = int(i);
  table[uint8_t('-')] = 62; // URL-safe alphabet too
  table[uint8_t('_')] = 63;
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    if (c == '=' || c == '\n' || c == '\r')
      continue;
    int v = table[uint8_t(c)];
    if (v < 0)
      return fail("invalid base64 data");
    acc = (acc << 6) | uint32_t(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

} // namespace xbuild::util
