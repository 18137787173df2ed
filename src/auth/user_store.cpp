// UserStore over SQLite. Why these choices:
// - One mutex around one connection: logins are rare and argon2 dominates
//   their cost; a pool would buy nothing. Hashing runs OUTSIDE the lock so one
//   slow login does not stall every other request's authenticate().
// - Session tokens are stored hashed (SHA-256 is enough: tokens are 256-bit
//   random, so there is nothing to brute-force), csrf tokens in clear (useless
//   without the cookie).
// - authenticate() writes last_seen at most once a minute, so page loads and
//   API polling do not turn every read into a write.
// - Per-address failure counts live in memory: they only need to outlast an
//   attack, not a restart, and keeping them out of SQLite keeps a password
//   spray from growing the database.
#include <sys/stat.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <mutex>
#include <unordered_map>

#include "auth/auth.hpp"
#include "auth/secrets.hpp"
#include "core/trading_date.hpp"
#include "storage/sqlite/sqlite_db.hpp"

namespace ts::auth {

namespace sq = storage::sqlite;
using Clock = std::chrono::system_clock;
using std::chrono::seconds;

std::string_view to_string(Role r) noexcept {
  switch (r) {
    case Role::viewer: return "viewer";
    case Role::operator_: return "operator";
    case Role::admin: return "admin";
  }
  return "viewer";
}

std::optional<Role> parse_role(std::string_view s) noexcept {
  for (const Role r : {Role::viewer, Role::operator_, Role::admin})
    if (to_string(r) == s) return r;
  return std::nullopt;
}

Role required_role(Permission p) noexcept {
  switch (p) {
    case Permission::read: return Role::viewer;
    case Permission::control: return Role::operator_;
    case Permission::administer: return Role::admin;
  }
  return Role::admin;
}

bool csrf_matches(const Session& s, std::string_view submitted) noexcept {
  return !s.csrf_token.empty() && detail::equal_constant_time(s.csrf_token, submitted);
}

std::string generate_password() { return detail::random_token(15); }  // 15 bytes = 20 characters

namespace {

constexpr std::size_t kMinPassword = 10, kMaxPassword = 1024;
constexpr std::size_t kMaxTrackedAddresses = 10'000;
constexpr auto kLastSeenResolution = seconds(60);

std::int64_t epoch(Clock::time_point t) {
  return std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
}
Clock::time_point from_epoch(std::int64_t s) { return Clock::time_point(seconds(s)); }

std::optional<std::string> normalise_username(std::string_view name) {
  if (name.empty() || name.size() > 64) return std::nullopt;
  std::string out;
  out.reserve(name.size());
  for (std::size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && (i == 0 || (c != '_' && c != '.' && c != '-'))) return std::nullopt;
    out += c;
  }
  return out;
}

Error invalid_username(std::string_view name) {
  return {std::string(kInvalidUsername),
          "username must be 1-64 characters of a-z 0-9 _ . - starting with a letter or digit (got " +
              std::to_string(name.size()) + " characters)"};
}

std::optional<Error> check_password(std::string_view pw) {
  if (pw.size() < kMinPassword)
    return Error{std::string(kWeakPassword), "password must be at least " + std::to_string(kMinPassword) +
                                                 " characters (got " + std::to_string(pw.size()) + ")"};
  if (pw.size() > kMaxPassword)
    return Error{std::string(kWeakPassword), "password must be at most " + std::to_string(kMaxPassword) + " bytes"};
  return std::nullopt;
}

Error not_found(std::string_view name) {
  return {std::string(kUserNotFound), "no user '" + std::string(name) + "'"};
}

class SqliteUserStore final : public UserStore {
 public:
  SqliteUserStore(const std::string& path, AuthOptions options)
      : opt_(options), db_(prepare_file(path)) {
    db_.exec("PRAGMA journal_mode=WAL; PRAGMA foreign_keys=ON; PRAGMA busy_timeout=5000;");
    db_.exec(R"sql(
      CREATE TABLE IF NOT EXISTS users(
        username      TEXT PRIMARY KEY,
        role          TEXT NOT NULL CHECK (role IN ('viewer','operator','admin')),
        password_hash TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        last_login    TEXT,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until  INTEGER             -- epoch seconds
      );
      CREATE TABLE IF NOT EXISTS sessions(
        token_hash TEXT PRIMARY KEY,
        username   TEXT NOT NULL REFERENCES users(username) ON DELETE CASCADE,
        csrf_token TEXT NOT NULL,
        created_at INTEGER NOT NULL,      -- epoch seconds
        last_seen  INTEGER NOT NULL
      );
      CREATE INDEX IF NOT EXISTS sessions_by_user ON sessions(username);
    )sql");
    // A dummy hash with the configured cost: unknown users are "verified"
    // against it so a login's duration does not reveal whether the name exists.
    dummy_hash_ = detail::hash_password("not a password of anyone", cost());
  }

