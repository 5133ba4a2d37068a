// Encoding, hashing and identifier functions: cty's json.go, csv.go and
// bytes.go, and go-cty-funcs' encoding, crypto and uuid packages, as buildx
// registers them. Digests are lower-case hex of the UTF-8 bytes, as in
// go-cty-funcs.

#include <openssl/evp.h>

#include <charconv>
#include <cstring>
#include <random>

#include <nlohmann/json.hpp>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"
#include "util/strings.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;

constexpr char k_base64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string base64_encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s = 18; s >= 0; s -= 6)
      out += k_base64[(v >> s) & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size())
      v |= uint8_t(in[i + 1]) << 8;
    out += k_base64[(v >> 18) & 63];
    out += k_base64[(v >> 12) & 63];
    out += i + 1 < in.size() ? k_base64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view in) {
  auto bad = [] { return fail("failed to decode base64 data"); };
  if (in.size() % 4 != 0)
    return bad();
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '=') {
      if (i + 2 < in.size() || (i + 1 < in.size() && in[i + 1] != '='))
        return bad();
      break;
    }
    const char* p = std::strchr(k_base64, c);
    if (p == nullptr || c == '\0')
      return bad();
    acc = (acc << 6) | static_cast<uint32_t>(p - k_base64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

Result<std::string> digest_hex(const EVP_MD* md, std::string_view data) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1)
    return fail("digest computation failed");
  return util::hex(std::string_view(reinterpret_cast<const char*>(buf), len));
}

// Go's json.Marshal escapes these for HTML safety, and cty's jsonencode
// inherits it.
std::string html_escape_json(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '<')
      out += "\\u003c";
    else if (s[i] == '>')
      out += "\\u003e";
    else if (s[i] == '&')
      out += "\\u0026";
    else if (s.compare(i, 3, "\xE2\x80\xA8") == 0 || s.compare(i, 3, "\xE2\x80\xA9") == 0) {
      out += s[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else
      out += s[i];
  }
  return out;
}

// RFC 4180 records: quoted fields may contain commas, quotes ("") and
// newlines.
Result<std::vector<std::vector<std::string>>> parse_csv(const std::string& s) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string field;
  bool quoted = false, any = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    any = true;
    if (quoted) {
      if (c == '"' && i + 1 < s.size() && s[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && field.empty()) {
      quoted = true;
    } else if (c == ',') {
      row.push_back(std::move(field));
      field.clear();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n')
        ++i;
      row.push_back(std::move(field));
      field.clear();
      rows.push_back(std::move(row));
      row.clear();
      any = false;
    } else {
      field += c;
    }
  }
  if (quoted)
    return fail("extraneous or missing \" in quoted-field");
  if (any) {
    row.push_back(std::move(field));
    rows.push_back(std::move(row));
  }
  return rows;
}

Result<Value> csv_decode(const std::string& s) {
  auto rows = TRY(parse_csv(s));
  if (rows.empty())
    return fail("missing header line");
  const auto& header = rows[0];
  Value::List out;
  for (size_t r = 1; r < rows.size(); ++r) {
    if (rows[r].size() != header.size())
      return fail("record on line " + std::to_string(r + 1) + ": wrong number of fields");
    Value::Object obj;
    for (size_t c = 0; c < header.size(); ++c)
      obj[header[c]] = Value::string(rows[r][c]);
    out.push_back(Value::object(std::move(obj)));
  }
  return Value::list(std::move(out));
}

