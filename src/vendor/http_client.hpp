#pragma once
// Blocking HTTP/1.1 + HTTPS (OpenSSL) GET client on Boost.Beast for vendor
// REST calls. Keeps idle keep-alive connections per scheme/host/port and
// reuses them; at most `max_concurrency` requests are in flight at once.
// HTTPS verifies the peer certificate against the system store (plus an
// optional extra CA file) and the host name (SNI sent). Thread-safe.
//
// Error codes (one attempt; retries live in the caller):
//   INVALID_URL     not http(s)://host[:port][/path[?query]]
//   CONNECT_FAILED  resolve, connect or TLS handshake failed
//   TIMEOUT         connect or request time exceeded
//   HTTP_ERROR      broken connection or invalid/truncated HTTP response
#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace ts::vendor {

struct Url {
  bool https = false;
  std::string host;    // without brackets
  std::string port;    // "443" / "80" when not given
  std::string target;  // "/path?query", at least "/"
  /// "https://host:port" — the connection pool key and base for targets.
  std::string origin() const;
};
Result<Url> parse_url(std::string_view text);

struct HttpTimeouts {
  std::chrono::milliseconds connect{10000};
  std::chrono::milliseconds request{30000};  // write + read of one exchange
};

struct HttpReply {
  int status = 0;
  std::string body;
  std::string retry_after;  // the Retry-After header, or empty
};

using Headers = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  /// `ca_file`: extra trusted certificates (PEM), e.g. a test or proxy CA.
  explicit HttpClient(unsigned max_concurrency = 4, const std::string& ca_file = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<HttpReply> get(const Url& url, const Headers& headers, const HttpTimeouts& timeouts);
  /// Connections opened so far (tests check reuse).
  std::size_t connections_opened() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace ts::vendor
