// Which peer addresses an episode fetch may connect to. Anything that is not
// a public unicast address (loopback, private, link-local, carrier-grade NAT,
// multicast, the cloud metadata address, reserved and documentation ranges,
// and their IPv6 equivalents, v4-mapped and NAT64 forms included) is refused
// unless the operator allows private URLs: a URL given by a user must not
// reach the service's own network (SSRF).
#pragma once

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>

namespace namix {

enum class AddressClass {
  public_unicast,
  unspecified,  // 0.0.0.0/8, ::
  loopback,     // 127/8, ::1
  private_net,  // 10/8, 172.16/12, 192.168/16, fc00::/7
  link_local,   // 169.254/16, fe80::/10
  cgnat,        // 100.64/10 (RFC 6598)
  multicast,    // 224/4, ff00::/8
  metadata,     // 169.254.169.254, fd00:ec2::254 (cloud instance metadata)
  reserved,     // 240/4, broadcast, documentation, benchmarking, fec0::/10, ...
};

std::string_view address_class_name(AddressClass c);

// nullopt when `text` is not a numeric IPv4/IPv6 address.
std::optional<AddressClass> classify_address(const std::string& text);
// For the address a socket is about to connect to (AF_INET / AF_INET6;
// anything else is `reserved`).
AddressClass classify_address(const sockaddr* addr);
std::string address_to_string(const sockaddr* addr);

}  // namespace namix
