#pragma once
// Auth: the dashboard's users, roles, password hashing and sessions.
//
// UserStore owns the app's own small SQLite database (users, sessions, login
// attempts). It holds no market data and no run history.
//
//   auto users = UserStore::open("./tickstock-data/app.db");
//   users->add_user("ada", "correct horse battery", Role::admin);
//   auto s = users->login("ada", "correct horse battery", "127.0.0.1", now);
//   ... cookie ts_session=<s->token>; header X-CSRF-Token: <s->csrf_token>
//   auto again = users->authenticate(token, now);   // per request
//
// Passwords: argon2id (libargon2), a random 16-byte salt per hash, stored in
// the PHC string format ($argon2id$v=19$m=...,t=...,p=...$salt$hash), so the
// parameters can be raised later without invalidating stored hashes.
// Tokens: 32 random bytes (OpenSSL RAND_bytes), base64url. Only a SHA-256 of
// the session token is stored, so a leaked database file yields no sessions.
//
// Brute force: a client address gets at most `max_attempts_per_address`
// failed logins per `address_window` (RATE_LIMITED); an account that fails
// `max_failures` times in a row is locked for `lockout` (ACCOUNT_LOCKED, even
// with the right password). A successful login clears the account's counter.
//
// Errors: validation and authentication failures are Result errors with the
// codes below; database I/O failures throw AuthStoreError.
// Thread-safety: every method may be called from any thread (internally
// serialised). Secrets (passwords, tokens) are never logged.
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace ts::auth {

// ---- roles and permissions --------------------------------------------------
/// Ordered: each role can do everything the roles before it can.
enum class Role : unsigned char { viewer, operator_, admin };
/// "viewer", "operator", "admin".
std::string_view to_string(Role r) noexcept;
std::optional<Role> parse_role(std::string_view s) noexcept;

/// What an action needs. read: see everything; control: trigger, cancel,
/// retry and recompute runs; administer: edit the schedule and manage users.
enum class Permission : unsigned char { read, control, administer };
/// The least role that holds `p`.
Role required_role(Permission p) noexcept;
inline bool allows(Role r, Permission p) noexcept { return r >= required_role(p); }

// ---- error codes (Error::code) -----------------------------------------------
inline constexpr std::string_view kInvalidUsername = "INVALID_USERNAME";  // ^[a-z0-9][a-z0-9_.-]{0,63}$ (lowercased)
inline constexpr std::string_view kWeakPassword = "WEAK_PASSWORD";        // fewer than 10 or more than 1024 bytes
inline constexpr std::string_view kUserExists = "USER_EXISTS";
inline constexpr std::string_view kUserNotFound = "NOT_FOUND";
inline constexpr std::string_view kLastAdmin = "LAST_ADMIN";  // removing or demoting the only admin
inline constexpr std::string_view kInvalidCredentials = "INVALID_CREDENTIALS";
inline constexpr std::string_view kAccountLocked = "ACCOUNT_LOCKED";
inline constexpr std::string_view kRateLimited = "RATE_LIMITED";

class AuthStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AuthOptions {
  /// argon2id cost. The defaults follow OWASP's minimum (19 MiB, 2 passes);
  /// tests lower them so hashing does not dominate test time.
  unsigned argon2_memory_kib = 19 * 1024;
  unsigned argon2_iterations = 2;
  unsigned argon2_parallelism = 1;
  /// A session ends after `session_idle` without a request, and in any case
  /// `session_max` after login.
  std::chrono::seconds session_idle{std::chrono::hours(8)};
  std::chrono::seconds session_max{std::chrono::hours(24 * 7)};
  int max_failures = 5;
  std::chrono::seconds lockout{std::chrono::minutes(15)};
  int max_attempts_per_address = 20;
  std::chrono::seconds address_window{std::chrono::minutes(5)};
};

struct UserInfo {
  std::string username;
  Role role = Role::viewer;
  std::string created_at;    // RFC 3339 UTC
  std::string last_login;    // RFC 3339 UTC, "" when never
  std::string locked_until;  // RFC 3339 UTC, "" when not locked
};

struct Session {
  std::string token;       // the cookie value; only its hash is stored
  std::string csrf_token;  // sent back by the browser in X-CSRF-Token on every state change
  std::string username;
  Role role = Role::viewer;
  std::chrono::system_clock::time_point expires_at;  // the earlier of idle and max expiry
};

/// A login refused: the error plus, for ACCOUNT_LOCKED and RATE_LIMITED, when
/// to try again (Retry-After).
struct LoginFailure {
  Error error;
  std::chrono::seconds retry_after{0};
};

class UserStore {
 public:
  using Clock = std::chrono::system_clock;

  /// Opens (creating, 0600) the SQLite file and applies the schema.
  /// ":memory:" is accepted for tests. Throws AuthStoreError.
  static std::unique_ptr<UserStore> open(const std::string& path, AuthOptions options = {});
  virtual ~UserStore() = default;

  // --- user management (CLI `tickstock app user ...` and the admin API)
  /// Usernames are case-insensitive (stored lowercased).
  /// Errors: INVALID_USERNAME, WEAK_PASSWORD, USER_EXISTS.
  virtual Result<UserInfo> add_user(std::string_view username, std::string_view password, Role role) = 0;
  /// Also ends the user's sessions. Errors: NOT_FOUND, WEAK_PASSWORD.
  virtual Status<> set_password(std::string_view username, std::string_view password) = 0;
  /// Also ends the user's sessions. Errors: NOT_FOUND, LAST_ADMIN.
  virtual Status<> set_role(std::string_view username, Role role) = 0;
  /// Also ends the user's sessions. Errors: NOT_FOUND, LAST_ADMIN.
  virtual Status<> remove_user(std::string_view username) = 0;
  virtual std::vector<UserInfo> list_users() = 0;
  virtual std::size_t user_count() = 0;

  // --- sessions
  /// Errors: INVALID_CREDENTIALS (unknown user or wrong password: one message
  /// for both), ACCOUNT_LOCKED, RATE_LIMITED. `client_addr` is the peer address.
  virtual Result<Session, LoginFailure> login(std::string_view username, std::string_view password,
                                              std::string_view client_addr, Clock::time_point now) = 0;
  /// The live session for a cookie value, with its idle expiry extended; nullopt
  /// when unknown, expired, or the user was removed or changed.
  virtual std::optional<Session> authenticate(std::string_view token, Clock::time_point now) = 0;
  /// Ends the session (unknown tokens are ignored).
  virtual void logout(std::string_view token) = 0;
};

/// Constant-time comparison of a submitted CSRF token with the session's.
bool csrf_matches(const Session& s, std::string_view submitted) noexcept;

/// A random password for generated accounts (20 characters, base64url alphabet).
std::string generate_password();

}  // namespace ts::auth
