// The dashboard's HTTP side against a real engine, Redis and SQLite:
// sessions, CSRF, roles, the command proxy, static files and the limits.
#include "app_support.hpp"

namespace ts::testing {
namespace {

constexpr std::string_view kCsp =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

using AppHttp = AppFixture;

TEST_F(AppHttp, LoginMeLogout) {
  auto r = http("POST", "/auth/login", json{{"username", "ada"}, {"password", password("ada")}}.dump(),
                {{"Origin", origin_}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(body(r)["username"], "ada");
  EXPECT_EQ(body(r)["role"], "admin");
  const std::string csrf = body(r)["csrf_token"];
  EXPECT_FALSE(csrf.empty());
  const std::string set = header(r, "Set-Cookie");
  EXPECT_TRUE(set.starts_with("ts_session=")) << set;
  EXPECT_NE(set.find("; HttpOnly"), std::string::npos);
  EXPECT_NE(set.find("; SameSite=Strict"), std::string::npos);
  EXPECT_NE(set.find("; Path=/"), std::string::npos);
  EXPECT_EQ(set.find("Secure"), std::string::npos);  // no TLS here
  const Login who{set.substr(0, set.find(';')), csrf};

  auto me = as(who, "GET", "/auth/me");
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(body(me)["username"], "ada");
  EXPECT_EQ(body(me)["csrf_token"], csrf);

  // Logout is a state change: it needs the token.
  EXPECT_EQ(http("POST", "/auth/logout", "", {{"Cookie", who.cookie}}).status, 403);
  auto out = as(who, "POST", "/auth/logout");
  EXPECT_EQ(out.status, 204);
  EXPECT_NE(header(out, "Set-Cookie").find("Max-Age=0"), std::string::npos);
  EXPECT_EQ(as(who, "GET", "/auth/me").status, 401);
}

TEST_F(AppHttp, WrongPasswordLockoutAndRateLimit) {
  auto attempt = [&](const std::string& user, const std::string& pw) {
    return http("POST", "/auth/login", json{{"username", user}, {"password", pw}}.dump());
  };
  auto bad = attempt("otto", "wrong-password!");
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(body(bad)["error"]["code"], "INVALID_CREDENTIALS");
  EXPECT_EQ(header(bad, "Set-Cookie"), "");
  attempt("otto", "wrong-password!");
  attempt("otto", "wrong-password!");
  // Locked after max_failures (3), even with the right password.
  auto locked = attempt("otto", password("otto"));
  EXPECT_EQ(locked.status, 429);
  EXPECT_EQ(body(locked)["error"]["code"], "ACCOUNT_LOCKED");
  EXPECT_FALSE(header(locked, "Retry-After").empty());
  // The address is throttled after max_attempts_per_address (8) failures, whatever the account.
  server::HttpResponse last;
  for (int i = 0; i < 8; ++i) last = attempt("nobody" + std::to_string(i), "wrong-password!");
  EXPECT_EQ(last.status, 429);
  EXPECT_EQ(body(last)["error"]["code"], "RATE_LIMITED");
  EXPECT_FALSE(header(last, "Retry-After").empty());
}

TEST_F(AppHttp, ForeignOriginLoginIsRefused) {
  auto r = http("POST", "/auth/login", json{{"username", "ada"}, {"password", password("ada")}}.dump(),
                {{"Origin", "http://evil.example"}});
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(header(r, "Set-Cookie"), "");
}

TEST_F(AppHttp, CsrfMissingOrWrongIsRefusedAndTheEngineIsNotCalled) {
  const auto otto = login("otto");
  const std::string trigger = json{{"symbols", {"AAPL"}}, {"skip_market_check", true}}.dump();
  auto missing =
      http("POST", "/api/processing/trigger-manual", trigger, {{"Cookie", otto.cookie}, {"Origin", origin_}});
  EXPECT_EQ(missing.status, 403);
  EXPECT_EQ(body(missing)["error"]["code"], "CSRF_FAILED");
  auto wrong = http("POST", "/api/processing/trigger-manual", trigger,
                    {{"Cookie", otto.cookie}, {"Origin", origin_}, {"X-CSRF-Token", otto.csrf + "x"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(body(wrong)["error"]["code"], "CSRF_FAILED");
  auto foreign =
      http("POST", "/api/processing/trigger-manual", trigger,
           {{"Cookie", otto.cookie}, {"Origin", "http://evil.example"}, {"X-CSRF-Token", otto.csrf}});
  EXPECT_EQ(foreign.status, 403);
  // Nothing reached the engine: no run was started.
  auto history = as(otto, "GET", "/api/processing/history");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_TRUE(body(history)["runs"].empty()) << history.body;
  EXPECT_EQ(daemon_->run_count(), 0u);
}

TEST_F(AppHttp, RolesGateTheCommands) {
  const auto vic = login("vic"), otto = login("otto"), ada = login("ada");
  const std::string trigger = json{{"symbols", {"AAPL", "MSFT"}}, {"skip_market_check", true}}.dump();
  auto refused = as(vic, "POST", "/api/processing/trigger-manual", trigger);
  EXPECT_EQ(refused.status, 403);
  EXPECT_EQ(body(refused)["error"]["code"], "FORBIDDEN");
  EXPECT_EQ(daemon_->run_count(), 0u);
  EXPECT_EQ(as(vic, "GET", "/api/processing/status").status, 200);

  const std::string schedule = json{{"trigger_time", "17:30"}}.dump();
  EXPECT_EQ(as(otto, "POST", "/api/processing/schedule", schedule).status, 403);
  EXPECT_EQ(as(vic, "POST", "/api/processing/schedule", schedule).status, 403);
  auto admin = as(ada, "POST", "/api/processing/schedule", schedule);
  EXPECT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(body(admin)["trigger_time"], "17:30");

  auto started = as(otto, "POST", "/api/processing/trigger-manual", trigger);
  ASSERT_EQ(started.status, 200) << started.body;
  EXPECT_FALSE(body(started)["run_id"].get<std::string>().empty());
}

TEST_F(AppHttp, EveryRouteIsProxied) {
  const auto ada = login("ada");
  // A run to look at: trigger, see it in history and by id, cancel (nothing active any more).
  auto started = as(ada, "POST", "/api/processing/trigger-manual",
                    json{{"symbols", {"AAPL", "MSFT"}}, {"skip_market_check", true}}.dump());
  ASSERT_EQ(started.status, 200) << started.body;
  const std::string run_id = body(started)["run_id"];
  ASSERT_TRUE(wait_terminal(run_id));
  auto history = as(ada, "GET", "/api/processing/history?limit=5");
  ASSERT_EQ(history.status, 200);
  ASSERT_FALSE(body(history)["runs"].empty());
  EXPECT_EQ(body(history)["runs"][0]["run_id"], run_id);
  EXPECT_TRUE(body(history).contains("next_cursor"));

  // Every GET route of the command table answers what the engine answers,
  // with a sample value for each required query parameter.
  const std::map<std::string_view, std::string> samples{
      {"symbol", "AAPL"}, {"expression", "close%20%3E%200"}, {"indicators", "SMA"}};
  for (const auto& c : protocol::kCommands) {
    if (c.route.method != "GET") continue;
    std::string path(c.route.path);
    if (auto p = path.find("{run_id}"); p != std::string::npos) path.replace(p, 8, run_id);
    std::string query;
    for (const auto& param : c.params) {
      if (!param.required || c.route.path.find("{" + std::string(param.name) + "}") != std::string_view::npos) continue;
      const auto sample = samples.find(param.name);
      ASSERT_NE(sample, samples.end()) << c.name << ": no sample value for required parameter " << param.name;
      query += (query.empty() ? "?" : "&") + std::string(param.name) + "=" + sample->second;
    }
    auto r = as(ada, "GET", path + query);
    EXPECT_EQ(r.status, 200) << c.name << ": " << r.body;
  }
  auto run = as(ada, "GET", "/api/processing/runs/" + run_id);
  EXPECT_EQ(body(run)["run"]["run_id"], run_id);
  // The engine's own errors come through with their status.
  auto missing = as(ada, "GET", "/api/processing/runs/no-such-run");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(body(missing)["error"]["code"], "NOT_FOUND");
  auto invalid = as(ada, "GET", "/api/processing/history?limit=0");
  EXPECT_EQ(invalid.status, 422);
  // Cancel with no active run: the engine's answer, not the app's.
  auto cancel = as(ada, "DELETE", "/api/processing/cancel");
  EXPECT_NE(cancel.status, 503);
  EXPECT_NE(cancel.status, 403);
  EXPECT_TRUE(body(cancel).is_object()) << cancel.body;
  for (const char* route : {"/api/processing/trigger-indicators", "/api/processing/trigger-patterns"}) {
    daemon_->wait_idle();
    auto r = as(ada, "POST", route, json{{"symbols", {"AAPL"}}}.dump());
    EXPECT_EQ(r.status, 200) << route << ": " << r.body;
    if (r.status == 200) wait_terminal(body(r)["run_id"]);
  }
  auto retry = as(ada, "POST", "/api/processing/retry-imports", json{{"run_id", run_id}}.dump());
  EXPECT_NE(retry.status, 503) << retry.body;
  EXPECT_NE(retry.status, 403) << retry.body;
}

TEST_F(AppHttp, UnauthenticatedRequests) {
  auto page = http("GET", "/history?status=failed");
  EXPECT_EQ(page.status, 302);
  EXPECT_EQ(header(page, "Location"), "/login?next=/history%3Fstatus%3Dfailed");
  auto api = http("GET", "/api/processing/status");
  EXPECT_EQ(api.status, 401);
  EXPECT_EQ(body(api)["error"]["code"], "UNAUTHORIZED");
  EXPECT_EQ(http("GET", "/api/app/status").status, 401);
  EXPECT_EQ(http("GET", "/api/users").status, 401);
  EXPECT_EQ(http("GET", "/auth/me").status, 401);
  // The login page and the assets need no session.
  auto login_page = http("GET", "/login");
  EXPECT_EQ(login_page.status, 200);
  EXPECT_EQ(header(login_page, "Content-Type"), "text/html; charset=utf-8");
  auto js = http("GET", "/assets/app.js");
  ASSERT_EQ(js.status, 200);
  EXPECT_EQ(header(js, "Content-Type"), "text/javascript; charset=utf-8");
  const std::string etag = header(js, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(header(js, "Cache-Control"), "no-cache");
  EXPECT_EQ(http("GET", "/assets/app.js", "", {{"If-None-Match", etag}}).status, 304);
  // With a session the shell is served for any client-side route.
  const auto vic = login("vic");
  auto shell = as(vic, "GET", "/symbol/AAPL");
  EXPECT_EQ(shell.status, 200);
  EXPECT_NE(shell.body.find("<title>TickStock</title>"), std::string::npos);
}

TEST_F(AppHttp, PathTraversalIsRefused) {
  for (const char* path : {"/assets/../../secret.txt", "/assets/%2e%2e/%2e%2e/secret.txt",
                           "/assets/..%2f..%2fsecret.txt", "/assets/%2E%2E%2F%2E%2E%2Fsecret.txt"}) {
    auto r = http("GET", path);
    EXPECT_TRUE(r.status == 400 || r.status == 404) << path << " -> " << r.status;
    EXPECT_EQ(r.body.find("TOP SECRET"), std::string::npos) << path;
  }
}

TEST_F(AppHttp, OversizedBodyIs413) {
  const auto otto = login("otto");
  const std::string big = "{\"x\":\"" + std::string(70 * 1024, 'a') + "\"}";
  auto r = as(otto, "POST", "/api/processing/trigger-manual", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_EQ(body(r)["error"]["code"], "PAYLOAD_TOO_LARGE");
  EXPECT_EQ(daemon_->run_count(), 0u);
}

TEST_F(AppHttp, SecurityHeadersOnEveryResponse) {
  const auto vic = login("vic");
  std::vector<server::HttpResponse> responses{http("GET", "/login"),
                                              http("GET", "/"),
                                              http("GET", "/api/processing/status"),
                                              http("GET", "/assets/nope.js"),
                                              as(vic, "GET", "/api/processing/status"),
                                              as(vic, "GET", "/")};
  for (const auto& r : responses) {
    EXPECT_EQ(header(r, "Content-Security-Policy"), kCsp) << r.status;
    EXPECT_EQ(header(r, "X-Content-Type-Options"), "nosniff") << r.status;
    EXPECT_EQ(header(r, "Referrer-Policy"), "no-referrer") << r.status;
    EXPECT_EQ(header(r, "X-Frame-Options"), "DENY") << r.status;
  }
}

TEST_F(AppHttp, AppStatusReportsRedisHeartbeatAndStream) {
  const auto vic = login("vic");
  json s;
  // The engine's heartbeat (every 200 ms here) is seen on the stream.
  ASSERT_TRUE(bus::testing::wait_for([&] {
    s = body(as(vic, "GET", "/api/app/status"));
    return !s["engine"]["last_heartbeat"].is_null();
  }));
  EXPECT_EQ(s["redis"]["connected"], true);
  EXPECT_TRUE(s["engine"]["heartbeat_age_seconds"].is_number());
  EXPECT_TRUE(s["engine"]["source"].get<std::string>().starts_with("tickstock-engine/"));
  EXPECT_TRUE(s["stream"]["last_id"].is_string());
  EXPECT_EQ(s["clients"], 0);
}

TEST_F(AppHttp, EngineGoneIs503AndSilentEngineIs504) {
  const auto vic = login("vic");
  daemon_->stop();
  auto gone = as(vic, "GET", "/api/processing/status");
  EXPECT_EQ(gone.status, 503);
  EXPECT_EQ(body(gone)["error"]["code"], "ENGINE_UNAVAILABLE");
  // Something listens on the command channel but never answers.
  Listener mute(url(), {std::string(protocol::kCommandChannel)}, {});
  app_->stop();
  options_.engine_timeout = std::chrono::milliseconds(300);
  app_ = std::make_unique<webapp::AppServer>(options_, *users_);
  app_->start();
  base_ = origin_ = "http://127.0.0.1:" + std::to_string(app_->port());
  auto silent = as(vic, "GET", "/api/processing/status");
  EXPECT_EQ(silent.status, 504);
  EXPECT_EQ(body(silent)["error"]["code"], "TIMEOUT");
}

TEST_F(AppHttp, AdminManagesUsers) {
  const auto ada = login("ada"), vic = login("vic");
  EXPECT_EQ(as(vic, "GET", "/api/users").status, 403);
  auto list = as(ada, "GET", "/api/users");
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(body(list)["users"].size(), 3u);
  auto added = as(ada, "POST", "/api/users",
                  json{{"username", "nina"}, {"password", "nina-long-password"}, {"role", "viewer"}}.dump());
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(body(added)["role"], "viewer");
  EXPECT_TRUE(body(added)["last_login"].is_null());
  EXPECT_EQ(as(ada, "POST", "/api/users",
               json{{"username", "nina"}, {"password", "nina-long-password"}, {"role", "viewer"}}.dump())
                .status,
            409);
  EXPECT_EQ(
      as(ada, "POST", "/api/users", json{{"username", "x"}, {"password", "short"}, {"role", "viewer"}}.dump())
          .status,
      422);
  auto promoted = as(ada, "POST", "/api/users/nina", json{{"role", "operator"}}.dump());
  ASSERT_EQ(promoted.status, 200) << promoted.body;
  EXPECT_EQ(body(promoted)["role"], "operator");
  EXPECT_EQ(as(ada, "POST", "/api/users/ghost", json{{"role", "operator"}}.dump()).status, 404);
  EXPECT_EQ(as(vic, "DELETE", "/api/users/nina").status, 403);
  EXPECT_EQ(as(ada, "DELETE", "/api/users/nina").status, 204);
  EXPECT_EQ(body(as(ada, "GET", "/api/users"))["users"].size(), 3u);
}

}  // namespace
}  // namespace ts::testing