  Result<UserInfo> add_user(std::string_view username, std::string_view password, Role role) override {
    auto name = normalise_username(username);
    if (!name) return fail(invalid_username(username));
    if (auto e = check_password(password)) return fail(*e);
    const std::string hash = detail::hash_password(password, cost());
    const std::string now = format_utc_ms(Clock::now());
    std::lock_guard lock(mu_);
    return guard([&]() -> Result<UserInfo> {
      sq::Statement exists(db_.handle(), "SELECT 1 FROM users WHERE username = ?");
      if (exists.bind(1, *name).step())
        return fail(std::string(kUserExists), "user '" + *name + "' already exists");
      sq::Statement ins(db_.handle(),
                        "INSERT INTO users(username, role, password_hash, created_at) VALUES (?,?,?,?)");
      ins.bind(1, *name).bind(2, to_string(role)).bind(3, hash).bind(4, now).exec();
      return UserInfo{*name, role, now, "", ""};
    });
  }

  Status<> set_password(std::string_view username, std::string_view password) override {
    auto name = normalise_username(username);
    if (!name) return fail(not_found(username));
    if (auto e = check_password(password)) return fail(*e);
    const std::string hash = detail::hash_password(password, cost());
    std::lock_guard lock(mu_);
    return guard([&]() -> Status<> {
      sq::Transaction tx(db_);
      sq::Statement up(db_.handle(),
                       "UPDATE users SET password_hash = ?, failed_logins = 0, locked_until = NULL "
                       "WHERE username = ?");
      up.bind(1, hash).bind(2, *name).exec();
      if (db_.changes() == 0) return fail(not_found(*name));
      end_sessions(*name);
      tx.commit();
      return Ok{};
    });
  }

  Status<> set_role(std::string_view username, Role role) override { return change_user(username, role); }
  Status<> remove_user(std::string_view username) override { return change_user(username, std::nullopt); }

  std::vector<UserInfo> list_users() override {
    std::lock_guard lock(mu_);
    return guard([&] {
      std::vector<UserInfo> out;
      sq::Statement q(db_.handle(),
                      "SELECT username, role, created_at, last_login, locked_until FROM users ORDER BY username");
      const auto now = epoch(Clock::now());
      while (q.step()) {
        UserInfo u;
        u.username = q.text(0);
        u.role = parse_role(q.text(1)).value_or(Role::viewer);
        u.created_at = q.text(2);
        if (!q.is_null(3)) u.last_login = q.text(3);
        if (!q.is_null(4) && q.integer(4) > now) u.locked_until = format_utc_ms(from_epoch(q.integer(4)));
        out.push_back(std::move(u));
      }
      return out;
    });
  }

  std::size_t user_count() override {
    std::lock_guard lock(mu_);
    return guard([&] {
      sq::Statement q(db_.handle(), "SELECT count(*) FROM users");
      q.step();
      return static_cast<std::size_t>(q.integer(0));
    });
  }

