#include "bus/url.hpp"

#include <charconv>
#include <string>

#include "core/percent.hpp"

namespace ts::bus {
namespace {

constexpr std::string_view kScheme = "redis://";

/// Decodes into `out`; false on a bad escape ('+' is itself in user info).
bool percent_decode(std::string_view s, std::string& out) {
  auto decoded = ts::percent_decode(s);
  if (!decoded) return false;
  out = std::move(*decoded);
  return true;
}

bool parse_int(std::string_view s, int lo, int hi, int& out) {
  if (s.empty()) return false;
  int v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v < lo || v > hi) return false;
  out = v;
  return true;
}

std::string masked(std::string_view text) {
  // Mask whatever sits between "://" + user + ":" and the last '@', so an
  // error message never echoes a password, even of a malformed URL.
  std::string s(text);
  auto scheme_end = s.find("://");
  auto at = s.rfind('@');
  if (scheme_end == std::string::npos || at == std::string::npos || at < scheme_end) return s;
  auto colon = s.find(':', scheme_end + 3);
  if (colon == std::string::npos || colon > at) return s;
  return s.substr(0, colon + 1) + "***" + s.substr(at);
}

}  // namespace

Result<RedisUrl> RedisUrl::parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return fail("INVALID_REDIS_URL", "redis URL \"" + masked(text) + "\": " + why);
  };
  if (text.starts_with("rediss://")) return bad("TLS (rediss://) is not supported by hiredis 0.14");
  if (!text.starts_with(kScheme)) return bad("must start with redis://");
  std::string_view rest = text.substr(kScheme.size());

  RedisUrl url;
  if (auto at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    auto colon = userinfo.find(':');
    if (colon == std::string_view::npos)
      return bad("credentials must be user:password@ or :password@ (a user needs a password)");
    if (!percent_decode(userinfo.substr(0, colon), url.user)) return bad("bad percent-encoding in the user");
    if (!percent_decode(userinfo.substr(colon + 1), url.password))
      return bad("bad percent-encoding in the password");
    if (url.password.empty()) return bad("empty password");
  }

  std::string_view authority = rest, path;
  if (auto slash = rest.find('/'); slash != std::string_view::npos) {
    authority = rest.substr(0, slash);
    path = rest.substr(slash + 1);
  }

  std::string_view host = authority, port;
  if (authority.starts_with('[')) {
    auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    host = authority.substr(1, close - 1);
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return bad("unexpected text after the IPv6 address");
      port = after.substr(1);
      if (port.empty()) return bad("empty port");
    }
  } else if (auto colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    port = authority.substr(colon + 1);
    if (port.empty()) return bad("empty port");
  }
  if (!host.empty()) url.host = std::string(host);
  for (char c : url.host)
    if (c == ' ' || c == '?' || c == '#' || c == '@') return bad("invalid host \"" + url.host + "\"");
  if (!port.empty() && !parse_int(port, 1, 65535, url.port))
    return bad("port \"" + std::string(port) + "\" is not a number in 1-65535");
  if (!path.empty() && !parse_int(path, 0, 1'000'000, url.db))
    return bad("database \"" + std::string(path) + "\" is not a non-negative number");
  return url;
}

std::string RedisUrl::endpoint() const {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::string RedisUrl::str() const {
  std::string creds;
  if (!password.empty()) creds = percent_encode(user) + ":" + percent_encode(password) + "@";
  return std::string(kScheme) + creds + endpoint() + "/" + std::to_string(db);
}

std::string RedisUrl::redacted() const {
  std::string creds;
  if (!password.empty()) creds = percent_encode(user) + ":***@";
  return std::string(kScheme) + creds + endpoint() + "/" + std::to_string(db);
}

}  // namespace ts::bus
