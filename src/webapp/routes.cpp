#include "webapp/routes.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/percent.hpp"
#include "core/uuid.hpp"
#include "protocol/envelope.hpp"
#include "protocol/json_util.hpp"
#include "server/request_target.hpp"
#include "webapp/policy.hpp"

namespace ts::webapp::detail {

namespace {

using nlohmann::json;
using SysClock = std::chrono::system_clock;

constexpr std::string_view kJson = "application/json";

boost::beast::string_view bsv(std::string_view s) { return {s.data(), s.size()}; }
std::string_view ssv(boost::beast::string_view s) { return {s.data(), s.size()}; }

Response make_response(unsigned status, std::string_view content_type, std::string body, unsigned version) {
  Response res{static_cast<http::status>(status), version};
  if (!content_type.empty()) res.set(http::field::content_type, bsv(content_type));
  add_security_headers(res);
  res.set(http::field::cache_control, "no-store");
  res.body() = std::move(body);
  res.prepare_payload();
  return res;
}

Response json_response(unsigned status, const json& body, unsigned version) {
  return make_response(status, kJson, body.dump(-1, ' ', false, json::error_handler_t::replace), version);
}

using Target = server::RequestTarget;

Target split_target(const Request& req) {
  return server::split_target(ssv(req.method_string()), ssv(req.target()));
}

/// The first value of `key` in a query string, percent-decoded.
std::optional<std::string> query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) != key) continue;
    if (eq == std::string_view::npos) return std::string();
    return percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

/// Per request: what the routes learnt so far.
struct Call {
  const RouteContext& ctx;
  const Request& req;
  Target t;
  std::string peer;
  Respond respond;
  std::optional<auth::Session> session;
  std::string token;

  unsigned v() const { return req.version(); }
  void send(Response r) { respond(std::move(r)); }
  void error(unsigned status, std::string_view code, std::string_view message,
             const json& details = json::object()) {
    send(make_response(status, kJson, error_body(code, message, details), v()));
  }
  void json_ok(unsigned status, const json& body) { send(json_response(status, body, v())); }

  bool authenticated() {
    token = std::string(cookie_value(ssv(req[http::field::cookie]), kSessionCookie));
    if (!token.empty()) session = ctx.users.authenticate(token, SysClock::now());
    return session.has_value();
  }
  /// 401 unless a session is live.
  bool require_session() {
    if (authenticated()) return true;
    error(401, "UNAUTHORIZED", "sign in first (no live session)");
    return false;
  }
  /// 403 CSRF_FAILED for a state-changing request without the session's token.
  bool require_csrf() {
    if (!is_state_changing(t.method)) return true;
    const auto it = req.find(bsv(kCsrfHeader));
    const std::string_view submitted = it == req.end() ? std::string_view{} : ssv(it->value());
    if (!submitted.empty() && auth::csrf_matches(*session, submitted)) return true;
    error(403, "CSRF_FAILED", "missing or wrong X-CSRF-Token header");
    return false;
  }
  bool require(auth::Permission p) {
    if (auth::allows(session->role, p)) return true;
    error(403, "FORBIDDEN",
          "role '" + std::string(auth::to_string(session->role)) + "' may not do this (needs '" +
              std::string(auth::to_string(auth::required_role(p))) + "')");
    return false;
  }
  /// The request body as a JSON object ("" = {}); answers 400 and returns nullopt otherwise.
  std::optional<json> body_object() {
    if (req.body().empty()) return json::object();
    // Strict, as for engine commands: duplicate keys and deep nesting are refused.
    auto j = protocol::parse_json(req.body(), nullptr, /*strict=*/true);
    if (!j || !j->is_object()) {
      error(400, "INVALID_JSON", j ? "the body must be a JSON object" : j.error().message);
      return std::nullopt;
    }
    return std::move(j).value();
  }
  void method_not_allowed(std::string_view allow) {
    auto r = make_response(
        405, kJson,
        error_body("METHOD_NOT_ALLOWED", std::string(t.method) + " is not allowed on " + std::string(t.path)),
        v());
    r.set(http::field::allow, bsv(allow));
    send(std::move(r));
  }
};

json session_json(const auth::Session& s) {
  return {{"username", s.username}, {"role", auth::to_string(s.role)}, {"csrf_token", s.csrf_token}};
}

