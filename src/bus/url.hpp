#pragma once
// RedisUrl: where a Redis server is and how to log in to it.
//
//   redis://[[user]:password@]host[:port][/db]
//
// Defaults: host 127.0.0.1, port 6379, db 0, no credentials. `user` and
// `password` may be percent-encoded (a password containing '@', ':' or '/'
// must be). An IPv6 host is written in brackets: redis://[::1]:6379/0.
// `rediss://` (TLS) is rejected: hiredis 0.14 has no TLS.
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace ts::bus {

struct RedisUrl {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string user;      ///< "" = the default user (AUTH <password>)
  std::string password;  ///< "" = no AUTH
  int db = 0;

  /// Error code INVALID_REDIS_URL. The message quotes the URL with its password
  /// masked and names the part that is wrong.
  static Result<RedisUrl> parse(std::string_view text);

  /// The full URL, credentials percent-encoded: parse(str()) == *this.
  std::string str() const;
  /// The URL with the password replaced by "***"; safe for logs and errors.
  std::string redacted() const;
  /// "host:port" ("[::1]:6379" for IPv6).
  std::string endpoint() const;

  bool operator==(const RedisUrl&) const = default;
};

}  // namespace ts::bus