// Go's url.QueryEscape.
std::string url_encode(const std::string& s) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string format_uuid(const unsigned char* b) {
  std::string h = util::hex(std::string_view(reinterpret_cast<const char*>(b), 16));
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

Result<std::string> parse_uuid_bytes(const std::string& s) {
  std::string hex;
  for (char c : s)
    if (c != '-')
      hex += c;
  if (hex.size() != 32)
    return fail("uuid: invalid UUID \"" + s + "\"");
  std::string out;
  for (size_t i = 0; i < 32; i += 2) {
    int v = 0;
    auto [p, ec] = std::from_chars(hex.data() + i, hex.data() + i + 2, v, 16);
    if (ec != std::errc() || p != hex.data() + i + 2)
      return fail("uuid: invalid UUID \"" + s + "\"");
    out += static_cast<char>(v);
  }
  return out;
}

Result<std::string> uuid_v5(const std::string& ns, const std::string& name) {
  std::string ns_uuid = ns == "dns"    ? "6ba7b810-9dad-11d1-80b4-00c04fd430c8"
                        : ns == "url"  ? "6ba7b811-9dad-11d1-80b4-00c04fd430c8"
                        : ns == "oid"  ? "6ba7b812-9dad-11d1-80b4-00c04fd430c8"
                        : ns == "x500" ? "6ba7b814-9dad-11d1-80b4-00c04fd430c8"
                                       : ns;
  std::string data = TRY(parse_uuid_bytes(ns_uuid)) + name;
  unsigned char sum[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), sum, &len, EVP_sha1(), nullptr);
  sum[6] = static_cast<unsigned char>((sum[6] & 0x0F) | 0x50);
  sum[8] = static_cast<unsigned char>((sum[8] & 0x3F) | 0x80);
  return format_uuid(sum);
}

std::string uuid_v4() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  unsigned char b[16];
  for (unsigned char& x : b)
    x = static_cast<unsigned char>(rng());
  b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80);
  return format_uuid(b);
}

void add_json_and_csv(FunctionTable& t) {
  args::add(t, "jsonencode", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(html_escape_json(json_text(a[0].to_json())));
  });
  args::add(t, "jsondecode", 1, 1, [](const Args& a) -> Result<Value> {
    std::string s = TRY(args::str(a, 0, "str"));
    nlohmann::json j = nlohmann::json::parse(s, nullptr, false);
    if (j.is_discarded())
      return fail("invalid JSON document");
    return Value::from_json(j);
  });
  args::add(t, "csvdecode", 1, 1, [](const Args& a) -> Result<Value> {
    return csv_decode(TRY(args::str(a, 0, "str")));
  });
}

void add_text_encodings(FunctionTable& t) {
  args::add(t, "base64encode", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(base64_encode(TRY(args::str(a, 0, "str"))));
  });
  args::add(t, "base64decode", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(TRY(base64_decode(TRY(args::str(a, 0, "str")))));
  });
  args::add(t, "urlencode", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::string(url_encode(TRY(args::str(a, 0, "str"))));
  });
  // cty's bytes are a capsule type no bake expression can build; strings
  // stand in for them here, measured and sliced in bytes.
  args::add(t, "byteslen", 1, 1, [](const Args& a) -> Result<Value> {
    return Value::number(static_cast<int64_t>(TRY(args::str(a, 0, "buf")).size()));
  });
  args::add(t, "bytesslice", 3, 3, [](const Args& a) -> Result<Value> {
    std::string s = TRY(args::str(a, 0, "buf"));
    int64_t from = TRY(args::integer(a, 1, "offset"));
    int64_t len = TRY(args::integer(a, 2, "length"));
    if (from < 0 || len < 0 || static_cast<size_t>(from + len) > s.size())
      return fail("offset and length must be within the buffer");
    return Value::string(s.substr(static_cast<size_t>(from), static_cast<size_t>(len)));
  });
}

void add_digests(FunctionTable& t) {
  struct Digest {
    const char* name;
    const EVP_MD* (*md)();
  };
  for (Digest d : {Digest{"md5", EVP_md5}, Digest{"sha1", EVP_sha1}, Digest{"sha256", EVP_sha256},
                   Digest{"sha512", EVP_sha512}}) {
    args::add(t, d.name, 1, 1, [md = d.md](const Args& a) -> Result<Value> {
      return Value::string(TRY(digest_hex(md(), TRY(args::str(a, 0, "str")))));
    });
  }
  args::add(t, "uuidv4", 0, 0, [](const Args&) -> Result<Value> { return Value::string(uuid_v4()); });
  args::add(t, "uuidv5", 2, 2, [](const Args& a) -> Result<Value> {
    return Value::string(TRY(uuid_v5(TRY(args::str(a, 0, "namespace")), TRY(args::str(a, 1, "name")))));
  });
}

} // namespace

void add_encoding_functions(FunctionTable& t) {
  add_json_and_csv(t);
  add_text_encodings(t);
  add_digests(t);
}

} // namespace xbuild::bakefile::hcl