  Result<Session, LoginFailure> login(std::string_view username, std::string_view password,
                                      std::string_view client_addr, Clock::time_point now) override {
    if (auto wait = address_blocked(client_addr, now); wait.count() > 0)
      return fail(LoginFailure{{std::string(kRateLimited),
                                "too many failed logins from this address; try again in " +
                                    std::to_string(wait.count()) + " s"},
                               wait});
    const auto name = normalise_username(username);
    struct Account {
      std::string hash;
      std::int64_t locked_until = 0;
    };
    std::optional<Account> account;
    if (name) {
      std::lock_guard lock(mu_);
      account = guard([&]() -> std::optional<Account> {
        sq::Statement q(db_.handle(), "SELECT password_hash, locked_until FROM users WHERE username = ?");
        if (!q.bind(1, *name).step()) return std::nullopt;
        return Account{std::string(q.text(0)), q.is_null(1) ? 0 : q.integer(1)};
      });
    }
    if (account && account->locked_until > epoch(now)) {
      const seconds wait(account->locked_until - epoch(now));
      return fail(LoginFailure{{std::string(kAccountLocked),
                                "account locked after repeated failed logins; try again in " +
                                    std::to_string(wait.count()) + " s"},
                               wait});
    }
    const bool ok = detail::verify_password(password, account ? account->hash : dummy_hash_) && account;
    if (!ok) {
      note_address_failure(client_addr, now);
      if (account) record_failure(*name, now);
      return fail(LoginFailure{{std::string(kInvalidCredentials), "wrong username or password"}, seconds(0)});
    }
    std::lock_guard lock(mu_);
    return guard([&]() -> Result<Session, LoginFailure> {
      Session s;
      s.token = detail::random_token(32);
      s.csrf_token = detail::random_token(32);
      s.username = *name;
      sq::Transaction tx(db_);
      sq::Statement up(db_.handle(),
                       "UPDATE users SET failed_logins = 0, locked_until = NULL, last_login = ? WHERE username = ?");
      up.bind(1, format_utc_ms(now)).bind(2, *name).exec();
      sq::Statement ins(db_.handle(),
                        "INSERT INTO sessions(token_hash, username, csrf_token, created_at, last_seen) "
                        "VALUES (?,?,?,?,?)");
      ins.bind(1, detail::sha256_hex(s.token)).bind(2, *name).bind(3, s.csrf_token).bind(4, epoch(now))
          .bind(5, epoch(now)).exec();
      // Expired sessions are swept on login: cheap, and bounded by the number of logins.
      sq::Statement sweep(db_.handle(), "DELETE FROM sessions WHERE last_seen < ? OR created_at < ?");
      sweep.bind(1, epoch(now - opt_.session_idle)).bind(2, epoch(now - opt_.session_max)).exec();
      tx.commit();
      s.role = role_of(*name).value_or(Role::viewer);
      s.expires_at = std::min(now + opt_.session_idle, now + opt_.session_max);
      return s;
    });
  }

  std::optional<Session> authenticate(std::string_view token, Clock::time_point now) override {
    if (token.empty() || token.size() > 256) return std::nullopt;
    const std::string hash = detail::sha256_hex(token);
    std::lock_guard lock(mu_);
    return guard([&]() -> std::optional<Session> {
      sq::Statement q(db_.handle(),
                      "SELECT s.username, s.csrf_token, s.created_at, s.last_seen, u.role "
                      "FROM sessions s JOIN users u ON u.username = s.username WHERE s.token_hash = ?");
      if (!q.bind(1, hash).step()) return std::nullopt;
      const auto created = from_epoch(q.integer(2));
      const auto last_seen = from_epoch(q.integer(3));
      if (now >= last_seen + opt_.session_idle || now >= created + opt_.session_max) return std::nullopt;
      Session s;
      s.token = std::string(token);
      s.username = q.text(0);
      s.csrf_token = q.text(1);
      s.role = parse_role(q.text(4)).value_or(Role::viewer);
      auto seen = last_seen;
      if (now - last_seen >= kLastSeenResolution) {
        sq::Statement up(db_.handle(), "UPDATE sessions SET last_seen = ? WHERE token_hash = ?");
        up.bind(1, epoch(now)).bind(2, hash).exec();
        seen = now;
      }
      s.expires_at = std::min(seen + opt_.session_idle, created + opt_.session_max);
      return s;
    });
  }

  void logout(std::string_view token) override {
    if (token.empty() || token.size() > 256) return;
    const std::string hash = detail::sha256_hex(token);
    std::lock_guard lock(mu_);
    guard([&] {
      sq::Statement del(db_.handle(), "DELETE FROM sessions WHERE token_hash = ?");
      del.bind(1, hash).exec();
      return 0;
    });
  }

 private:
  static std::string prepare_file(const std::string& path) {
    if (path == ":memory:") return path;
    const std::filesystem::path p(path);
    if (p.has_parent_path()) std::filesystem::create_directories(p.parent_path());
    // Create the file 0600 before SQLite does (SQLite would use the umask):
    // it holds password hashes.
    const mode_t old = ::umask(077);
    try {
      sq::Connection touch(path);
    } catch (...) {
      ::umask(old);
      throw;
    }
    ::umask(old);
    ::chmod(path.c_str(), 0600);
    return path;
  }

  detail::Argon2Cost cost() const {
    return {opt_.argon2_memory_kib, opt_.argon2_iterations, opt_.argon2_parallelism};
  }

  /// Runs a database step, turning the storage layer's exception into ours.
  template <class F>
  auto guard(F&& f) -> decltype(f()) {
    try {
      return f();
    } catch (const storage::StorageError& e) {
      throw AuthStoreError(std::string("auth store: ") + e.what());
    }
  }

