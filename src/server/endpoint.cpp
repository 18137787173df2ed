#include "server/endpoint.hpp"

#include <charconv>

namespace ts::server {

namespace {

/// 'text' (built by appending: g++ 12 warns falsely on "'" + std::string(...)).
std::string quote(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 2);
  out += '\'';
  out.append(s);
  out += '\'';
  return out;
}

Unexpected<Error> bad(std::string_view text, std::string why) {
  return fail("INVALID_ENDPOINT", "invalid endpoint " + quote(text) + ": " + std::move(why) +
                                      " (expected HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8080)");
}

bool is_hex(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

bool valid_ipv6_chars(std::string_view h) {
  if (h.empty() || h.size() > 45) return false;
  bool colon = false;
  for (const char c : h) {
    if (c == ':') {
      colon = true;
    } else if (!is_hex(c) && c != '.') {
      return false;
    }
  }
  return colon;
}

bool valid_dns_name(std::string_view h) {
  if (h.empty() || h.size() > 253 || h.front() == '.' || h.front() == '-' || h.back() == '-') return false;
  for (const char c : h) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) return false;
  }
  return h.find("..") == std::string_view::npos;
}

}  // namespace

std::string Endpoint::str() const {
  const bool v6 = host.find(':') != std::string::npos;
  std::string out;
  out.reserve(host.size() + 8);
  if (v6) out += '[';
  out += host;
  if (v6) out += ']';
  out += ':';
  out += std::to_string(port);
  return out;
}

Result<Endpoint> parse_endpoint(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) return bad(text, "no ':PORT'");
  std::string_view host = text.substr(0, colon);
  const std::string_view port = text.substr(colon + 1);
  if (host.empty()) return bad(text, "the host is empty");
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad(text, "an IPv6 host needs closing ']'");
    host = host.substr(1, host.size() - 2);
    if (!valid_ipv6_chars(host)) return bad(text, quote(host) + " is not an IPv6 address");
  } else if (host.find(':') != std::string_view::npos) {
    return bad(text, "write an IPv6 host in brackets");
  } else if (!valid_dns_name(host)) {
    return bad(text, quote(host) + " is not a host name or IPv4 address");
  }
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (port.empty() || ec != std::errc() || end != port.data() + port.size() || value > 65535)
    return bad(text, "the port " + quote(port) + " is not a number 0-65535");
  return Endpoint{std::string(host), static_cast<std::uint16_t>(value)};
}

}  // namespace ts::server
