// IP network functions of go-cty-funcs' cidr package (cidrhost,
// cidrnetmask, cidrsubnet, cidrsubnets), on IPv4 and IPv6 alike: an address
// is a 128-bit integer plus its width (32 or 128 bits), so prefix math is
// plain shifts and additions.

#include <arpa/inet.h>

#include <cstring>

#include "bakefile/hcl/function_args.hpp"
#include "bakefile/hcl/functions.hpp"

namespace xbuild::bakefile::hcl {

namespace {

using args::Args;
__extension__ typedef unsigned __int128 u128; // GCC and Clang both have it

struct Prefix {
  u128 addr = 0;  // network address, host bits cleared
  int bits = 32;  // 32 for IPv4, 128 for IPv6
  int length = 0; // prefix length
};

u128 host_mask(int bits, int length) {
  int host = bits - length;
  return host >= 128 ? ~u128(0) : (u128(1) << host) - 1;
}

Result<Prefix> parse_prefix(const std::string& s) {
  size_t slash = s.find('/');
  auto bad = [&]() { return fail("invalid CIDR address: " + s); };
  if (slash == std::string::npos)
    return bad();
  std::string ip = s.substr(0, slash), len = s.substr(slash + 1);
  if (len.empty() || len.size() > 3 || len.find_first_not_of("0123456789") != std::string::npos)
    return bad();
  Prefix p;
  p.length = std::stoi(len);
  unsigned char buf[16];
  if (inet_pton(AF_INET, ip.c_str(), buf) == 1) {
    p.bits = 32;
    for (int i = 0; i < 4; ++i)
      p.addr = (p.addr << 8) | buf[i];
  } else if (inet_pton(AF_INET6, ip.c_str(), buf) == 1) {
    p.bits = 128;
    for (int i = 0; i < 16; ++i)
      p.addr = (p.addr << 8) | buf[i];
  } else {
    return bad();
  }
  if (p.length > p.bits)
    return bad();
  p.addr &= ~host_mask(p.bits, p.length);
  return p;
}

std::string format_addr(u128 addr, int bits) {
  unsigned char buf[16];
  int n = bits / 8;
  for (int i = n - 1; i >= 0; --i, addr >>= 8)
    buf[i] = static_cast<unsigned char>(addr & 0xFF);
  char out[INET6_ADDRSTRLEN];
  inet_ntop(bits == 32 ? AF_INET : AF_INET6, buf, out, sizeof out);
  return out;
}

Result<u128> host_number(const Prefix& p, const Number& n) {
  if (!n.is_int())
    return fail("invalid host number: a whole number is required");
  int host_bits = p.bits - p.length;
  u128 size = host_bits >= 128 ? ~u128(0) : u128(1) << host_bits;
  int64_t v = n.as_int();
  if (v < 0) {
    u128 back = static_cast<u128>(-(v + 1)) + 1; // -1 is the last address
    if (host_bits < 64 && back > size)
      return fail("prefix of " + std::to_string(p.length) + " does not accommodate a host numbered " +
                  std::to_string(v));
    return size - back;
  }
  if (host_bits < 64 && static_cast<u128>(v) >= size)
    return fail("prefix of " + std::to_string(p.length) + " does not accommodate a host numbered " +
                std::to_string(v));
  return static_cast<u128>(v);
}

Result<Prefix> subnet(const Prefix& p, int64_t newbits, int64_t netnum) {
  if (newbits < 0 || p.length + newbits > p.bits)
    return fail("insufficient address space to extend prefix of " + std::to_string(p.length) +
                " by " + std::to_string(newbits));
  if (netnum < 0 || (newbits < 63 && netnum >= (int64_t(1) << newbits)))
    return fail("prefix extension of " + std::to_string(newbits) +
                " does not accommodate a subnet numbered " + std::to_string(netnum));
  Prefix out = p;
  out.length = p.length + static_cast<int>(newbits);
  int shift = p.bits - out.length;
  out.addr = p.addr | (shift >= 128 ? 0 : static_cast<u128>(netnum) << shift);
  return out;
}

std::string prefix_text(const Prefix& p) {
  return format_addr(p.addr, p.bits) + "/" + std::to_string(p.length);
}

} // namespace

void add_network_functions(FunctionTable& t) {
  args::add(t, "cidrhost", 2, 2, [](const Args& a) -> Result<Value> {
    Prefix p = TRY(parse_prefix(TRY(args::str(a, 0, "prefix"))));
    u128 host = TRY(host_number(p, TRY(args::num(a, 1, "hostnum"))));
    return Value::string(format_addr(p.addr | host, p.bits));
  });
  args::add(t, "cidrnetmask", 1, 1, [](const Args& a) -> Result<Value> {
    Prefix p = TRY(parse_prefix(TRY(args::str(a, 0, "prefix"))));
    if (p.bits != 32)
      return fail("only IPv4 networks are supported");
    return Value::string(format_addr(~host_mask(32, p.length) & 0xFFFFFFFFu, 32));
  });
  args::add(t, "cidrsubnet", 3, 3, [](const Args& a) -> Result<Value> {
    Prefix p = TRY(parse_prefix(TRY(args::str(a, 0, "prefix"))));
    Prefix s = TRY(subnet(p, TRY(args::integer(a, 1, "newbits")), TRY(args::integer(a, 2, "netnum"))));
    return Value::string(prefix_text(s));
  });
  // Consecutive subnets, each aligned to its own size (go-cty-funcs
  // SubnetsFunc, after Terraform's cidrsubnets).
  args::add(t, "cidrsubnets", 1, Function::k_variadic, [](const Args& a) -> Result<Value> {
    Prefix p = TRY(parse_prefix(TRY(args::str(a, 0, "prefix"))));
    Value::List out;
    u128 next = p.addr;
    u128 end = p.addr | host_mask(p.bits, p.length);
    for (size_t i = 1; i < a.size(); ++i) {
      int64_t newbits = TRY(args::integer(a, i, "newbits"));
      if (newbits < 1 || p.length + newbits > p.bits)
        return fail("would extend prefix to " + std::to_string(p.length + newbits) +
                    " bits, which is too long for an IPv" + (p.bits == 32 ? "4" : "6") + " address");
      int length = p.length + static_cast<int>(newbits);
      u128 mask = host_mask(p.bits, length);
      u128 start = (next + mask) & ~mask; // align up
      if (start < next || start > end || (start | mask) > end)
        return fail("not enough remaining address space for a subnet with a prefix of " +
                    std::to_string(length) + " bits after " + (out.empty() ? prefix_text(p)
                                                                          : out.back().as_string()));
      out.push_back(Value::string(prefix_text(Prefix{start, p.bits, length})));
      next = (start | mask) + 1;
    }
    return Value::list(std::move(out));
  });
}

} // namespace xbuild::bakefile::hcl
