#include "webapp/policy.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "core/percent.hpp"
#include "core/uuid.hpp"
#include "webapp/static_files.hpp"

namespace ts::webapp {
namespace {

using auth::Permission;

TEST(Policy, EveryCommandHasAPermissionFromItsSpecUnlessOverridden) {
  for (const auto& c : protocol::kCommands) {
    const auto p = required_permission(c.command);
    if (c.command == protocol::Command::update_schedule)
      EXPECT_EQ(p, Permission::administer);
    else
      EXPECT_EQ(p, c.mutating ? Permission::control : Permission::read) << c.name;
  }
}

TEST(Policy, StateChangingMethods) {
  EXPECT_FALSE(is_state_changing("GET"));
  EXPECT_FALSE(is_state_changing("HEAD"));
  for (const char* m : {"POST", "PUT", "DELETE", "PATCH"}) EXPECT_TRUE(is_state_changing(m)) << m;
}

TEST(Policy, CookieValueFindsTheSessionAmongOthers) {
  EXPECT_EQ(cookie_value("a=1; ts_session=abc; b=2", "ts_session"), "abc");
  EXPECT_EQ(cookie_value("ts_session=\"q\"", "ts_session"), "q");
  EXPECT_EQ(cookie_value("xts_session=abc", "ts_session"), "");
  EXPECT_EQ(cookie_value("", "ts_session"), "");
}

TEST(Policy, SessionCookieFlags) {
  const auto c = session_cookie("tok", false);
  EXPECT_EQ(c, "ts_session=tok; HttpOnly; SameSite=Strict; Path=/");
  EXPECT_NE(session_cookie("tok", true).find("; Secure"), std::string::npos);
  EXPECT_NE(clear_session_cookie(false).find("Max-Age=0"), std::string::npos);
}

TEST(Policy, SameOriginIsSchemePlusHost) {
  EXPECT_TRUE(same_origin("", "127.0.0.1:8000", false));
  EXPECT_TRUE(same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", false));
  EXPECT_FALSE(same_origin("http://evil.example", "127.0.0.1:8000", false));
  EXPECT_FALSE(same_origin("http://127.0.0.1:8000", "127.0.0.1:8000", true));
  EXPECT_FALSE(same_origin("http://127.0.0.1:80001", "127.0.0.1:8000", false));
  EXPECT_FALSE(same_origin("http://x", "", false));
}

TEST(Policy, PercentCodingAndNext) {
  EXPECT_EQ(percent_decode("%2e%2E/a%20b").value(), "../a b");
  EXPECT_FALSE(percent_decode("%zz"));
  EXPECT_FALSE(percent_decode("abc%2"));
  EXPECT_EQ(percent_encode("/history?x=1", "/"), "/history%3Fx%3D1");  // ?next= keeps the slashes
  EXPECT_EQ(safe_next("/symbol/AAPL"), "/symbol/AAPL");
  EXPECT_EQ(safe_next("//evil.example"), "/");
  EXPECT_EQ(safe_next("/\\evil"), "/");
  EXPECT_EQ(safe_next("https://evil"), "/");
}

TEST(Policy, ErrorBodyHasTheProtocolShape) {
  const auto j = nlohmann::json::parse(error_body("CSRF_FAILED", "no token"));
  EXPECT_EQ(j["error"]["code"], "CSRF_FAILED");
  EXPECT_EQ(j["error"]["message"], "no token");
  EXPECT_TRUE(j["error"]["details"].is_object());
}

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() / ("ts_web_" + make_uuid_v4());
    std::filesystem::create_directories(root_ / "web" / "assets");
    std::filesystem::create_directories(root_ / "web/node_modules/lightweight-charts/dist");
    std::ofstream(root_ / "web/index.html") << "<html>shell</html>";
    std::ofstream(root_ / "web/login.html") << "<html>login</html>";
    std::ofstream(root_ / "web/assets/app.js") << "export {};";
    std::ofstream(root_ /
                  "web/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js")
        << "charts";
    std::ofstream(root_ / "secret.txt") << "secret";
    std::filesystem::create_symlink(root_ / "secret.txt", root_ / "web/assets/link.txt");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }
  std::filesystem::path root_;
};

TEST_F(StaticFilesTest, MapsTheContractPaths) {
  StaticFiles files(root_ / "web");
  EXPECT_EQ(files.lookup("/login")->body, "<html>login</html>");
  EXPECT_EQ(files.lookup("/history/123")->body, "<html>shell</html>");
  const auto js = files.lookup("/assets/app.js");
  ASSERT_TRUE(js);
  EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(js->etag.size(), 18u);
  EXPECT_EQ(files.lookup("/vendor/lightweight-charts.js")->body, "charts");
  EXPECT_EQ(files.lookup("/assets/missing.js").error().code, "NOT_FOUND");
  EXPECT_EQ(classify_path("/api/processing/status"), StaticKind::not_static);
  EXPECT_EQ(classify_path("/auth/me"), StaticKind::not_static);
  EXPECT_EQ(classify_path("/ws"), StaticKind::not_static);
  EXPECT_EQ(classify_path("/apix"), StaticKind::shell);
}

TEST_F(StaticFilesTest, TraversalIsRefusedEncodedOrNot) {
  StaticFiles files(root_ / "web");
  for (const char* p : {"/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
                        "/assets/..%2f..%2fsecret.txt", "/assets/%2E%2E/x", "/assets/./app.js",
                        "/assets/..\\secret.txt", "/assets/a%00b", "/assets/%5c..%5csecret.txt"}) {
    auto r = files.lookup(p);
    ASSERT_FALSE(r) << p;
    EXPECT_EQ(r.error().code, "INVALID_PATH") << p;
  }
  // A symlink out of the web directory is not followed.
  EXPECT_EQ(files.lookup("/assets/link.txt").error().code, "NOT_FOUND");
}

}  // namespace
}  // namespace ts::webapp
