#include "server/router.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <exception>
#include <optional>

#include "core/uuid.hpp"
#include "server/request_target.hpp"

namespace ts::server::detail {

namespace {

using protocol::CommandError;
using protocol::ErrorCode;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kJson = "application/json";
constexpr std::string_view kPrometheus = "text/plain; version=0.0.4; charset=utf-8";

/// Boost 1.74's Beast speaks boost::string_view.
boost::beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ssv(boost::beast::string_view s) { return {s.data(), s.size()}; }

void add_security_headers(Response& res) {
  res.set("X-Content-Type-Options", "nosniff");
  res.set(http::field::cache_control, "no-store");
  // The API serves JSON and text only: nothing may load, frame it or leak its URL.
  res.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
}

Response make_response(http::status status, std::string_view content_type, std::string body,
                       unsigned version) {
  Response res{status, version};
  res.set(http::field::content_type, bsv(content_type));
  add_security_headers(res);
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

std::string error_body(CommandError error) {
  protocol::Reply r;
  r.ok = false;
  r.error = std::move(error);
  return protocol::http_body(r);
}

Response reply_response(const protocol::Reply& reply, std::string_view request_id, unsigned version) {
  auto res = make_response(static_cast<http::status>(protocol::http_status(reply)), kJson,
                           protocol::http_body(reply), version);
  if (!request_id.empty()) res.set("X-Request-Id", bsv(request_id));
  return res;
}

/// The methods any route serves at `path`, as an Allow header value ("" when none).
std::string allowed_methods(std::string_view path) {
  std::string allow;
  for (const std::string_view m : {"GET", "POST", "DELETE"}) {
    if (!protocol::match_route(m, path)) continue;
    allow += allow.empty() ? "" : ", ";
    allow += m;
  }
  return allow;
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

/// The token of an `Authorization: Bearer <token>` header, "" when absent or another scheme.
std::string_view bearer_token(std::string_view header) {
  constexpr std::string_view scheme = "bearer";
  if (header.size() <= scheme.size() || !iequals(header.substr(0, scheme.size()), scheme)) return {};
  header.remove_prefix(scheme.size());
  if (header.front() != ' ' && header.front() != '\t') return {};
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  return header;
}

/// A browser's cross-origin request carries an Origin that is not http(s)://<Host>.
/// Non-browser clients (ctl, curl) send no Origin and pass.
std::optional<CommandError> check_origin(const Request& req, const RouterConfig& config) {
  const auto origin_it = req.find(http::field::origin);
  if (origin_it == req.end()) return std::nullopt;
  const std::string_view origin = ssv(origin_it->value());
  const std::string_view host = ssv(req[http::field::host]);
  if (!host.empty() && origin == (config.tls ? "https://" : "http://") + std::string(host)) return std::nullopt;
  for (const auto& allowed : config.allowed_origins)
    if (origin == allowed) return std::nullopt;
  return protocol::unauthorized("cross-origin request from '" + std::string(origin.substr(0, 100)) +
                                "' refused (not an allowed origin)");
}

std::optional<CommandError> check_token(const Request& req, const RouterConfig& config) {
  if (config.api_token.empty()) return std::nullopt;
  const auto it = req.find(http::field::authorization);
  if (it == req.end()) return protocol::unauthorized("missing bearer token");
  const auto token = bearer_token(ssv(it->value()));
  if (token.empty()) return protocol::unauthorized("the Authorization header is not 'Bearer <token>'");
  if (!constant_time_equal(token, config.api_token)) return protocol::unauthorized("wrong bearer token");
  return std::nullopt;
}

using Target = RequestTarget;

Target split_target(const Request& req) {
  return server::split_target(ssv(req.method_string()), ssv(req.target()));
}

/// What the observer is told: the command served at the route, "health", "metrics" or "".
std::string observed_name(const Target& t) {
  if (t.path == "/health" || t.path == "/metrics") return std::string(t.path.substr(1));
  const auto m = protocol::match_route(t.method, t.path);
  return m ? std::string(m->spec->name) : std::string();
}

/// GET-only routes served by a plain handler (/health, /metrics).
Response route_plain(const Request& req, const Target& t, bool served, auto&& produce) {
  const unsigned v = req.version();
  if (req.method() != http::verb::get) {
    auto res = make_response(http::status::method_not_allowed, kJson,
                             error_body({ErrorCode::unknown_command,
                                         "no route " + std::string(t.method) + " '" + std::string(t.path) +
                                             "' (on this path: GET)",
                                         {{"method", t.method}, {"path", t.path}}}),
                             v);
    res.set(http::field::allow, "GET");
    return res;
  }
  if (!served)
    return make_response(http::status::not_found, kJson,
                         error_body({ErrorCode::unknown_command,
                                     "'" + std::string(t.path) + "' is not served by this engine",
                                     {{"method", "GET"}, {"path", t.path}}}),
                         v);
  return produce();
}

Response route(const Request& req, const Target& t, const HttpHandlers& handlers,
               const RouterConfig& config) {
  const unsigned v = req.version();
  if (t.path == "/health") {
    return route_plain(req, t, static_cast<bool>(handlers.on_health), [&] {
      auto [status, body] = handlers.on_health();
      if (status < 100 || status > 599)
        return error_response(
            http::status::internal_server_error,
            protocol::internal_error("health handler returned status " + std::to_string(status)), v);
      return make_response(static_cast<http::status>(status), kJson, std::move(body), v);
    });
  }
  if (t.path == "/metrics") {
    return route_plain(req, t, static_cast<bool>(handlers.on_metrics), [&] {
      return make_response(http::status::ok, kPrometheus, handlers.on_metrics(), v);
    });
  }

  const auto match = protocol::match_route(t.method, t.path);
  if (match && match->spec->mutating) {
    if (auto refused = check_origin(req, config))
      return make_response(http::status::unauthorized, kJson, error_body(std::move(*refused)), v);
    if (auto refused = check_token(req, config)) {
      auto res = make_response(http::status::unauthorized, kJson, error_body(std::move(*refused)), v);
      res.set(http::field::www_authenticate, "Bearer realm=\"tickstock\"");
      return res;
    }
  }

  const protocol::HttpRequestView view{t.method, t.path, t.query, req.body()};
  auto decoded = protocol::decode_http_command(
      view, [] { return make_uuid_v4(); }, config.max_body_bytes);
  if (!decoded) {
    const auto& failure = decoded.error();
    auto res = reply_response(protocol::make_error_reply(failure, "", ""), failure.request_id, v);
    if (failure.error.code == ErrorCode::unknown_command && !match) {
      if (auto allow = allowed_methods(t.path); !allow.empty()) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, bsv(allow));
      }
    }
    return res;
  }
  const protocol::CommandRequest& request = *decoded;
  if (!handlers.on_command)
    return reply_response(protocol::make_error_reply(
                              request, protocol::internal_error("no command handler configured"), "", ""),
                          request.request_id, v);
  return reply_response(handlers.on_command(request), request.request_id, v);
}

}  // namespace

bool constant_time_equal(std::string_view a, std::string_view b) noexcept {
  const std::size_t n = std::max(a.size(), b.size());
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (std::size_t i = 0; i < n; ++i) {
    const auto x = static_cast<unsigned char>(i < a.size() ? a[i] : 0);
    const auto y = static_cast<unsigned char>(i < b.size() ? b[i] : 0);
    diff |= static_cast<unsigned char>(x ^ y);
  }
  // Read through a volatile so the loop is not turned into an early-exit compare.
  volatile unsigned char result = diff;
  return result == 0;
}

Response error_response(http::status status, CommandError error, unsigned version) {
  return make_response(status, kJson, error_body(std::move(error)), version);
}

Response handle_request(const Request& req, const HttpHandlers& handlers, const RouterConfig& config) {
  const auto started = Clock::now();
  const Target t = split_target(req);
  Response res;
  try {
    res = route(req, t, handlers, config);
  } catch (const std::exception& e) {
    spdlog::error("http: {} {}: handler threw: {}", t.method, t.path, e.what());
    res = error_response(http::status::internal_server_error, protocol::internal_error(e.what()),
                         req.version());
  } catch (...) {
    spdlog::error("http: {} {}: handler threw a non-standard exception", t.method, t.path);
    res = error_response(http::status::internal_server_error, protocol::internal_error("unknown exception"),
                         req.version());
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  const int status = static_cast<int>(res.result_int());
  spdlog::debug("http: {} {} -> {} ({:.3f} ms)", t.method, t.path, status, seconds * 1e3);
  if (handlers.on_request_done) {
    try {
      handlers.on_request_done(observed_name(t), status, seconds);
    } catch (const std::exception& e) {
      spdlog::error("http: on_request_done threw: {}", e.what());
    } catch (...) {
      spdlog::error("http: on_request_done threw a non-standard exception");
    }
  }
  return res;
}

}  // namespace ts::server::detail
