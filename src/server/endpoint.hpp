#pragma once
// Endpoint: a HOST:PORT to listen on or connect to (`--http 127.0.0.1:8080`).
//
//   127.0.0.1:8080   localhost:8080   [::1]:8080   0.0.0.0:0 (port 0 = ephemeral)
//
// The host is an IPv4 literal, an IPv6 literal in brackets, or a DNS name
// (letters, digits, '-' and '.'); the port is 0-65535 and required.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ts::server {

struct Endpoint {
  std::string host = "127.0.0.1";  ///< without brackets for IPv6
  std::uint16_t port = 8080;

  /// "host:port", IPv6 hosts in brackets: parse_endpoint(str()) == *this.
  std::string str() const;
  bool operator==(const Endpoint&) const = default;
};

/// Error code INVALID_ENDPOINT; the message quotes the text and names the part that is wrong.
Result<Endpoint> parse_endpoint(std::string_view text);

}  // namespace ts::server
