#pragma once
// Internal to webapp: maps one complete HTTP request to its response
// (authentication, CSRF, roles, static files, the command proxy, the app's own
// endpoints). Transport-free: app_server.cpp moves the bytes.
// clang-format off
#include <utility>  // first: Boost 1.74 Asio needs std::exchange under C++20 (STACK.md)
// clang-format on
#include <boost/beast/http.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth.hpp"
#include "webapp/app_server.hpp"
#include "webapp/engine_bridge.hpp"
#include "webapp/event_hub.hpp"
#include "webapp/static_files.hpp"

namespace ts::webapp::detail {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
using Respond = std::function<void(Response)>;

struct RouteContext {
  const AppServerOptions& options;
  auth::UserStore& users;
  EngineBridge& bridge;
  EventHub& hub;
  const StaticFiles& files;
};

/// Answers `req` through `respond`, exactly once: at once, or later from the
/// engine bridge's thread for proxied commands. Blocking (the user database,
/// files): call it on the blocking pool. Never throws.
void handle_request(const RouteContext& ctx, const Request& req, const std::string& peer, Respond respond);

/// A response with the security headers, Cache-Control: no-store and a JSON error body.
Response error_response(unsigned status, std::string_view code, std::string_view message,
                        unsigned version = 11);

/// The security headers every response carries (CSP, nosniff, referrer, frame).
void add_security_headers(Response& res);

/// What a WebSocket upgrade of /ws may proceed as: the user, or the refusal to send.
struct UpgradeDecision {
  std::optional<ClientIdentity> who;
  std::optional<Response> refusal;
  std::optional<std::string> last_id;
};
/// Origin must be this app's own; the session cookie must be live. Blocking.
UpgradeDecision check_upgrade(const RouteContext& ctx, const Request& req);

}  // namespace ts::webapp::detail
