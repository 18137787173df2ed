// Secrets never leak (docs/security.md, "Secrets"): the real engine and app
// processes run with known secret values (command secret, API token, vendor
// key, Redis passwords, a dashboard password), every path that uses them is
// exercised, failing ones included (wrong signature, wrong bearer token, wrong
// Redis password, wrong dashboard password, a vendor that rejects the key), and
// then every captured byte is searched for them: each process's stdout and
// stderr, every pub/sub message, the event stream, the status snapshot,
// /metrics, the HTTP answers, the Redis log and the database files.
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine_support.hpp"
#include "server/http_client.hpp"
#include "vendor/fake_massive_server.hpp"

namespace ts::testing {
namespace {

// Distinctive values: none is a substring of anything the programs print on their own.
constexpr std::string_view kCommandSecret = "S3CRET-command-7c1e94ab52d0";
constexpr std::string_view kApiToken = "S3CRET-apitoken-0b8f2e61d4c7";
constexpr std::string_view kVendorKey = "S3CRET-vendorkey-e95a3c07b1f8";
constexpr std::string_view kAdminPassword = "S3CRET-redisadmin-4d62f0a9";
constexpr std::string_view kEnginePassword = "S3CRET-redisengine-1a7c5e3b";
constexpr std::string_view kAppPassword = "S3CRET-redisapp-8e2b6d04";
constexpr std::string_view kWatcherPassword = "S3CRET-rediswatcher-5f93c1e7";
constexpr std::string_view kDashboardPassword = "S3CRET-dashboard-c4a8e21f";
// Wrong values that the failing paths send: a near-miss is as sensitive as the real one.
constexpr std::string_view kWrongToken = "S3CRET-wrongtoken-3b90d7e2";
constexpr std::string_view kWrongRedisPassword = "S3CRET-wrongredis-6a1f8c45";
constexpr std::string_view kWrongDashboardPassword = "S3CRET-wrongdash-2e7b4a90";

/// A child process (the real binary) with extra environment, output in files.
class Child {
 public:
  Child(const std::vector<std::string>& args, const std::vector<std::string>& env, const fs::path& out,
        const fs::path& err) {
    pid_ = fork();
    if (pid_ == 0) {
      prctl(PR_SET_PDEATHSIG, SIGKILL);
      const int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      const int in = ::open("/dev/null", O_RDONLY);
      dup2(o, 1);
      dup2(e, 2);
      dup2(in, 0);
      for (const auto& kv : env) putenv(strdup(kv.c_str()));
      std::vector<char*> argv{const_cast<char*>(TICKSTOCK_BINARY)};
      for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(TICKSTOCK_BINARY, argv.data());
      _exit(127);
    }
  }
  ~Child() { stop(); }
  /// SIGTERM and wait: the graceful path, which flushes and logs on the way out.
  int stop() {
    if (pid_ <= 0) return status_;
    kill(pid_, SIGTERM);
    int st = 0;
    waitpid(pid_, &st, 0);
    pid_ = -1;
    status_ = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return status_;
  }

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

class SecretsNeverLeak : public bus::testing::RedisFixture {
 protected:
  bus::RedisServerOptions server_options() const override {
    bus::RedisServerOptions o;
    o.password = std::string(kAdminPassword);
    o.extra_args =
        bus::testing::acl_user_args(fs::path(TICKSTOCK_SOURCE_DIR) / "docs/security/redis-users.acl",
                                    {{"><engine-password>", ">" + std::string(kEnginePassword)},
                                     {"><app-password>", ">" + std::string(kAppPassword)},
                                     {"><watcher-password>", ">" + std::string(kWatcherPassword)}});
    return o;
  }
  std::string url_as(std::string_view user, std::string_view password) const {
    bus::RedisUrl u = url();
    u.user = std::string(user);
    u.password = std::string(password);
    return u.str();
  }
  std::string secret_file(const std::string& name, std::string_view value) {
    const std::string path = dir_.str(name);
    std::ofstream(path) << value << "\n";
    ::chmod(path.c_str(), 0600);
    return path;
  }
  /// Keeps what a run of `tickstock` printed.
  void keep(const std::string& what, const CommandResult& r) {
    artifacts_.emplace_back(what + " stdout", r.out);
    artifacts_.emplace_back(what + " stderr", r.err);
  }
  server::HttpResponse http(const std::string& method, const std::string& url, const std::string& body = "",
                            const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    auto r = server::http_request(method, url, body, headers, std::chrono::seconds(30));
    if (!r) throw std::runtime_error(r.error().message);
    std::string all = std::to_string(r->status) + "\n" + r->body;
    for (const auto& [k, v] : r->headers) all += "\n" + k + ": " + v;
    artifacts_.emplace_back(method + " " + url, all);
    return *r;
  }
  bool answers(const std::string& url) {
    return bus::testing::wait_for(
        [&] { return server::http_request("GET", url, "", {}, std::chrono::seconds(2)).ok(); },
        std::chrono::seconds(30));
  }

