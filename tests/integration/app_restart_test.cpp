// Issue #7 fault 5 for the dashboard server: `tickstock app` (the real binary)
// is stopped with SIGTERM while a browser-like client watches a run over the
// WebSocket, and started again on the same port. The client reconnects with
// the greatest stream id it saw and ends with every event of the run exactly
// once (the app replays from the durable stream; progress may be coalesced).
#include "app_support.hpp"
#include "process_support.hpp"

namespace ts::testing {
namespace {

class AppRestartTest : public EngineFixture {
 protected:
  void SetUp() override {
    EngineFixture::SetUp();
    if (HasFatalFailure()) return;
    auto users = auth::UserStore::open(dir_.str("app.db"), cheap_auth());
    ASSERT_TRUE(users->add_user("otto", "otto-correct-horse", auth::Role::operator_));
  }

  /// `tickstock app` on `http` ("127.0.0.1:0" = any port); returns the port it serves on.
  unsigned short start_app(const std::string& http) {
    app_ = std::make_unique<TickstockProcess>(
        std::vector<std::string>{"app", "--redis", url().str(), "--db", "sqlite:" + dir_.str("app.db"),
                                 "--http", http, "--web-dir", std::string(TICKSTOCK_SOURCE_DIR) + "/web"},
        dir_.str("app-" + std::to_string(++starts_) +
                 ".log"));  // one log per start: the port line is its own
    unsigned short port = 0;
    bus::testing::wait_for([&] { return (port = dashboard_port(app_->log())) != 0; },
                           std::chrono::seconds(30));
    return port;
  }

  std::unique_ptr<TickstockProcess> app_;
  int starts_ = 0;
};

TEST_F(AppRestartTest, SigtermOfTheAppWhileAClientWatchesARunLosesNoEventAfterARestart) {
  const unsigned short port = start_app("127.0.0.1:0");
  ASSERT_NE(port, 0) << app_->log();
  const std::string base = "http://127.0.0.1:" + std::to_string(port);
  auto login = server::http_request("POST", base + "/auth/login",
                                    json{{"username", "otto"}, {"password", "otto-correct-horse"}}.dump(),
                                    {{"Origin", base}}, std::chrono::seconds(30));
  ASSERT_TRUE(login && login->status == 200) << (login ? login->body : login.error().message);
  const auto* set_cookie = server::find_header(*login, "Set-Cookie");
  ASSERT_NE(set_cookie, nullptr);
  const std::string cookie = set_cookie->substr(0, set_cookie->find(';'));
  const std::string csrf = json::parse(login->body)["csrf_token"];

  auto ws = std::make_unique<WsTestClient>(port, "", cookie, base);
  ASSERT_TRUE(ws->open());
  ASSERT_TRUE(ws->next_of("snapshot"));
  std::vector<std::string> symbols;
  const auto sp500 = builtin_universe("sp500").value();
  for (const auto& m : sp500.members) {
    symbols.push_back(m.symbol.str());
    if (symbols.size() == 30) break;
  }
  auto started = server::http_request(
      "POST", base + "/api/processing/trigger-manual",
      json{{"symbols", symbols}, {"skip_market_check", true}, {"run_id", "watched"}}.dump(),
      {{"Cookie", cookie}, {"Origin", base}, {"X-CSRF-Token", csrf}}, std::chrono::seconds(30));
  ASSERT_TRUE(started && started->status == 200) << (started ? started->body : started.error().message);

  // Every frame of the run the client gets, over both connections.
  std::vector<json> got;
  std::string greatest;
  auto take = [&](const json& f) {
    if (f["type"] != "event") return false;
    const std::string id = f["id"];
    if (greatest.empty() || bus::StreamId::parse(greatest).value() < bus::StreamId::parse(id).value())
      greatest = id;
    if (f["event"]["payload"].value("run_id", "") != "watched") return false;
    got.push_back(f);
    const std::string name = f["event"]["event"];
    return name.starts_with("processing_") && name != "processing_started";
  };
  // Watch until the run is under way, then stop the app in the middle of it.
  bool ended = false;
  while (auto f = ws->next(std::chrono::seconds(60))) {
    ended = take(*f);
    if (ended || (*f)["event"].value("event", "") == "import_started") break;
  }
  ASSERT_FALSE(got.empty());
  ASSERT_TRUE(app_->stop_gracefully()) << app_->log();
  while (auto f = ws->next(std::chrono::seconds(5))) ended = take(*f) || ended;  // whatever was in flight
  EXPECT_FALSE(ws->open());

  // The same port again; the session lives in the app's database.
  ASSERT_EQ(start_app("127.0.0.1:" + std::to_string(port)), port) << app_->log();
  ws = std::make_unique<WsTestClient>(port, "?last_id=" + greatest, cookie, base);
  ASSERT_TRUE(ws->open()) << app_->log();
  while (!ended) {
    auto f = ws->next(std::chrono::seconds(60));
    ASSERT_TRUE(f) << "the run's end never arrived after the restart";
    ended = take(*f);
  }
  EXPECT_EQ(got.back()["event"]["event"], "processing_completed");

  // Each event once; every event of the run but progress delivered, in stream order.
  std::set<std::string> seen;
  std::vector<std::string> delivered;
  for (const auto& f : got) {
    EXPECT_TRUE(seen.insert(f["id"].get<std::string>()).second) << "twice: " << f["id"];
    if (!f["event"]["event"].get<std::string>().ends_with("_progress")) delivered.push_back(f["event"]["id"]);
  }
  std::vector<std::string> in_stream;
  for (const auto& e : run_events("watched"))
    if (!std::string(protocol::info(e.event).name).ends_with("_progress")) in_stream.push_back(e.id);
  EXPECT_EQ(delivered, in_stream);
  EXPECT_TRUE(app_->stop_gracefully()) << app_->log();
}

}  // namespace
}  // namespace ts::testing