void login(Call& c) {
  if (c.t.method != "POST") return c.method_not_allowed("POST");
  auto body = c.body_object();
  if (!body) return;
  const auto& u = (*body)["username"];
  const auto& p = (*body)["password"];
  if (!u.is_string() || !p.is_string())
    return c.error(422, "INVALID_PARAMETER", "username and password must be strings");
  auto s = c.ctx.users.login(u.get<std::string>(), p.get<std::string>(), c.peer, SysClock::now());
  if (!s) {
    const auto& f = s.error();
    const bool throttled = f.error.code == auth::kAccountLocked || f.error.code == auth::kRateLimited;
    auto r = make_response(throttled ? 429 : 401, kJson, error_body(f.error.code, f.error.message), c.v());
    if (throttled)
      r.set(http::field::retry_after, std::to_string(std::max<long long>(1, f.retry_after.count())));
    spdlog::info("app: login refused for a user from {}: {}", c.peer, f.error.code);
    return c.send(std::move(r));
  }
  auto r = json_response(200, session_json(*s), c.v());
  r.set(http::field::set_cookie, session_cookie(s->token, c.ctx.options.secure_cookies));
  spdlog::info("app: {} signed in from {}", s->username, c.peer);
  c.send(std::move(r));
}

void logout(Call& c) {
  if (c.t.method != "POST") return c.method_not_allowed("POST");
  if (!c.require_session() || !c.require_csrf()) return;
  c.ctx.users.logout(c.token);
  auto r = make_response(204, "", "", c.v());
  r.set(http::field::set_cookie, clear_session_cookie(c.ctx.options.secure_cookies));
  c.send(std::move(r));
}

void me(Call& c) {
  if (c.t.method != "GET") return c.method_not_allowed("GET");
  if (!c.require_session()) return;
  c.json_ok(200, session_json(*c.session));
}

void app_status(Call& c) {
  if (c.t.method != "GET") return c.method_not_allowed("GET");
  if (!c.require_session() || !c.require(auth::Permission::read)) return;
  const auto s = c.ctx.hub.status();
  auto opt = [](const auto& o) { return o ? json(*o) : json(nullptr); };
  c.json_ok(200, {{"redis", {{"connected", c.ctx.bridge.connected()}}},
                  {"engine",
                   {{"last_heartbeat", opt(s.last_heartbeat)},
                    {"heartbeat_age_seconds", opt(s.heartbeat_age_seconds)},
                    {"source", opt(s.heartbeat_source)}}},
                  {"stream", {{"last_id", opt(s.stream_last_id)}}},
                  {"clients", s.clients}});
}

unsigned status_for_user_error(std::string_view code) {
  if (code == auth::kUserNotFound) return 404;
  if (code == auth::kUserExists || code == auth::kLastAdmin) return 409;
  return 422;  // INVALID_USERNAME, WEAK_PASSWORD
}

std::optional<auth::UserInfo> find_user(auth::UserStore& users, std::string_view name) {
  std::string lower(name);
  for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  for (auto& u : users.list_users())
    if (u.username == lower) return u;
  return std::nullopt;
}

