#include "net/address_policy.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>

namespace namix {
namespace {

struct Case {
  const char* address;
  AddressClass expected;
};

// Ranges from the IANA IPv4/IPv6 Special-Purpose Address Registries
// (RFC 6890, RFC 6598 for 100.64/10, RFC 4193 for fc00::/7, RFC 4291 for
// fe80::/10 and ::ffff:0:0/96, RFC 6052 for 64:ff9b::/96); each range is
// probed at its first and last address and just outside it.
const Case kCases[] = {
    {"8.8.8.8", AddressClass::public_unicast},
    {"93.184.216.34", AddressClass::public_unicast},
    {"0.0.0.0", AddressClass::unspecified},
    {"0.255.255.255", AddressClass::unspecified},
    {"127.0.0.1", AddressClass::loopback},
    {"127.255.255.254", AddressClass::loopback},
    {"128.0.0.1", AddressClass::public_unicast},
    {"10.0.0.1", AddressClass::private_net},
    {"10.255.255.255", AddressClass::private_net},
    {"11.0.0.0", AddressClass::public_unicast},
    {"172.15.255.255", AddressClass::public_unicast},
    {"172.16.0.0", AddressClass::private_net},
    {"172.31.255.255", AddressClass::private_net},
    {"172.32.0.0", AddressClass::public_unicast},
    {"192.168.0.1", AddressClass::private_net},
    {"192.169.0.1", AddressClass::public_unicast},
    {"100.63.255.255", AddressClass::public_unicast},
    {"100.64.0.0", AddressClass::cgnat},
    {"100.127.255.255", AddressClass::cgnat},
    {"100.128.0.0", AddressClass::public_unicast},
    {"169.254.0.1", AddressClass::link_local},
    {"169.254.169.254", AddressClass::metadata},
    {"169.254.169.253", AddressClass::link_local},
    {"224.0.0.1", AddressClass::multicast},
    {"239.255.255.255", AddressClass::multicast},
    {"240.0.0.1", AddressClass::reserved},
    {"255.255.255.255", AddressClass::reserved},
    {"192.0.2.10", AddressClass::reserved},
    {"198.18.0.1", AddressClass::reserved},
    {"198.19.255.255", AddressClass::reserved},
    {"198.20.0.0", AddressClass::public_unicast},
    {"::", AddressClass::unspecified},
    {"::1", AddressClass::loopback},
    {"::ffff:127.0.0.1", AddressClass::loopback},
    {"::ffff:10.1.2.3", AddressClass::private_net},
    {"::ffff:169.254.169.254", AddressClass::metadata},
    {"::ffff:8.8.8.8", AddressClass::public_unicast},
    {"::127.0.0.1", AddressClass::reserved},
    {"64:ff9b::10.0.0.1", AddressClass::private_net},
    {"64:ff9b::8.8.8.8", AddressClass::public_unicast},
    {"2002:7f00:1::", AddressClass::reserved},  // 6to4 of 127.0.0.1
    {"fc00::1", AddressClass::private_net},
    {"fdff:ffff::1", AddressClass::private_net},
    {"fd00:ec2::254", AddressClass::metadata},
    {"fe80::1", AddressClass::link_local},
    {"febf:ffff::1", AddressClass::link_local},
    {"fec0::1", AddressClass::reserved},
    {"ff02::1", AddressClass::multicast},
    {"2001:db8::1", AddressClass::reserved},
    {"2606:4700:4700::1111", AddressClass::public_unicast},
    {"2a00:1450:4001:80b::200e", AddressClass::public_unicast},
};

TEST(AddressPolicy, ClassifiesTextAddresses) {
  for (const auto& c : kCases) {
    auto got = classify_address(std::string(c.address));
    ASSERT_TRUE(got.has_value()) << c.address;
    EXPECT_EQ(*got, c.expected) << c.address << " classified as " << address_class_name(*got);
  }
}

TEST(AddressPolicy, NamesAreNotAddresses) {
  EXPECT_FALSE(classify_address(std::string("localhost")).has_value());
  EXPECT_FALSE(classify_address(std::string("127.1")).has_value());
  EXPECT_FALSE(classify_address(std::string("")).has_value());
}

TEST(AddressPolicy, ClassifiesSocketAddressesLikeText) {
  for (const auto& c : kCases) {
    sockaddr_storage storage{};
    auto* sa = reinterpret_cast<sockaddr*>(&storage);
    auto* sin = reinterpret_cast<sockaddr_in*>(&storage);
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, c.address, &sin->sin_addr) == 1) {
      sin->sin_family = AF_INET;
    } else {
      ASSERT_EQ(::inet_pton(AF_INET6, c.address, &sin6->sin6_addr), 1) << c.address;
      sin6->sin6_family = AF_INET6;
    }
    EXPECT_EQ(classify_address(sa), c.expected) << c.address;
    EXPECT_EQ(*classify_address(address_to_string(sa)), c.expected) << c.address;
  }
  sockaddr unix_addr{};
  unix_addr.sa_family = AF_UNIX;
  EXPECT_EQ(classify_address(&unix_addr), AddressClass::reserved);
  EXPECT_EQ(classify_address(static_cast<const sockaddr*>(nullptr)), AddressClass::reserved);
}

}  // namespace
}  // namespace namix
