#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include <filesystem>
#include <set>

#include "auth/auth.hpp"
#include "auth/secrets.hpp"

namespace ts::auth {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

AuthOptions cheap() {
  AuthOptions o;
  o.argon2_memory_kib = 64;  // tests exercise the logic, not the cost
  o.argon2_iterations = 1;
  o.max_failures = 3;
  o.lockout = 10min;
  o.max_attempts_per_address = 5;
  o.address_window = 1min;
  o.session_idle = 1h;
  o.session_max = 24h;
  return o;
}

class UserStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ts_auth_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    path_ = (dir_ / "sub" / "app.db").string();
    store_ = UserStore::open(path_, cheap());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string query_text(const std::string& sql) {
    sqlite3* db = nullptr;
    sqlite3_open_v2(path_.c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* st = nullptr;
    std::string out;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) == SQLITE_OK) {
      while (sqlite3_step(st) == SQLITE_ROW) {
        const auto* t = sqlite3_column_text(st, 0);
        out += t ? reinterpret_cast<const char*>(t) : "NULL";
        out += "\n";
      }
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
  }

  std::filesystem::path dir_;
  std::string path_;
  std::unique_ptr<UserStore> store_;
  Clock::time_point t0_ = Clock::time_point(std::chrono::sys_days(std::chrono::year(2026) / 11 / 29));
};

TEST(Roles, PermissionsAreOrdered) {
  EXPECT_TRUE(allows(Role::viewer, Permission::read));
  EXPECT_FALSE(allows(Role::viewer, Permission::control));
  EXPECT_TRUE(allows(Role::operator_, Permission::control));
  EXPECT_FALSE(allows(Role::operator_, Permission::administer));
  EXPECT_TRUE(allows(Role::admin, Permission::administer));
  for (const auto* n : {"viewer", "operator", "admin"}) EXPECT_EQ(to_string(*parse_role(n)), n);
  EXPECT_FALSE(parse_role("root"));
  EXPECT_FALSE(parse_role("Admin"));
}

TEST(Secrets, TokensAreRandomBase64Url) {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    auto t = detail::random_token(32);
    EXPECT_EQ(t.size(), 43u);
    EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos);
    seen.insert(std::move(t));
  }
  EXPECT_EQ(seen.size(), 200u);
  EXPECT_EQ(generate_password().size(), 20u);
  EXPECT_NE(generate_password(), generate_password());
  EXPECT_EQ(detail::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Secrets, Argon2idHashesVerifyAndCarryTheirParameters) {
  const detail::Argon2Cost cost{64, 1, 1};
  const auto h = detail::hash_password("a long enough password", cost);
  EXPECT_EQ(h.rfind("$argon2id$v=19$m=64,t=1,p=1$", 0), 0u) << h;
  EXPECT_TRUE(detail::verify_password("a long enough password", h));
  EXPECT_FALSE(detail::verify_password("a long enough passwore", h));
  EXPECT_FALSE(detail::verify_password("a long enough password", "$argon2id$garbage"));
  EXPECT_NE(detail::hash_password("a long enough password", cost), h) << "salts must differ";
}

TEST(Secrets, CsrfComparison) {
  Session s;
  s.csrf_token = "abc";
  EXPECT_TRUE(csrf_matches(s, "abc"));
  EXPECT_FALSE(csrf_matches(s, "abd"));
  EXPECT_FALSE(csrf_matches(s, "ab"));
  s.csrf_token.clear();
  EXPECT_FALSE(csrf_matches(s, "")) << "a session without a token must never match";
}

TEST_F(UserStoreTest, AddListAndValidate) {
  auto u = store_->add_user("Ada", "correct horse battery", Role::admin);
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(u->username, "ada");
  EXPECT_EQ(store_->add_user("ADA", "another password", Role::viewer).error().code, kUserExists);
  EXPECT_EQ(store_->add_user("bad name", "another password", Role::viewer).error().code, kInvalidUsername);
  EXPECT_EQ(store_->add_user("-x", "another password", Role::viewer).error().code, kInvalidUsername);
  EXPECT_EQ(store_->add_user("", "another password", Role::viewer).error().code, kInvalidUsername);
  EXPECT_EQ(store_->add_user("bob", "short", Role::viewer).error().code, kWeakPassword);
  ASSERT_TRUE(store_->add_user("bob.v", "viewer password", Role::viewer));
  const auto users = store_->list_users();
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].username, "ada");
  EXPECT_EQ(users[0].role, Role::admin);
  EXPECT_EQ(users[1].username, "bob.v");
  EXPECT_EQ(users[1].role, Role::viewer);
  EXPECT_EQ(store_->user_count(), 2u);
}