/// /api/users and /api/users/{username} (admin).
void users_api(Call& c) {
  if (!c.require_session() || !c.require_csrf() || !c.require(auth::Permission::administer)) return;
  auto& users = c.ctx.users;
  std::string_view rest = c.t.path.substr(std::string_view("/api/users").size());
  if (rest.empty() || rest == "/") {
    if (c.t.method == "GET") {
      json list = json::array();
      for (const auto& u : users.list_users()) list.push_back(user_json(u));
      return c.json_ok(200, {{"users", list}});
    }
    if (c.t.method != "POST") return c.method_not_allowed("GET, POST");
    auto body = c.body_object();
    if (!body) return;
    const json& name = (*body)["username"];
    const json& password = (*body)["password"];
    const json& role_name = (*body)["role"];
    if (!name.is_string() || !password.is_string() || !role_name.is_string())
      return c.error(422, "INVALID_PARAMETER", "username, password and role are required strings");
    const auto role = auth::parse_role(role_name.get<std::string>());
    if (!role)
      return c.error(422, "INVALID_PARAMETER", "role must be viewer, operator or admin",
                     {{"parameter", "role"}});
    auto added = users.add_user(name.get<std::string>(), password.get<std::string>(), *role);
    if (!added)
      return c.error(status_for_user_error(added.error().code), added.error().code, added.error().message);
    spdlog::info("app: {} added user {} ({})", c.session->username, added->username,
                 role_name.get<std::string>());
    return c.json_ok(201, user_json(*added));
  }
  auto decoded = percent_decode(rest.substr(1));
  if (!decoded || decoded->empty() || decoded->find('/') != std::string::npos)
    return c.error(404, "NOT_FOUND", "no such user");
  const std::string& name = *decoded;
  if (c.t.method == "DELETE") {
    auto st = users.remove_user(name);
    if (!st) return c.error(status_for_user_error(st.error().code), st.error().code, st.error().message);
    spdlog::info("app: {} removed user {}", c.session->username, name);
    return c.send(make_response(204, "", "", c.v()));
  }
  if (c.t.method != "POST") return c.method_not_allowed("POST, DELETE");
  auto body = c.body_object();
  if (!body) return;
  const json& role_name = body->contains("role") ? (*body)["role"] : json();
  const json& password = body->contains("password") ? (*body)["password"] : json();
  if ((!role_name.is_null() && !role_name.is_string()) || (!password.is_null() && !password.is_string()))
    return c.error(422, "INVALID_PARAMETER", "role and password must be strings");
  std::optional<auth::Role> role;
  if (role_name.is_string()) {
    role = auth::parse_role(role_name.get<std::string>());
    if (!role)
      return c.error(422, "INVALID_PARAMETER", "role must be viewer, operator or admin",
                     {{"parameter", "role"}});
  }
  if (!find_user(users, name)) return c.error(404, "NOT_FOUND", "no such user");
  if (password.is_string()) {
    auto st = users.set_password(name, password.get<std::string>());
    if (!st) return c.error(status_for_user_error(st.error().code), st.error().code, st.error().message);
  }
  if (role) {
    auto st = users.set_role(name, *role);
    if (!st) return c.error(status_for_user_error(st.error().code), st.error().code, st.error().message);
  }
  spdlog::info("app: {} changed user {}{}{}", c.session->username, name, role ? " (role)" : "",
               password.is_string() ? " (password)" : "");
  auto info = find_user(users, name);
  if (!info) return c.error(404, "NOT_FOUND", "no such user");
  c.json_ok(200, user_json(*info));
}

/// Every route of protocol::kCommands, forwarded to the engine.
void proxy(Call& c) {
  const auto match = protocol::match_route(c.t.method, c.t.path);
  if (!c.require_session()) return;
  if (match && !c.require_csrf()) return;
  if (match && !c.require(required_permission(match->spec->command))) return;
  const protocol::HttpRequestView view{c.t.method, c.t.path, c.t.query, c.req.body()};
  auto decoded = protocol::decode_http_command(
      view, [] { return make_uuid_v4(); }, c.ctx.options.max_body_bytes);
  if (!decoded) {
    const auto reply = protocol::make_error_reply(decoded.error(), "", "");
    return c.send(make_response(static_cast<unsigned>(protocol::http_status(reply)), kJson,
                                protocol::http_body(reply), c.v()));
  }
  protocol::CommandRequest request = std::move(decoded).value();
  request.source = "tickstock-app/" + c.session->username;
  request.timestamp = protocol::format_timestamp(SysClock::now());
  const unsigned version = c.v();
  const std::string name(protocol::to_string(request.command));
  c.ctx.bridge.call(std::move(request), [respond = c.respond, version, name](Result<protocol::Reply> r) {
    if (!r) {
      const auto& e = r.error();
      if (e.code == "TIMEOUT")
        return respond(
            make_response(504, kJson, error_body("TIMEOUT", e.message, {{"command", name}}), version));
      return respond(make_response(
          503, kJson, error_body("ENGINE_UNAVAILABLE", e.message, {{"command", name}, {"cause", e.code}}),
          version));
    }
    respond(make_response(static_cast<unsigned>(protocol::http_status(*r)), kJson, protocol::http_body(*r),
                          version));
  });
}

