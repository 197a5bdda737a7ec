#include "net/address_policy.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <array>
#include <cstdint>
#include <cstring>

namespace namix {
namespace {

struct V4Range {
  std::uint32_t network;
  int prefix;
  AddressClass cls;
};

constexpr std::uint32_t v4(int a, int b, int c, int d) {
  return (static_cast<std::uint32_t>(a) << 24) | (static_cast<std::uint32_t>(b) << 16) |
         (static_cast<std::uint32_t>(c) << 8) | static_cast<std::uint32_t>(d);
}

// IANA IPv4 Special-Purpose Address Registry (RFC 6890 and updates); the
// metadata address is listed before 169.254/16 so the more specific class wins.
constexpr std::array<V4Range, 17> kV4Ranges{{
    {v4(169, 254, 169, 254), 32, AddressClass::metadata},
    {v4(0, 0, 0, 0), 8, AddressClass::unspecified},
    {v4(10, 0, 0, 0), 8, AddressClass::private_net},
    {v4(100, 64, 0, 0), 10, AddressClass::cgnat},
    {v4(127, 0, 0, 0), 8, AddressClass::loopback},
    {v4(169, 254, 0, 0), 16, AddressClass::link_local},
    {v4(172, 16, 0, 0), 12, AddressClass::private_net},
    {v4(192, 0, 0, 0), 24, AddressClass::reserved},    // IETF protocol assignments
    {v4(192, 0, 2, 0), 24, AddressClass::reserved},    // TEST-NET-1
    {v4(192, 88, 99, 0), 24, AddressClass::reserved},  // 6to4 relay anycast
    {v4(192, 168, 0, 0), 16, AddressClass::private_net},
    {v4(198, 18, 0, 0), 15, AddressClass::reserved},    // benchmarking
    {v4(198, 51, 100, 0), 24, AddressClass::reserved},  // TEST-NET-2
    {v4(203, 0, 113, 0), 24, AddressClass::reserved},   // TEST-NET-3
    {v4(224, 0, 0, 0), 4, AddressClass::multicast},
    {v4(240, 0, 0, 0), 4, AddressClass::reserved},  // includes 255.255.255.255
    {v4(255, 255, 255, 255), 32, AddressClass::reserved},
}};

AddressClass classify_v4(std::uint32_t host_order) {
  for (const auto& range : kV4Ranges) {
    const std::uint32_t mask = range.prefix == 0 ? 0u : ~std::uint32_t{0} << (32 - range.prefix);
    if ((host_order & mask) == range.network) return range.cls;
  }
  return AddressClass::public_unicast;
}

std::uint32_t v4_at(const std::uint8_t* b) {
  return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
         std::uint32_t{b[3]};
}

AddressClass classify_v6(const std::uint8_t* b) {
  static constexpr std::uint8_t kZero[16] = {};
  if (std::memcmp(b, kZero, 16) == 0) return AddressClass::unspecified;
  if (std::memcmp(b, kZero, 15) == 0 && b[15] == 1) return AddressClass::loopback;
  // ::ffff:a.b.c.d (v4-mapped) reaches the IPv4 address itself.
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(b, kMapped, 12) == 0) return classify_v4(v4_at(b + 12));
  // ::a.b.c.d (deprecated v4-compatible) and other ::/96 forms.
  if (std::memcmp(b, kZero, 12) == 0) return AddressClass::reserved;
  // 64:ff9b::/96 (NAT64 well-known prefix) translates to the embedded IPv4.
  static constexpr std::uint8_t kNat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
  if (std::memcmp(b, kNat64, 12) == 0) return classify_v4(v4_at(b + 12));
  // 2002::/16 (6to4) embeds an IPv4 address in bits 16..47.
  if (b[0] == 0x20 && b[1] == 0x02) {
    const AddressClass inner = classify_v4(v4_at(b + 2));
    return inner == AddressClass::public_unicast ? inner : AddressClass::reserved;
  }
  // fd00:ec2::254: the EC2 instance metadata service over IPv6.
  static constexpr std::uint8_t kEc2Metadata[16] = {0xfd, 0, 0x0e, 0xc2, 0, 0, 0,    0,
                                                    0,    0, 0,    0,    0, 0, 0x02, 0x54};
  if (std::memcmp(b, kEc2Metadata, 16) == 0) return AddressClass::metadata;
  if ((b[0] & 0xfe) == 0xfc) return AddressClass::private_net;                 // fc00::/7
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return AddressClass::link_local;  // fe80::/10
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return AddressClass::reserved;    // fec0::/10
  if (b[0] == 0xff) return AddressClass::multicast;                            // ff00::/8
  if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8) {
    return AddressClass::reserved;  // 2001:db8::/32 documentation
  }
  if (b[0] == 0x01 && b[1] == 0 && std::memcmp(b + 2, kZero, 6) == 0) {
    return AddressClass::reserved;  // 100::/64 discard-only
  }
  // Only 2000::/3 is allocated global unicast.
  if ((b[0] & 0xe0) != 0x20) return AddressClass::reserved;
  return AddressClass::public_unicast;
}

}  // namespace

std::string_view address_class_name(AddressClass c) {
  switch (c) {
    case AddressClass::public_unicast:
      return "public";
    case AddressClass::unspecified:
      return "unspecified";
    case AddressClass::loopback:
      return "loopback";
    case AddressClass::private_net:
      return "private";
    case AddressClass::link_local:
      return "link-local";
    case AddressClass::cgnat:
      return "carrier-grade NAT";
    case AddressClass::multicast:
      return "multicast";
    case AddressClass::metadata:
      return "cloud metadata";
    case AddressClass::reserved:
      return "reserved";
  }
  return "reserved";
}

std::optional<AddressClass> classify_address(const std::string& text) {
  in_addr a4{};
  if (::inet_pton(AF_INET, text.c_str(), &a4) == 1) return classify_v4(ntohl(a4.s_addr));
  in6_addr a6{};
  if (::inet_pton(AF_INET6, text.c_str(), &a6) == 1) return classify_v6(a6.s6_addr);
  return std::nullopt;
}

AddressClass classify_address(const sockaddr* addr) {
  if (addr == nullptr) return AddressClass::reserved;
  if (addr->sa_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, addr, sizeof sin);
    return classify_v4(ntohl(sin.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, addr, sizeof sin6);
    return classify_v6(sin6.sin6_addr.s6_addr);
  }
  return AddressClass::reserved;
}

std::string address_to_string(const sockaddr* addr) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (addr == nullptr) return "?";
  if (addr->sa_family == AF_INET) {
    sockaddr_in sin{};
    std::memcpy(&sin, addr, sizeof sin);
    ::inet_ntop(AF_INET, &sin.sin_addr, buf, sizeof buf);
  } else if (addr->sa_family == AF_INET6) {
    sockaddr_in6 sin6{};
    std::memcpy(&sin6, addr, sizeof sin6);
    ::inet_ntop(AF_INET6, &sin6.sin6_addr, buf, sizeof buf);
  } else {
    return "?";
  }
  return buf;
}

}  // namespace namix