  TempDir dir_;
  std::vector<std::pair<std::string, std::string>> artifacts_;  // (what, captured bytes)
};

TEST_F(SecretsNeverLeak, InAnyOutputEventErrorMetricOrLog) {
  vendor::testing::FakeMassive vendor("the-vendor-expects-another-key", 100);
  Listener everything(url(), {}, {"*"});  // as the admin: every pub/sub message, commands and replies too

  const int engine_port = bus::pick_free_port().value();
  const int app_port = bus::pick_free_port().value();
  const std::string engine_base = "http://127.0.0.1:" + std::to_string(engine_port);
  const std::string app_base = "http://127.0.0.1:" + std::to_string(app_port);
  const std::string command_secret = secret_file("command-secret", kCommandSecret);

  Child engine({"engine", "--db", engine_db(dir_.str("engine.db")), "--http",
                "127.0.0.1:" + std::to_string(engine_port), "--provider", "massive", "--vendor-url",
                vendor.base(), "--no-scheduler"},
               {"TICKSTOCK_REDIS_URL=" + url_as("tickstock-engine", kEnginePassword),
                "TICKSTOCK_COMMAND_SECRET_FILE=" + command_secret,
                "TICKSTOCK_API_TOKEN_FILE=" + secret_file("api-token", kApiToken),
                "MASSIVE_API_KEY=" + std::string(kVendorKey)},
               dir_.path() / "engine.out", dir_.path() / "engine.err");
  ASSERT_TRUE(answers(engine_base + "/health")) << read_file(dir_.path() / "engine.err");

  // The dashboard's user, its password on stdin.
  const std::string pw_file = secret_file("dashboard-password", kDashboardPassword);
  const std::string app_db = "sqlite:" + dir_.str("app.db");
  ASSERT_EQ(std::system((std::string(TICKSTOCK_BINARY) +
                         " app user add otto --role operator --password-stdin --db " + app_db + " <" +
                         pw_file + " >" + dir_.str("useradd.out") + " 2>" + dir_.str("useradd.err"))
                            .c_str()),
            0);
  const auto web = dir_.path() / "web";
  fs::create_directories(web);
  std::ofstream(web / "index.html") << "<!doctype html><title>TickStock</title>";
  std::ofstream(web / "login.html") << "<!doctype html><title>Sign in</title>";
  Child app(
      {"app", "--http", "127.0.0.1:" + std::to_string(app_port), "--db", app_db, "--web-dir", web.string()},
      {"TICKSTOCK_REDIS_URL=" + url_as("tickstock-app", kAppPassword),
       "TICKSTOCK_COMMAND_SECRET_FILE=" + command_secret},
      dir_.path() / "app.out", dir_.path() / "app.err");
  ASSERT_TRUE(answers(app_base + "/login.html")) << read_file(dir_.path() / "app.err");

  // ctl: a signed trigger the vendor fails (it rejects the key), a wrong
  // signature, a wrong Redis password, and the watcher trying to publish.
  const std::string ctl_env = "TICKSTOCK_REDIS_URL=" + url_as("tickstock-app", kAppPassword) +
                              " TICKSTOCK_COMMAND_SECRET_FILE=" + command_secret;
  keep("ctl trigger", run_tickstock("ctl trigger --symbols AAPL --skip-market-check --wait", dir_, ctl_env));
  const auto unsigned_ctl = run_tickstock(
      "ctl status", dir_,
      "TICKSTOCK_REDIS_URL=" + url_as("tickstock-app", kAppPassword) +
          " TICKSTOCK_COMMAND_SECRET_FILE=" + secret_file("wrong-secret", "S3CRET-wrongcmd-9d0e1f2a3b"));
  keep("ctl wrong secret", unsigned_ctl);
  EXPECT_NE(unsigned_ctl.err.find("UNAUTHORIZED"), std::string::npos) << unsigned_ctl.err;
  const auto bad_password = run_tickstock(
      "ctl status", dir_, "TICKSTOCK_REDIS_URL=" + url_as("tickstock-app", kWrongRedisPassword));
  keep("ctl wrong redis password", bad_password);
  EXPECT_NE(bad_password.err.find("REDIS_AUTH_FAILED"), std::string::npos) << bad_password.err;
  keep("ctl watcher publishes",
       run_tickstock("ctl status", dir_,
                     "TICKSTOCK_REDIS_URL=" + url_as("tickstock-watcher", kWatcherPassword)));
  keep("ctl watch", run_tickstock("ctl watch --json --from-id 0 --max-events 5", dir_,
                                  "TICKSTOCK_REDIS_URL=" + url_as("tickstock-watcher", kWatcherPassword)));

  // The engine's HTTP API: a wrong and a right bearer token, /metrics.
  const std::string trigger = json{{"symbols", {"MSFT"}}, {"skip_market_check", true}}.dump();
  EXPECT_EQ(http("POST", engine_base + "/api/processing/trigger-manual", trigger,
                 {{"Authorization", "Bearer " + std::string(kWrongToken)}})
                .status,
            401);
  const auto by_token = http("POST", engine_base + "/api/processing/trigger-manual", trigger,
                             {{"Authorization", "Bearer " + std::string(kApiToken)}});
  EXPECT_TRUE(by_token.status == 200 || by_token.status == 409) << by_token.body;
  http("GET", engine_base + "/api/processing/history");

  // The dashboard: a failed and a good login, a trigger through it (signed by the app).
  EXPECT_EQ(http("POST", app_base + "/auth/login",
                 json{{"username", "otto"}, {"password", std::string(kWrongDashboardPassword)}}.dump(),
                 {{"Origin", app_base}})
                .status,
            401);
  const auto login = http("POST", app_base + "/auth/login",
                          json{{"username", "otto"}, {"password", std::string(kDashboardPassword)}}.dump(),
                          {{"Origin", app_base}});
  ASSERT_EQ(login.status, 200) << login.body;
  const auto* set_cookie = server::find_header(login, "Set-Cookie");
  ASSERT_NE(set_cookie, nullptr);
  const std::string cookie = set_cookie->substr(0, set_cookie->find(';'));
  const std::string session_token = cookie.substr(cookie.find('=') + 1);
  const std::string csrf = json::parse(login.body)["csrf_token"];
  const auto via_app = http("POST", app_base + "/api/processing/trigger-manual", trigger,
                            {{"Cookie", cookie}, {"Origin", app_base}, {"X-CSRF-Token", csrf}});
  EXPECT_TRUE(via_app.status == 200 || via_app.status == 409) << via_app.body;
  http("GET", app_base + "/api/app/status", "", {{"Cookie", cookie}});
  http("GET", engine_base + "/metrics");

  // Stop both (the graceful path logs on the way out), then collect everything.
  EXPECT_EQ(app.stop(), 0);
  EXPECT_EQ(engine.stop(), 0);
  for (const char* f : {"engine.out", "engine.err", "app.out", "app.err", "useradd.out", "useradd.err"})
    artifacts_.emplace_back(f, read_file(dir_.path() / f));
  for (const auto& m : everything.messages()) artifacts_.emplace_back("pub/sub " + m.channel, m.payload);
  auto admin = sync();
  const auto stream = admin.xrange(std::string(protocol::kStreamKey));
  ASSERT_TRUE(stream) << stream.error().message;
  for (const auto& e : *stream) artifacts_.emplace_back("stream " + e.id, e.payload);
  artifacts_.emplace_back("status snapshot",
                          admin.get(std::string(protocol::kStatusSnapshotKey)).value().value_or(""));
  artifacts_.emplace_back("redis log", read_file(server().dir() / "redis.log"));
  for (const auto& entry : fs::directory_iterator(dir_.path()))
    if (entry.path().filename().string().find(".db") != std::string::npos)
      artifacts_.emplace_back(entry.path().filename().string(), read_file(entry.path()));

  // The exercise happened: the failure paths are in what was captured.
  std::string all;
  for (const auto& [what, bytes] : artifacts_) all += bytes;
  EXPECT_NE(all.find("API_KEY_INVALID"), std::string::npos) << "the vendor never refused the key";
  EXPECT_NE(all.find("bad_signature"), std::string::npos);
  EXPECT_NE(all.find("NOPERM"), std::string::npos);
  EXPECT_NE(all.find("tickstock_"), std::string::npos) << "no /metrics captured";
  // The search itself finds a secret where one is (so a clean result means something).
  EXPECT_NE(read_file(command_secret).find(kCommandSecret), std::string::npos);

  for (const std::string_view secret :
       {kCommandSecret, kApiToken, kVendorKey, kAdminPassword, kEnginePassword, kAppPassword,
        kWatcherPassword, kDashboardPassword, kWrongToken, kWrongRedisPassword, kWrongDashboardPassword,
        std::string_view("S3CRET-wrongcmd-9d0e1f2a3b"), std::string_view(session_token)})
    for (const auto& [what, bytes] : artifacts_) {
      if (what.starts_with("POST " + app_base + "/auth/login") && secret == session_token)
        continue;  // its cookie
      EXPECT_EQ(bytes.find(secret), std::string::npos) << "'" << secret << "' leaked into " << what;
    }
}

}  // namespace
}  // namespace ts::testing