TEST_F(UserStoreTest, FileIsPrivateAndHoldsNoSecretsInClear) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::admin));
  auto s = store_->login("ada", "correct horse battery", "127.0.0.1", t0_);
  ASSERT_TRUE(s);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto hash = query_text("SELECT password_hash FROM users");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(hash.find("correct horse"), std::string::npos);
  const auto tokens = query_text("SELECT token_hash FROM sessions");
  EXPECT_EQ(tokens.find(s->token), std::string::npos);
  EXPECT_EQ(tokens, detail::sha256_hex(s->token) + "\n");
}

TEST_F(UserStoreTest, LoginAuthenticateLogout) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::operator_));
  auto s = store_->login("ADA", "correct horse battery", "127.0.0.1", t0_);
  ASSERT_TRUE(s) << s.error().error.message;
  EXPECT_EQ(s->username, "ada");
  EXPECT_EQ(s->role, Role::operator_);
  EXPECT_FALSE(s->csrf_token.empty());
  EXPECT_NE(s->csrf_token, s->token);
  auto a = store_->authenticate(s->token, t0_ + 1min);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->username, "ada");
  EXPECT_EQ(a->csrf_token, s->csrf_token);
  EXPECT_FALSE(store_->authenticate(s->token + "x", t0_));
  EXPECT_FALSE(store_->authenticate("", t0_));
  store_->logout(s->token);
  EXPECT_FALSE(store_->authenticate(s->token, t0_ + 2min));
}

TEST_F(UserStoreTest, WrongPasswordAndUnknownUserLookAlike) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::viewer));
  auto wrong = store_->login("ada", "wrong horse battery", "10.0.0.1", t0_);
  auto unknown = store_->login("nobody", "wrong horse battery", "10.0.0.2", t0_);
  ASSERT_FALSE(wrong);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(wrong.error().error.code, kInvalidCredentials);
  EXPECT_EQ(unknown.error().error.code, kInvalidCredentials);
  EXPECT_EQ(wrong.error().error.message, unknown.error().error.message);
}

TEST_F(UserStoreTest, RepeatedFailuresLockTheAccountForAWhile) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::viewer));
  for (int i = 0; i < 3; ++i)  // max_failures = 3, from different addresses
    EXPECT_EQ(store_->login("ada", "nope nope nope", "10.0.0." + std::to_string(i), t0_).error().error.code,
              kInvalidCredentials);
  auto locked = store_->login("ada", "correct horse battery", "10.0.1.1", t0_ + 1min);
  ASSERT_FALSE(locked);
  EXPECT_EQ(locked.error().error.code, kAccountLocked);
  EXPECT_EQ(locked.error().retry_after, 9min);
  auto later = store_->login("ada", "correct horse battery", "10.0.1.1", t0_ + 11min);
  ASSERT_TRUE(later) << later.error().error.message;
  // A success resets the counter: two more failures do not lock.
  for (int i = 0; i < 2; ++i) (void)store_->login("ada", "nope nope nope", "10.0.2.1", t0_ + 12min);
  EXPECT_TRUE(store_->login("ada", "correct horse battery", "10.0.2.2", t0_ + 12min));
}

TEST_F(UserStoreTest, AnAddressThatKeepsFailingIsRateLimited) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::viewer));
  for (int i = 0; i < 5; ++i)
    EXPECT_EQ(store_->login("user" + std::to_string(i), "whatever password", "10.9.9.9", t0_ + i * 1s)
                  .error().error.code,
              kInvalidCredentials);
  auto limited = store_->login("ada", "correct horse battery", "10.9.9.9", t0_ + 10s);
  ASSERT_FALSE(limited);
  EXPECT_EQ(limited.error().error.code, kRateLimited);
  EXPECT_EQ(limited.error().retry_after, 50s);
  EXPECT_TRUE(store_->login("ada", "correct horse battery", "10.9.9.8", t0_ + 10s)) << "other addresses unaffected";
  EXPECT_TRUE(store_->login("ada", "correct horse battery", "10.9.9.9", t0_ + 61s)) << "the window slides";
}