  /// Gives the user `role`, or removes them (nullopt); ends their sessions
  /// either way. The last admin can be neither demoted nor removed.
  Status<> change_user(std::string_view username, std::optional<Role> role) {
    auto name = normalise_username(username);
    if (!name) return fail(not_found(username));
    std::lock_guard lock(mu_);
    return guard([&]() -> Status<> {
      sq::Transaction tx(db_);
      auto current = role_of(*name);
      if (!current) return fail(not_found(*name));
      if (*current == Role::admin && role != Role::admin && admin_count() == 1)
        return fail(std::string(kLastAdmin), "'" + *name + "' is the only admin; make another admin first");
      end_sessions(*name);
      if (role) {
        sq::Statement up(db_.handle(), "UPDATE users SET role = ? WHERE username = ?");
        up.bind(1, to_string(*role)).bind(2, *name).exec();
      } else {
        sq::Statement del(db_.handle(), "DELETE FROM users WHERE username = ?");
        del.bind(1, *name).exec();
      }
      tx.commit();
      return Ok{};
    });
  }

  std::optional<Role> role_of(const std::string& name) {
    sq::Statement q(db_.handle(), "SELECT role FROM users WHERE username = ?");
    if (!q.bind(1, name).step()) return std::nullopt;
    return parse_role(q.text(0));
  }
  long long admin_count() {
    sq::Statement q(db_.handle(), "SELECT count(*) FROM users WHERE role = 'admin'");
    q.step();
    return q.integer(0);
  }
  void end_sessions(const std::string& name) {
    sq::Statement del(db_.handle(), "DELETE FROM sessions WHERE username = ?");
    del.bind(1, name).exec();
  }

  void record_failure(const std::string& name, Clock::time_point now) {
    std::lock_guard lock(mu_);
    guard([&] {
      sq::Transaction tx(db_);
      sq::Statement up(db_.handle(), "UPDATE users SET failed_logins = failed_logins + 1 WHERE username = ?");
      up.bind(1, name).exec();
      sq::Statement lock_it(db_.handle(),
                            "UPDATE users SET failed_logins = 0, locked_until = ? "
                            "WHERE username = ? AND failed_logins >= ?");
      lock_it.bind(1, epoch(now + opt_.lockout)).bind(2, name).bind(3, opt_.max_failures).exec();
      tx.commit();
      return 0;
    });
  }

  seconds address_blocked(std::string_view addr, Clock::time_point now) {
    std::lock_guard lock(addr_mu_);
    auto it = failures_.find(std::string(addr));
    if (it == failures_.end()) return seconds(0);
    auto& q = it->second;
    while (!q.empty() && q.front() + opt_.address_window <= now) q.pop_front();
    if (static_cast<int>(q.size()) < opt_.max_attempts_per_address) return seconds(0);
    return std::max(seconds(1), std::chrono::duration_cast<seconds>(q.front() + opt_.address_window - now));
  }

  void note_address_failure(std::string_view addr, Clock::time_point now) {
    std::lock_guard lock(addr_mu_);
    if (failures_.size() >= kMaxTrackedAddresses) {
      // Drop addresses whose window has passed; if all are live, the oldest
      // arbitrary one goes (the table must stay bounded under a spray).
      std::erase_if(failures_, [&](const auto& kv) {
        return kv.second.empty() || kv.second.back() + opt_.address_window <= now;
      });
      if (failures_.size() >= kMaxTrackedAddresses) failures_.erase(failures_.begin());
    }
    auto& q = failures_[std::string(addr)];
    q.push_back(now);
    while (static_cast<int>(q.size()) > opt_.max_attempts_per_address) q.pop_front();
  }

  AuthOptions opt_;
  std::mutex mu_;  // guards db_
  sq::Connection db_;
  std::string dummy_hash_;
  std::mutex addr_mu_;  // guards failures_
  std::unordered_map<std::string, std::deque<Clock::time_point>> failures_;
};

}  // namespace

std::unique_ptr<UserStore> UserStore::open(const std::string& path, AuthOptions options) {
  try {
    return std::make_unique<SqliteUserStore>(path, options);
  } catch (const storage::StorageError& e) {
    throw AuthStoreError(std::string("auth store '") + path + "': " + e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    throw AuthStoreError(std::string("auth store '") + path + "': " + e.what());
  }
}

}  // namespace ts::auth
