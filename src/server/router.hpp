#pragma once
// Internal to the server module: maps one complete HTTP request to its response
// (routing, authentication, decoding, the handler call and the error bodies).
// Transport-free, so the session code in http_server.cpp only moves bytes.
// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <boost/beast/http.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/commands.hpp"
#include "server/http_server.hpp"

namespace ts::server::detail {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

struct RouterConfig {
  std::string api_token;  // empty = no authentication
  std::vector<std::string> allowed_origins;
  std::size_t max_body_bytes = protocol::kMaxCommandBytes;
  bool tls = false;  // the server's own origin is https://<Host>
};

/// The response to one complete request (keep-alive is the caller's business).
/// Calls the handlers and the on_request_done observer; never throws.
Response handle_request(const Request& req, const HttpHandlers& handlers, const RouterConfig& config);

/// A protocol error response ({"error": {...}}) with the given status, for the
/// transport's own refusals (413, 431, 400 for malformed HTTP).
Response error_response(http::status status, protocol::CommandError error, unsigned version = 11);

/// True when `a` equals `b`; the time taken does not depend on where they differ.
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

}  // namespace ts::server::detail