TEST_F(UserStoreTest, SessionsExpireWhenIdleAndAtTheirMaximumAge) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::viewer));
  auto s = store_->login("ada", "correct horse battery", "127.0.0.1", t0_);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->expires_at, t0_ + 1h);
  // Activity every 50 minutes keeps it alive (idle limit 1 h) ...
  auto t = t0_;
  for (int i = 0; i < 20; ++i) {
    t += 50min;
    ASSERT_TRUE(store_->authenticate(s->token, t)) << "step " << i;
  }
  // ... until the 24 h maximum.
  EXPECT_FALSE(store_->authenticate(s->token, t0_ + 24h + 1s));
  auto s2 = store_->login("ada", "correct horse battery", "127.0.0.1", t0_);
  ASSERT_TRUE(s2);
  EXPECT_FALSE(store_->authenticate(s2->token, t0_ + 61min)) << "idle for over an hour";
}

TEST_F(UserStoreTest, ChangingAUserEndsTheirSessions) {
  ASSERT_TRUE(store_->add_user("root", "admin password!", Role::admin));
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::viewer));
  auto s = store_->login("ada", "correct horse battery", "127.0.0.1", t0_);
  ASSERT_TRUE(store_->set_password("ada", "a new long password"));
  EXPECT_FALSE(store_->authenticate(s->token, t0_));
  EXPECT_FALSE(store_->login("ada", "correct horse battery", "127.0.0.1", t0_));
  s = store_->login("ada", "a new long password", "127.0.0.1", t0_);
  ASSERT_TRUE(s);
  ASSERT_TRUE(store_->set_role("ada", Role::operator_));
  EXPECT_FALSE(store_->authenticate(s->token, t0_));
  s = store_->login("ada", "a new long password", "127.0.0.1", t0_);
  ASSERT_TRUE(s);
  EXPECT_EQ(store_->authenticate(s->token, t0_)->role, Role::operator_);
  ASSERT_TRUE(store_->remove_user("ada"));
  EXPECT_FALSE(store_->authenticate(s->token, t0_));
  EXPECT_EQ(store_->remove_user("ada").error().code, kUserNotFound);
  EXPECT_EQ(store_->set_password("ada", "whatever long").error().code, kUserNotFound);
}

TEST_F(UserStoreTest, TheLastAdminStays) {
  ASSERT_TRUE(store_->add_user("root", "admin password!", Role::admin));
  EXPECT_EQ(store_->remove_user("root").error().code, kLastAdmin);
  EXPECT_EQ(store_->set_role("root", Role::viewer).error().code, kLastAdmin);
  ASSERT_TRUE(store_->add_user("root2", "admin password!", Role::admin));
  EXPECT_TRUE(store_->set_role("root", Role::viewer));
  EXPECT_EQ(store_->remove_user("root2").error().code, kLastAdmin);
}

TEST_F(UserStoreTest, UsersAndSessionsSurviveAReopen) {
  ASSERT_TRUE(store_->add_user("ada", "correct horse battery", Role::admin));
  auto s = store_->login("ada", "correct horse battery", "127.0.0.1", t0_);
  ASSERT_TRUE(s);
  store_.reset();
  store_ = UserStore::open(path_, cheap());
  EXPECT_EQ(store_->user_count(), 1u);
  EXPECT_TRUE(store_->authenticate(s->token, t0_ + 1min));
}

TEST(UserStoreOpen, UnwritableLocationThrowsAClearError) {
  try {
    UserStore::open("/proc/tickstock-no/app.db", cheap());
    FAIL() << "expected AuthStoreError";
  } catch (const AuthStoreError& e) {
    EXPECT_NE(std::string(e.what()).find("/proc/tickstock-no/app.db"), std::string::npos) << e.what();
  } catch (const std::filesystem::filesystem_error& e) {
    FAIL() << "leaked filesystem_error: " << e.what();
  }
}

}  // namespace
}  // namespace ts::auth
