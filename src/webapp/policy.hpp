#pragma once
// Policy: the dashboard's pure rules, with no I/O, so each is unit-tested alone.
//
//  * who may run which engine command (one table keyed by protocol::Command;
//    a command not in it needs `read` unless its spec says `mutating`, so a
//    command added to protocol::kCommands is gated sensibly the day it appears);
//  * the security headers every response carries (the contract's CSP);
//  * reading the session cookie, the Origin check, the cookie we set;
//  * the error body, the protocol's {"error": {"code", "message", "details"}}.
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth.hpp"
#include "protocol/commands.hpp"

namespace ts::webapp {

inline constexpr std::string_view kSessionCookie = "ts_session";
inline constexpr std::string_view kCsrfHeader = "X-CSRF-Token";
/// Content-Security-Policy of every response (docs/app.md, "Security model").
inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

/// The permission a command needs: an explicit entry, else control when the
/// command's spec is mutating, else read.
auth::Permission required_permission(protocol::Command c) noexcept;

/// GET and HEAD are safe; everything else changes state and needs CSRF.
bool is_state_changing(std::string_view method) noexcept;

/// The value of cookie `name` in a Cookie header ("a=1; ts_session=x"), "" when absent.
std::string_view cookie_value(std::string_view cookie_header, std::string_view name) noexcept;

/// Set-Cookie for a new session; `max_age_seconds` < 0 clears the cookie.
std::string session_cookie(std::string_view token, bool secure, long long max_age_seconds = -1);
std::string clear_session_cookie(bool secure);

/// True when `origin` is absent ("") or equals <scheme>://<host> for the Host
/// header the request carried: a browser on our own pages. A request with a
/// Host missing is same-origin only when it also has no Origin.
bool same_origin(std::string_view origin, std::string_view host, bool tls) noexcept;

/// {"error": {"code", "message", "details"}}.
std::string error_body(std::string_view code, std::string_view message,
                       const nlohmann::json& details = nlohmann::json::object());


/// A safe local redirect target for ?next=: a path starting with one '/', else "/".
std::string safe_next(std::string_view next);

/// The JSON the admin API answers for a user.
nlohmann::json user_json(const auth::UserInfo& u);

}  // namespace ts::webapp
