// `tickstock up` runs the engine and the dashboard in one process, and
// `tickstock app user ...` manages the users: the real binary, end to end.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include "app_support.hpp"
#include "process_support.hpp"

namespace ts::testing {
namespace {

/// The binary in the background, its output in a file.
TEST(AppUp, EngineAndDashboardInOneProcessWithAGeneratedAdmin) {
  TempDir dir;
  const fs::path data = dir.path() / "data";
  const fs::path web = dir.path() / "web";
  fs::create_directories(web);
  std::ofstream(web / "index.html") << "<title>TickStock</title>";
  std::string first_password;
  for (int start = 0; start < 2; ++start) {
    TickstockProcess up({"up", "--data-dir", data.string(), "--http-app", "127.0.0.1:0", "--http", "off",
                         "--web-dir", web.string()},
                        dir.path() / ("up" + std::to_string(start) + ".txt"));
    int port = 0;
    ASSERT_TRUE(bus::testing::wait_for([&] { return (port = dashboard_port(up.log())) != 0; },
                                       std::chrono::seconds(60)))
        << up.log();
    const fs::path pw_file = data / "admin-password.txt";
    ASSERT_TRUE(fs::exists(pw_file));
    struct stat st {};
    ASSERT_EQ(stat(pw_file.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::string password = read_file(pw_file);
    while (!password.empty() && password.back() == '\n') password.pop_back();
    EXPECT_EQ(password.size(), 20u);
    if (start == 0) {
      first_password = password;
      EXPECT_NE(up.log().find(password), std::string::npos);  // printed once, on the first start
    } else {
      EXPECT_EQ(password, first_password);
      EXPECT_EQ(up.log().find("First start"), std::string::npos);
    }
    const std::string base = "http://127.0.0.1:" + std::to_string(port);
    auto login = server::http_request("POST", base + "/auth/login",
                                      json{{"username", "admin"}, {"password", password}}.dump(), {},
                                      std::chrono::seconds(30));
    ASSERT_TRUE(login);
    ASSERT_EQ(login->status, 200) << login->body;
    const auto* cookie = server::find_header(*login, "Set-Cookie");
    ASSERT_NE(cookie, nullptr);
    const Headers h{{"Cookie", cookie->substr(0, cookie->find(';'))}};
    auto status =
        server::http_request("GET", base + "/api/processing/status", "", h, std::chrono::seconds(30));
    ASSERT_TRUE(status);
    EXPECT_EQ(status->status, 200) << status->body;
    WsTestClient ws(static_cast<unsigned short>(port), "", h[0].second, base);
    ASSERT_TRUE(ws.open());
    auto hello = ws.next();
    ASSERT_TRUE(hello);
    EXPECT_EQ((*hello)["username"], "admin");
    EXPECT_EQ(up.exit_code_after(SIGINT, std::chrono::seconds(30)), 0) << up.log();
  }
}

TEST(AppUser, AddListPasswdRemoveFromTheCommandLine) {
  TempDir dir;
  const std::string db = "sqlite:" + dir.str("app.db");
  auto run = [&](const std::string& args, const std::string& input = "") {
    const std::string in = dir.str("in.txt");
    std::ofstream(in) << input;
    const std::string out = dir.str("out.txt");
    const int status = std::system((std::string(TICKSTOCK_BINARY) + " app user " + args + " --db " + db +
                                    " <" + in + " >" + out + " 2>&1")
                                       .c_str());
    return std::pair{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out)};
  };
  auto [added, add_out] = run("add ada --role admin --password-stdin", "a-long-secret-password\n");
  EXPECT_EQ(added, 0) << add_out;
  EXPECT_EQ(add_out.find("a-long-secret-password"), std::string::npos);
  EXPECT_EQ(run("add bob --role operator --password-stdin", "short\n").first, 1);  // WEAK_PASSWORD
  EXPECT_EQ(run("add bob --role boss --password-stdin", "bob-long-password\n").first, 2);
  EXPECT_EQ(run("add bob --role operator --password-stdin", "bob-long-password\n").first, 0);
  auto [listed, list_out] = run("list");
  EXPECT_EQ(listed, 0);
  EXPECT_NE(list_out.find("ada"), std::string::npos);
  EXPECT_NE(list_out.find("operator"), std::string::npos);
  EXPECT_EQ(run("passwd bob --password-stdin", "another-long-password\n").first, 0);
  EXPECT_EQ(run("remove bob").first, 0);
  EXPECT_EQ(run("remove bob").first, 3);
  EXPECT_EQ(run("remove ada").first, 1);  // LAST_ADMIN
  auto users = auth::UserStore::open(dir.str("app.db"));
  EXPECT_EQ(users->user_count(), 1u);
  EXPECT_TRUE(users->login("ada", "a-long-secret-password", "test", std::chrono::system_clock::now()));
}

}  // namespace
}  // namespace ts::testing
