// The Massive provider through the product's entry points, against the fake
// vendor (tests/fake_vendor/fake_massive.py): `tickstock run --provider massive
// --vendor-url`, and a daemon whose failed symbols `retry_failed_imports`
// imports once the vendor serves them.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <nlohmann/json.hpp>
#include <set>

#include "engine_support.hpp"
#include "storage/storage.hpp"
#include "test_support.hpp"
#include "vendor/fake_massive_server.hpp"

namespace ts {
namespace {

using nlohmann::json;
using testing::run_tickstock;
using testing::TempDir;
using testing::engine_db;

constexpr const char* kKey = "sk-CLI-5d8e1f0b93";

/// Sets the vendor key for this process (and the binaries it starts).
class VendorKey {
 public:
  VendorKey() { ::setenv("MASSIVE_API_KEY", kKey, 1); }
  ~VendorKey() { ::unsetenv("MASSIVE_API_KEY"); }
};

std::multiset<std::string> tickers_requested(const vendor::testing::FakeMassive& fake) {
  std::multiset<std::string> out;
  for (const auto& r : json::parse(fake.admin("/admin/requests"))) {
    const std::string path = r["path"];
    constexpr std::string_view kAggs = "/v2/aggs/ticker/";
    if (path.rfind(kAggs, 0) == 0) out.insert(path.substr(kAggs.size(), path.find('/', kAggs.size()) - kAggs.size()));
  }
  return out;
}

TEST(CliVendor, RunWithTheMassiveProviderAgainstTheVendorUrl) {
  VendorKey key;
  vendor::testing::FakeMassive fake(kKey, 100);
  TempDir dir;
  const std::string db = engine_db(dir.str("ts.db"));
  const auto r = run_tickstock("run --db " + db + " --provider massive --vendor-url " + fake.base() +
                                   " --symbols AAA,BBB,GONE --from 2025-01-02 --to 2025-06-30 --min-success 0.5 --json",
                               dir);
  ASSERT_EQ(r.exit_code, 3) << r.err << r.out;
  const auto j = json::parse(r.out);
  EXPECT_EQ(j["status"], "completed_with_errors");
  ASSERT_EQ(j["failed_symbols"].size(), 1u);
  EXPECT_EQ(j["failed_symbols"][0]["symbol"], "GONE");
  EXPECT_EQ(j["failed_symbols"][0]["error_code"], "SYMBOL_NOT_FOUND");
  auto store = storage::open_storage(db);
  const auto bars = store->load_bars(Symbol::parse("AAA").value(), Timeframe::daily);
  ASSERT_FALSE(bars.empty());
  EXPECT_EQ(format_date(bars.date.front()), "2025-01-02");
  EXPECT_EQ(format_date(bars.date.back()), "2025-06-30");
  const std::string csv = fake.admin("/admin/bars/AAA/2025-01-02/2025-06-30");
  EXPECT_EQ(static_cast<std::size_t>(std::count(csv.begin(), csv.end(), '\n')), bars.size());
  EXPECT_EQ(r.out.find(kKey), std::string::npos);
  EXPECT_EQ(r.err.find(kKey), std::string::npos);
}

TEST(CliVendor, VendorUrlNeedsTheVendorProviderAndOneUrl) {
  TempDir dir;
  auto r = run_tickstock("run --db " + engine_db(dir.str("ts.db")) + " --provider synthetic --vendor-url http://127.0.0.1:9 "
                         "--symbols AAA",
                         dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--vendor-url applies to the massive provider"), std::string::npos) << r.err;
  VendorKey key;
  r = run_tickstock("run --db " + engine_db(dir.str("ts.db")) +
                        " --provider massive:base=http://127.0.0.1:9 --vendor-url http://127.0.0.1:9 --symbols AAA",
                    dir);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("not both"), std::string::npos) << r.err;
}

class VendorEngineTest : public testing::EngineFixture {
 protected:
  static void SetUpTestSuite() {
    ::setenv("MASSIVE_API_KEY", kKey, 1);
    fake_ = new vendor::testing::FakeMassive(kKey, 1000);
  }
  static void TearDownTestSuite() {
    delete fake_;
    fake_ = nullptr;
    ::unsetenv("MASSIVE_API_KEY");
  }
  // The engine's vendor_url setting (TOML vendor_url, TICKSTOCK_VENDOR_URL, --vendor-url).
  void customise(app::EngineConfig& c) override {
    c.provider = "massive";
    c.vendor_url = fake_->base();
  }
  static vendor::testing::FakeMassive* fake_;
};
vendor::testing::FakeMassive* VendorEngineTest::fake_ = nullptr;

TEST_F(VendorEngineTest, RetryFailedImportsFetchesExactlyTheFailedSymbolsOnceTheVendorServesThem) {
  fake_->admin("/admin/reset");
  // CCC gets a 404 (SYMBOL_NOT_FOUND, never retried); DDD a 500 on each of its
  // 4 attempts (NETWORK_TIMEOUT). 8 of 10 symbols succeed: completed_with_errors.
  fake_->admin("/admin/script?path=/v2/aggs/ticker/CCC&codes=404");
  fake_->admin("/admin/script?path=/v2/aggs/ticker/DDD&codes=500,500,500,500");
  const auto started = call("trigger_daily_processing",
                            {{"symbols", {"AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH", "III", "JJJ"}},
                             {"skip_market_check", true}});
  ASSERT_TRUE(started.value("ok", false)) << started.dump();
  const std::string run_id = started["result"]["run_id"];
  const auto end = wait_terminal(run_id);
  ASSERT_TRUE(end);
  const auto run = call("get_run", {{"run_id", run_id}});
  ASSERT_EQ(run["result"]["run"]["status"], "completed_with_errors") << run.dump();
  std::map<std::string, std::string> failed;
  for (const auto& f : run["result"]["failed_symbols"]) failed[f["symbol"]] = f["error_code"];
  EXPECT_EQ(failed, (std::map<std::string, std::string>{{"CCC", "SYMBOL_NOT_FOUND"}, {"DDD", "NETWORK_TIMEOUT"}}));
  // cache_sync stored the vendor's reference data: list_symbols names the symbols.
  const auto named = call("list_symbols", {{"prefix", "AAA"}});
  ASSERT_EQ(named["result"]["symbols"].size(), 1u) << named.dump();
  EXPECT_EQ(named["result"]["symbols"][0]["name"], "AAA Corp.");
  EXPECT_EQ(daemon_->storage().symbol_record("AAA")->exchange, "XNAS");

  // The vendor recovers; the retry asks for CCC and DDD only.
  fake_->admin("/admin/reset");
  const auto retry = call("retry_failed_imports", {{"run_id", run_id}});
  ASSERT_TRUE(retry.value("ok", false)) << retry.dump();
  const std::string child = retry["result"]["run_id"];
  ASSERT_TRUE(wait_terminal(child));
  const auto child_run = call("get_run", {{"run_id", child}});
  EXPECT_EQ(child_run["result"]["run"]["status"], "completed") << child_run.dump();
  EXPECT_EQ(child_run["result"]["run"]["parent_run_id"], run_id);
  EXPECT_EQ(tickers_requested(*fake_), (std::multiset<std::string>{"CCC", "DDD"}));
  auto& db = daemon_->storage();
  for (const char* s : {"CCC", "DDD"}) {
    const auto bars = db.load_bars(Symbol::parse(s).value(), Timeframe::daily);
    EXPECT_FALSE(bars.empty()) << s;
  }
  // Nothing in any event or reply carries the key.
  for (const auto& e : stream()) EXPECT_EQ(protocol::encode_event(e).find(kKey), std::string::npos);
}

}  // namespace
}  // namespace ts
