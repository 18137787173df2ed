#include "webapp/policy.hpp"

#include <array>
#include <utility>

namespace ts::webapp {

namespace {

struct PermissionOverride {
  protocol::Command command;
  auth::Permission permission;
};
/// Commands whose permission is not the default (mutating -> control, else read).
/// Editing the schedule changes what the engine does on its own, every day: admin.
constexpr std::array<PermissionOverride, 1> kOverrides{{
    {protocol::Command::update_schedule, auth::Permission::administer},
}};

}  // namespace

auth::Permission required_permission(protocol::Command c) noexcept {
  for (const auto& o : kOverrides)
    if (o.command == c) return o.permission;
  return protocol::spec(c).mutating ? auth::Permission::control : auth::Permission::read;
}

bool is_state_changing(std::string_view method) noexcept { return method != "GET" && method != "HEAD"; }

std::string_view cookie_value(std::string_view header, std::string_view name) noexcept {
  while (!header.empty()) {
    const auto semi = header.find(';');
    std::string_view pair = header.substr(0, semi);
    header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
    while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) pair.remove_prefix(1);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos || pair.substr(0, eq) != name) continue;
    std::string_view value = pair.substr(eq + 1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
      value = value.substr(1, value.size() - 2);
    return value;
  }
  return {};
}

std::string session_cookie(std::string_view token, bool secure, long long max_age_seconds) {
  std::string c =
      std::string(kSessionCookie) + "=" + std::string(token) + "; HttpOnly; SameSite=Strict; Path=/";
  if (max_age_seconds >= 0) c += "; Max-Age=" + std::to_string(max_age_seconds);
  if (secure) c += "; Secure";
  return c;
}

std::string clear_session_cookie(bool secure) { return session_cookie("", secure, 0); }

bool same_origin(std::string_view origin, std::string_view host, bool tls) noexcept {
  if (origin.empty()) return true;
  if (host.empty()) return false;
  const std::string_view scheme = tls ? "https://" : "http://";
  return origin.size() == scheme.size() + host.size() && origin.substr(0, scheme.size()) == scheme &&
         origin.substr(scheme.size()) == host;
}

std::string error_body(std::string_view code, std::string_view message, const nlohmann::json& details) {
  nlohmann::json j{{"error", {{"code", code}, {"message", message}, {"details", details}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string safe_next(std::string_view next) {
  // "//evil.example" and "/\evil" are protocol-relative to a browser: refuse them.
  if (next.empty() || next.front() != '/' || (next.size() > 1 && (next[1] == '/' || next[1] == '\\')))
    return "/";
  for (const char c : next)
    if (static_cast<unsigned char>(c) < 0x20) return "/";
  return std::string(next);
}

nlohmann::json user_json(const auth::UserInfo& u) {
  auto opt = [](const std::string& s) { return s.empty() ? nlohmann::json(nullptr) : nlohmann::json(s); };
  return {{"username", u.username},
          {"role", auth::to_string(u.role)},
          {"created_at", u.created_at},
          {"last_login", opt(u.last_login)},
          {"locked_until", opt(u.locked_until)}};
}

}  // namespace ts::webapp