void static_file(Call& c, StaticKind kind) {
  if (c.t.method != "GET") return c.method_not_allowed("GET");
  if (kind == StaticKind::shell && !c.authenticated()) {
    std::string next(c.t.path);
    if (!c.t.query.empty()) next += "?" + std::string(c.t.query);
    auto r = make_response(302, "", "", c.v());
    r.set(http::field::location, "/login?next=" + percent_encode(next, "/"));
    return c.send(std::move(r));
  }
  auto file = c.ctx.files.lookup(c.t.path);
  if (!file) {
    if (file.error().code == "INVALID_PATH") return c.error(400, "INVALID_PATH", file.error().message);
    return c.error(404, "NOT_FOUND", "no such file: " + std::string(c.t.path.substr(0, 200)));
  }
  Response r;
  if (ssv(c.req[http::field::if_none_match]) == file->etag) {
    r = make_response(304, "", "", c.v());
  } else {
    r = make_response(200, file->content_type, std::move(file->body), c.v());
  }
  // Revalidate every time (file names carry no content hash); the pages carry the session's state.
  r.set(http::field::cache_control,
        kind == StaticKind::asset || kind == StaticKind::vendor ? "no-cache" : "no-store");
  r.set(http::field::etag, file->etag);
  c.send(std::move(r));
}

void route(Call& c) {
  const std::string_view path = c.t.path;
  // A browser's cross-site state change: refused whatever else it carries.
  if (is_state_changing(c.t.method) &&
      !same_origin(ssv(c.req[http::field::origin]), ssv(c.req[http::field::host]),
                   c.ctx.options.secure_cookies))
    return c.error(403, "FORBIDDEN", "cross-origin request refused");
  if (path == "/auth/login") return login(c);
  if (path == "/auth/logout") return logout(c);
  if (path == "/auth/me") return me(c);
  if (path == "/api/app/status") return app_status(c);
  if (path == "/api/users" || path.starts_with("/api/users/")) return users_api(c);
  if (path == "/ws") return c.error(426, "UPGRADE_REQUIRED", "/ws is a WebSocket endpoint");
  const auto kind = classify_path(path);
  if (kind == StaticKind::not_static) {
    if (path.starts_with("/api/")) return proxy(c);
    return c.error(404, "NOT_FOUND", "no such endpoint");
  }
  static_file(c, kind);
}

}  // namespace

void add_security_headers(Response& res) {
  res.set("Content-Security-Policy", bsv(kContentSecurityPolicy));
  res.set("X-Content-Type-Options", "nosniff");
  res.set("Referrer-Policy", "no-referrer");
  res.set("X-Frame-Options", "DENY");
}

Response error_response(unsigned status, std::string_view code, std::string_view message, unsigned version) {
  return make_response(status, kJson, error_body(code, message), version);
}

void handle_request(const RouteContext& ctx, const Request& req, const std::string& peer, Respond respond) {
  // Exactly once, even when a route throws after answering.
  auto answered = std::make_shared<bool>(false);
  Respond once = [answered, respond = std::move(respond)](Response r) {
    if (*answered) return;
    *answered = true;
    respond(std::move(r));
  };
  Call c{ctx, req, split_target(req), peer, once, std::nullopt, {}};
  try {
    route(c);
  } catch (const std::exception& e) {
    spdlog::error("app: {} {}: {}", c.t.method, c.t.path, e.what());
    once(error_response(500, "INTERNAL", "the app failed to answer", req.version()));
  } catch (...) {
    once(error_response(500, "INTERNAL", "the app failed to answer", req.version()));
  }
}

UpgradeDecision check_upgrade(const RouteContext& ctx, const Request& req) {
  UpgradeDecision d;
  const std::string_view origin = ssv(req[http::field::origin]);
  // A WebSocket is not subject to the same-origin policy: the Origin header is the only defence.
  if (origin.empty() || !same_origin(origin, ssv(req[http::field::host]), ctx.options.secure_cookies)) {
    d.refusal =
        error_response(403, "FORBIDDEN", "WebSocket from a foreign or missing Origin refused", req.version());
    return d;
  }
  const auto token = cookie_value(ssv(req[http::field::cookie]), kSessionCookie);
  std::optional<auth::Session> s;
  if (!token.empty()) s = ctx.users.authenticate(token, SysClock::now());
  if (!s) {
    d.refusal = error_response(401, "UNAUTHORIZED", "sign in first (no live session)", req.version());
    return d;
  }
  d.who = ClientIdentity{s->username, std::string(auth::to_string(s->role))};
  const auto target = split_target(req);
  if (auto id = query_value(target.query, "last_id"); id && !id->empty()) d.last_id = *id;
  return d;
}

}  // namespace ts::webapp::detail
