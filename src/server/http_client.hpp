#pragma once
// A small synchronous HTTP/1.1 client (http:// and https://) for `tickstock ctl
// --api` and the tests. One request per connection ("Connection: close").
// https:// verifies the server's certificate chain (against the system's CA
// store, or only `ca_file` when given) and that it names the URL's host
// (DNS name or IP address); TLS 1.2+.
//
//   auto r = ts::server::http_request("GET", "http://127.0.0.1:8080/api/processing/status", "", {},
//                                     std::chrono::seconds(5));
//
// Errors (Result's error code):
//   INVALID_URL       the URL is not http(s)://host[:port][/path[?query]]
//   TLS_FAILED        https: the CA file cannot be loaded, the handshake failed, or the
//                     certificate is not trusted or does not name the host (message says which)
//   CONNECT_FAILED    name resolution or TCP connect failed (message names host:port and why)
//   TIMEOUT           the whole exchange (resolve, connect, write, read) exceeded `timeout`
//   HTTP_ERROR        the connection broke or the response was not valid HTTP
//   RESPONSE_TOO_LARGE the response body exceeded 64 MiB
// Any HTTP status (including 4xx/5xx) is a successful Result: check `status`.
// Thread-safe: every call uses its own io_context and socket.
#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace ts::server {

struct HttpResponse {
  int status = 0;
  std::string body;
  /// Response headers in arrival order, names as sent by the server.
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The first header named `name` (case-insensitive), or nullptr.
const std::string* find_header(const HttpResponse& r, std::string_view name);

struct HttpClientOptions {
  /// PEM file of the CA certificate(s) to trust for https:// (e.g. a
  /// self-signed server's own certificate); "" = the system's default store.
  std::string ca_file;
};

/// Sends one request. `method` is GET, POST, DELETE, ...; `url` is
/// http://host:port/path?query (IPv6 hosts in brackets); `body` is sent with
/// Content-Length when non-empty (Content-Type defaults to application/json
/// unless given in `headers`); `headers` are added verbatim (e.g.
/// {"Authorization", "Bearer <token>"}).
Result<HttpResponse> http_request(std::string_view method, std::string_view url, std::string_view body,
                                  const std::vector<std::pair<std::string, std::string>>& headers,
                                  std::chrono::milliseconds timeout, const HttpClientOptions& options = {});

}  // namespace ts::server
